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

  document.body.addEventListener("htmx:afterSettle", function () {
    var feedback = document.getElementById("desk-feedback");
    if (feedback && feedback.dataset.tone && !feedback.dataset.played) {
      feedback.dataset.played = "1";
      beep(feedback.dataset.tone);
    }
    if (code) { code.focus(); }
  });
  if (mode) { setMode(mode.value); }
})();
