/* Check-in: camera scanning where the browser has BarcodeDetector. Progressive enhancement only:
   the page works without this file; a scan just fills the ticket-code field and submits the form. */
(function () {
  "use strict";
  var form = document.getElementById("checkin-code-form");
  var button = document.getElementById("checkin-scan");
  if (!form || !button || !("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var input = form.querySelector("input[name=ticket_code]");
  var panel = document.getElementById("checkin-camera");
  var video = document.getElementById("checkin-video");
  var status = document.getElementById("checkin-camera-status");
  var startLabel = button.textContent;
  var stream = null;
  var timer = null;
  var detector = null;

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) { return; }
    detector = new window.BarcodeDetector({ formats: ["qr_code", "code_128"].filter(function (f) {
      return formats.indexOf(f) !== -1;
    }) });
    button.hidden = false;
  }).catch(function () { /* no scanning; the form still works */ });

  function stop() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    panel.hidden = true;
    button.textContent = startLabel;
  }

  function scan() {
    if (!stream) { return; }
    detector.detect(video).then(function (codes) {
      if (codes.length && codes[0].rawValue) {
        var value = codes[0].rawValue.trim();
        stop();
        input.value = value;
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        return;
      }
      timer = window.setTimeout(scan, 250);
    }).catch(function () { timer = window.setTimeout(scan, 500); });
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); input.focus(); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        panel.hidden = false;
        button.textContent = button.getAttribute("data-stop-label");
        return video.play();
      })
      .then(scan)
      .catch(function () {
        stop();
        panel.hidden = false;
        status.textContent = status.getAttribute("data-unavailable");
        input.focus();
      });
  });
  window.addEventListener("pagehide", stop);
})();
