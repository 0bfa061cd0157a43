// Stocktake pages. A USB scanner types a barcode and presses Enter, often faster than the server
// answers: every code goes into a queue and is posted in order, one at a time, and its result row
// is shown at the top. Scanning twice is harmless (the server records each barcode once).
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  var code = document.getElementById("scan-code");
  var rows = document.getElementById("scan-rows");
  var queue = [];
  var busy = false;

  function next() {
    if (busy || !queue.length) { return; }
    busy = true;
    var data = queue.shift();
    var failed = false;
    fetch(form.action, { method: "POST", body: data, headers: { "X-Stocktake-Scan": "1" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { rows.insertAdjacentHTML("afterbegin", html); })
      .catch(function () {
        // Network trouble: put the scan back and try again shortly.
        queue.unshift(data);
        failed = true;
      })
      .finally(function () { busy = false; window.setTimeout(next, failed ? 1000 : 0); });
  }

  if (form && code) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = code.value.trim();
      code.value = "";
      code.focus();
      if (!value) { return; }
      var data = new FormData(form);
      data.set("barcode", value);
      queue.push(data);
      next();
    });
  }

  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
}());
