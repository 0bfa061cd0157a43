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

  var texts = document.getElementById("desk-texts");
  var idleMs = texts ? Number(texts.dataset.idleMinutes || 3) * 60000 : 0;
  var lastActivity = Date.now();

  function readerField() { return document.getElementById("desk-reader"); }

  function say(text, tone) {
    var feedback = document.getElementById("desk-feedback");
    if (!feedback) { return; }
    feedback.className = "alert py-2 " + (tone === "warn" ? "alert-warning" : "alert-secondary");
    feedback.dataset.tone = tone || "";
    feedback.textContent = text;
  }

  // Forget the current reader (Esc, or the idle timeout): the next pupil must scan their own card.
  function clearReader(text) {
    var reader = readerField();
    if (reader) { reader.value = ""; reader.dataset.name = ""; }
    var panel = document.getElementById("reader-panel");
    if (panel) { panel.innerHTML = ""; }
    var matches = document.getElementById("desk-matches");
    if (matches) { matches.innerHTML = ""; }
    if (text) { say(text, "warn"); }
  }

  function setMode(value, announce) {
    if (!mode) { return; }
    var before = mode.value;
    mode.value = value;
    var radio = document.getElementById(value === "return" ? "mode-return" : "mode-checkout");
    if (radio) { radio.checked = true; }
    document.body.classList.toggle("desk-return-mode", value === "return");
    if (code) { code.focus(); }
    if (!announce || !texts || before === value) { return; }
    var reader = readerField();
    var id = reader ? reader.value : "";
    if (value === "return") {
      say(id ? texts.dataset.returnKeeps.replace("%(name)s", reader.dataset.name || "") : texts.dataset.returnMode);
    } else if (id) {
      // Back to lending: show the reader who was there before the returns (the server says so).
      window.htmx.ajax("GET", texts.dataset.panelUrl.replace("/0/", "/" + id + "/") + "?resume=1", "#reader-panel");
    } else {
      var panel = document.getElementById("reader-panel");
      if (panel) { panel.innerHTML = ""; }
      say(texts.dataset.checkoutEmpty);
    }
  }

  document.querySelectorAll("input[name=mode-choice]").forEach(function (radio) {
    radio.addEventListener("change", function () { setMode(radio.value, true); });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "F2") { event.preventDefault(); setMode("checkout", true); }
    if (event.key === "F3") { event.preventDefault(); setMode("return", true); }
    if (event.key === "Escape") {
      clearReader(texts ? texts.dataset.cleared : "");
      if (code) { code.value = ""; code.focus(); }
    }
  });

  // The "new reader" timeout: N minutes after the last scan the panel and the reader are cleared
  // (typing does not count: a scanner types too). Checked
  // by a timer and again before every scan (a background tab's timers may be late).
  function idleCheck() {
    var reader = readerField();
    if (idleMs && reader && reader.value && Date.now() - lastActivity > idleMs) {
      clearReader(texts.dataset.idle);
      return true;
    }
    return false;
  }
  if (idleMs) { window.setInterval(idleCheck, 5000); }

  // Empty the field as soon as its value is in the request, not when the answer arrives: a scanner
  // may already be typing the next barcode then, and clearing would eat it.
  document.body.addEventListener("htmx:configRequest", function (event) {
    // Only the scan form's own requests (htmx.ajax calls come from <body>, which contains it too).
    var elt = event.detail.elt;
    if (!(code && elt && elt.tagName === "FORM" && elt.contains(code))) { return; }
    // A stray Enter on the empty field does nothing at all.
    var params = event.detail.parameters;
    var value = (params.get ? params.get("code") : params.code) || "";
    if (!String(value).trim()) {
      event.preventDefault();
      return;
    }
    if (idleCheck()) {
      if (params.set) { params.set("reader", ""); } else { params.reader = ""; }
    }
    lastActivity = Date.now();
    code.value = "";
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
  // 班级借阅: the class list is a grid of names. From the scanner field ↓ enters it; arrow keys
  // move between names (↑/↓ to the nearest name in the row above/below); Enter picks the pupil.
  var grid = document.getElementById("class-grid");
  if (grid) {
    grid.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(grid.querySelectorAll("button"));
      var i = buttons.indexOf(document.activeElement);
      if (i < 0) { return; }
      var next = null;
      if (event.key === "ArrowRight") { next = Math.min(i + 1, buttons.length - 1); }
      if (event.key === "ArrowLeft") { next = Math.max(i - 1, 0); }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        var dir = event.key === "ArrowDown" ? 1 : -1;
        var top = buttons[i].offsetTop;
        var left = buttons[i].offsetLeft;
        for (var j = i + dir; j >= 0 && j < buttons.length; j += dir) {
          if (buttons[j].offsetTop !== top && (dir > 0 ? buttons[j].offsetLeft >= left : buttons[j].offsetLeft <= left)) {
            next = j;
            break;
          }
        }
        if (next === null) { next = dir > 0 ? buttons.length - 1 : 0; }
      }
      if (next !== null) { event.preventDefault(); buttons[next].focus(); }
    });
    if (code) {
      code.addEventListener("keydown", function (event) {
        var first = grid.querySelector("button");
        if (event.key === "ArrowDown" && first && !code.value) { event.preventDefault(); first.focus(); }
      });
    }
  }

  if (mode) { setMode(mode.value, false); }
})();
