// The self-check page: keep the scanner field focused, sound the result, print the receipt, and
// forget the pupil after 30 s without a touch or a scan (the hidden #selfcheck-end form).
(function () {
  "use strict";
  var body = document.body;

  function sound(ok) {
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var notes = ok ? [660, 990] : [220, 180, 220];
      notes.forEach(function (freq, i) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = ok ? "sine" : "square";
        osc.frequency.value = freq;
        gain.gain.value = 0.2;
        osc.connect(gain); gain.connect(audio.destination);
        var start = audio.currentTime + i * 0.16;
        osc.start(start); osc.stop(start + 0.14);
      });
    } catch (e) { /* no audio device: the colours still show the result */ }
  }
  if (body.dataset.result) { sound(body.dataset.result === "ok"); }

  var field = document.querySelector("[data-scan]");
  function refocus() { if (field && document.activeElement !== field) { field.focus(); } }
  if (field) {
    refocus();
    // A touch on a button must not leave the scanner typing into nothing.
    document.addEventListener("click", function () { window.setTimeout(refocus, 0); });
  }

  var printButton = document.getElementById("selfcheck-print");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }

  var idleMs = Number(body.dataset.idleSeconds || 30) * 1000;
  var last = Date.now();
  ["keydown", "click", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, function () { last = Date.now(); }, true);
  });
  window.setInterval(function () {
    if (body.dataset.active && Date.now() - last > idleMs) {
      body.dataset.active = "";
      document.getElementById("selfcheck-end").submit();
    }
  }, 1000);
})();
