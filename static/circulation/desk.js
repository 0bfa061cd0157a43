// The desk: keep the scanner field focused, switch modes with F2/F3, beep on every result.
(function () {
  "use strict";
  var code = document.getElementById("desk-code");
  var mode = document.getElementById("desk-mode");
  var deskName = document.getElementById("desk-name");
  var audio = null;

  if (deskName) {
    var saved = window.localStorage.getItem("circulation.desk");
    if (saved) { deskName.value = saved; }
    deskName.addEventListener("change", function () { window.localStorage.setItem("circulation.desk", deskName.value); });
  }

  function beep(tone) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var notes = tone === "ok" ? [880] : tone === "warn" ? [660, 660] : [220, 180];
      notes.forEach(function (freq, i) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = freq;
        osc.type = tone === "error" ? "square" : "sine";
        gain.gain.value = 0.15;
        osc.connect(gain); gain.connect(audio.destination);
        var start = audio.currentTime + i * 0.18;
        osc.start(start); osc.stop(start + (tone === "ok" ? 0.12 : 0.15));
      });
    } catch (e) { /* no audio device: the colours still show the result */ }
  }

  function setMode(value) {
    if (!mode) { return; }
    mode.value = value;
    var radio = document.getElementById(value === "return" ? "mode-return" : "mode-checkout");
    if (radio) { radio.checked = true; }
    document.body.classList.toggle("desk-return-mode", value === "return");
    if (code) { code.focus(); }
  }

  document.querySelectorAll("input[name=mode-choice]").forEach(function (radio) {
    radio.addEventListener("change", function () { setMode(radio.value); });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "F2") { event.preventDefault(); setMode("checkout"); }
    if (event.key === "F3") { event.preventDefault(); setMode("return"); }
    if (event.key === "Escape") {
      var reader = document.getElementById("desk-reader");
      if (reader) { reader.value = ""; }
      var panel = document.getElementById("reader-panel");
      if (panel) { panel.innerHTML = ""; }
      if (code) { code.value = ""; code.focus(); }
    }
  });

  // Empty the field as soon as its value is in the request, not when the answer arrives: a scanner
  // may already be typing the next barcode then, and clearing would eat it.
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (code && event.detail.elt && event.detail.elt.contains(code)) { code.value = ""; }
  });

  // The compensation form's 取消 button closes it and gives the field back to the scanner.
  document.body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-desk-close]");
    if (!button) { return; }
    var box = document.getElementById(button.dataset.deskClose);
    if (box) { box.innerHTML = ""; }
    if (code) { code.focus(); }
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var feedback = document.getElementById("desk-feedback");
    if (feedback && feedback.dataset.tone && !feedback.dataset.played) {
      feedback.dataset.played = "1";
      beep(feedback.dataset.tone);
    }
    // A form just opened (compensation) keeps the focus; everything else returns it to the scanner.
    var first = event.detail.target && event.detail.target.id === "desk-compensation"
      ? event.detail.target.querySelector("input[type=radio]:checked, input, select") : null;
    if (first) { first.focus(); } else if (code) { code.focus(); }
  });
  if (mode) { setMode(mode.value); }
})();
