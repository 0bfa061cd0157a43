// A scanner types the code and presses Enter: keep the cursor in the list, one code per line.
(function () {
  const list = document.querySelector("#id_barcodes");
  const buttons = document.querySelectorAll(".add-barcode");
  const listed = () => list.value.toUpperCase().split(/[\s,，]+/).filter(Boolean);
  // A button is off while its code is on the list: taken off the list again, it can add it back.
  const sync = () => { const codes = listed(); buttons.forEach(b => { b.disabled = codes.includes(b.dataset.barcode.toUpperCase()); }); };
  list?.focus();
  list?.addEventListener("input", sync);
  buttons.forEach(button => button.addEventListener("click", () => {
    const codes = list.value.split(/\s+/).filter(Boolean);
    if (!codes.includes(button.dataset.barcode)) codes.push(button.dataset.barcode);
    list.value = codes.join("\n") + "\n";
    sync();
  }));
  if (list) sync();
})();
