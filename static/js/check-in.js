// The check-in desk (templates/meetings/registration/check_in.html). Scanners (USB or a phone
// app) type the token into the field and press Enter: the form posts through HTMX and the
// field is cleared for the next person. Where the browser has the BarcodeDetector API, a
// camera button scans QR codes directly; elsewhere the button stays hidden (progressive
// enhancement, no library). No inline script (CSP).
(() => {
  const form = document.querySelector("[data-check-in-form]");
  if (!form) {
    return;
  }
  const field = form.querySelector("[data-check-in-token]");
  const startButton = form.querySelector("[data-camera-start]");
  const stopButton = form.querySelector("[data-camera-stop]");
  const video = form.querySelector("[data-camera-view]");
  const status = form.querySelector("[data-camera-status]");
  const REPEAT_MS = 3000; // the same code held in front of the camera is sent once
  let stream = null;
  let timer = null;
  let last = { value: "", at: 0 };

  const ready = () => {
    field.value = "";
    field.focus();
  };

  form.addEventListener("htmx:afterRequest", ready);
  ready();

  const say = (text) => {
    status.textContent = text;
  };

  const stop = () => {
    if (timer) {
      window.clearInterval(timer);
      timer = null;
    }
    if (stream) {
      stream.getTracks().forEach((track) => track.stop());
      stream = null;
    }
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    say("");
    field.focus();
  };

  const send = (value) => {
    const now = Date.now();
    if (!value || (value === last.value && now - last.at < REPEAT_MS)) {
      return;
    }
    last = { value, at: now };
    field.value = value;
    form.requestSubmit();
  };

  const start = async (detector) => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" } },
        audio: false,
      });
    } catch (error) {
      say(`${status.dataset.cameraError || "Không mở được camera"}: ${error.name}`);
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    startButton.hidden = true;
    stopButton.hidden = false;
    await video.play();
    say(status.dataset.cameraReady || "Đưa mã QR vào khung hình.");
    timer = window.setInterval(async () => {
      if (video.readyState < 2) {
        return;
      }
      try {
        const codes = await detector.detect(video);
        if (codes.length) {
          send(codes[0].rawValue.trim());
        }
      } catch (error) {
        // A frame the detector could not read: try the next one.
      }
    }, 250);
  };

  const offerCamera = async () => {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return;
    }
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) {
      return;
    }
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    startButton.hidden = false;
    startButton.addEventListener("click", () => start(detector));
    stopButton.addEventListener("click", stop);
    window.addEventListener("pagehide", stop);
  };

  offerCamera();
})();
