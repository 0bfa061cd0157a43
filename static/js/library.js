// Small page behaviours, declared in the templates with data- attributes (the
// Content-Security-Policy allows no inline script or on*="" handler).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const print = event.target.closest("[data-print]");
    if (print) { window.print(); return; }
    const copy = event.target.closest("[data-copy-from]");
    if (copy && navigator.clipboard) {
      const source = document.getElementById(copy.dataset.copyFrom);
      if (source) navigator.clipboard.writeText(source.value);
      return;
    }
    const all = event.target.closest("[data-check-all]");
    if (all) {
      document.querySelectorAll(all.dataset.checkAll).forEach(function (box) { box.checked = all.checked; });
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-submit-on-change]")) event.target.form.submit();
  });
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  // Report period forms: choosing one kind of period clears the others, so the form sends exactly one.
  document.querySelectorAll("[data-period-form]").forEach(function (form) {
    const term = form.querySelector("[name=term]"), year = form.querySelector("[name=year]");
    const from = form.querySelector("[name=from]"), to = form.querySelector("[name=to]");
    if (!term || !year || !from || !to) return;
    term.addEventListener("change", function () { if (term.value) { year.value = ""; from.value = ""; to.value = ""; } });
    year.addEventListener("input", function () { if (year.value) { term.value = ""; from.value = ""; to.value = ""; } });
    [from, to].forEach(function (el) { el.addEventListener("input", function () { term.value = ""; year.value = ""; }); });
  });
})();
