/* The room screen of a check-in: reload when the code rotates, so the QR code on the screen is
 * always the current one (the server accepts the current and the previous code). */
"use strict";
(function () {
  const screen = document.getElementById("checkin-screen");
  if (!screen) return;
  const seconds = parseInt(screen.dataset.refreshSeconds, 10) || 60;
  window.setTimeout(function () { window.location.reload(); }, (seconds + 1) * 1000);
})();
