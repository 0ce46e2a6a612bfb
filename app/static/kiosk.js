// Kiosk form (survey/kiosk.html): start again for the next citizen only after real inactivity. Allowed by its
// sha256 hash in the Content-Security-Policy of kiosk pages only (app/security.py): keep it ASCII.
(function () {
  var box = document.getElementById("kiosk");
  var dialog = document.getElementById("kiosk-warning");
  var shown = document.getElementById("kiosk-seconds");
  var href = document.getElementById("kiosk-restart").href;
  var idle = Math.max(Number(box.getAttribute("data-idle")), 1) * 1000;
  var warn = Math.min(Math.max(Number(box.getAttribute("data-warn")), 0) * 1000, idle);
  var touched = false, warning = false, opening = false, timer = 0, tick = 0, due = 0;
  // A form shown again with answers (after a language switch or an error) has something to lose from the start.
  var fields = document.querySelectorAll("input, select, textarea");
  for (var j = 0; j < fields.length; j++) {
    var f = fields[j];
    if (f.type === "radio" || f.type === "checkbox" ? f.checked : f.type !== "hidden" && f.value) touched = true;
  }

  function restart() {
    location.replace(href);
  }
  function countdown() {
    shown.textContent = Math.max(0, Math.ceil((due - Date.now()) / 1000));
  }
  function stop() {
    clearTimeout(timer);
    clearInterval(tick);
  }
  function schedule() {
    stop();
    // A form nobody touched since it loaded has nothing to lose: it is renewed without a warning.
    timer = touched && warn ? setTimeout(warnNow, idle - warn) : setTimeout(restart, idle);
  }
  function warnNow() {
    warning = true;
    due = Date.now() + warn;
    countdown();
    tick = setInterval(countdown, 1000);
    timer = setTimeout(restart, warn);
    if (!dialog.open) {
      // Opening it moves the focus to its button: the focusin, and the change of a text box left, are not the
      // citizen coming back.
      opening = true;
      if (dialog.showModal) dialog.showModal();
      else dialog.setAttribute("open", "");
      opening = false;
    }
  }
  function close() {
    warning = false;
    if (dialog.close) dialog.close();
    else dialog.removeAttribute("open");
  }
  function activity(event) {
    var type = event.type;
    if (opening) return;
    if (warning) {
      // Only a touch, a key or a click answers the warning (the focus is inside it, the page behind it is inert).
      if (type === "focusin" || type === "scroll") return;
      // A finger on the screen holds the reset; the warning closes at the end of the tap (the click still hits
      // the warning, never an answer underneath it).
      if (type !== "pointerdown" && type !== "touchstart") close();
    }
    touched = true;
    schedule();
  }
  var types = ["input", "change", "keydown", "pointerdown", "touchstart", "scroll", "focusin", "click"];
  for (var i = 0; i < types.length; i++) {
    document.addEventListener(types[i], activity, { capture: true, passive: true });
  }
  dialog.addEventListener("cancel", function () {
    warning = false;
  });
  schedule();
})();
