// The cataloguing form: the 中图法 picker (click a class to take its number) and, on 扫描编目,
// the table of differences between sources (click a value to put it in the form).
(function () {
  "use strict";
  function setValue(field, value) {
    if (!field) return;
    field.value = value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.classList.add("is-valid");
  }
  document.addEventListener("click", function (event) {
    const pick = event.target.closest("[data-clc-pick]");
    if (pick) {
      const input = document.querySelector("[data-clc-input]");
      setValue(input, pick.dataset.clcPick);
      if (input) input.focus();
      return;
    }
    const fill = event.target.closest("[data-fill-field]");
    if (fill) {
      const form = document.querySelector("[data-testid=record-form]");
      if (form) setValue(form.elements[fill.dataset.fillField], fill.dataset.fillValue);
    }
  });
})();
