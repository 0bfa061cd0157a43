// Shelves of covers: the arrow buttons scroll a shelf by a page; Left/Right (and Home/End) move
// the focus from cover to cover within a shelf, keeping the focused cover in view.
(function () {
  "use strict";
  function setup(shelf) {
    var row = shelf.querySelector(".shelf-row");
    if (!row) return;
    var page = function (dir) { row.scrollBy({ left: dir * row.clientWidth * 0.9, behavior: "smooth" }); };
    var prev = shelf.querySelector(".shelf-prev");
    var next = shelf.querySelector(".shelf-next");
    if (prev) prev.addEventListener("click", function () { page(-1); });
    if (next) next.addEventListener("click", function () { page(1); });
    row.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(row.querySelectorAll(".shelf-link"));
      var at = links.indexOf(document.activeElement);
      if (at < 0) return;
      var to = null;
      if (event.key === "ArrowRight") to = Math.min(at + 1, links.length - 1);
      else if (event.key === "ArrowLeft") to = Math.max(at - 1, 0);
      else if (event.key === "Home") to = 0;
      else if (event.key === "End") to = links.length - 1;
      if (to === null) return;
      event.preventDefault();
      links[to].focus();
      links[to].scrollIntoView({ block: "nearest", inline: "nearest" });
    });
  }
  function init() { document.querySelectorAll(".shelf").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
