// The drawn signature on the signing page: a canvas for finger, pen or mouse. The drawing goes into the
// hidden field drawn_signature as a PNG data URL; without JavaScript the typed name is the signature.
(function () {
  "use strict";
  var pad = document.querySelector("[data-signature-pad]");
  if (!pad) { return; }
  var canvas = pad.querySelector("canvas");
  var field = pad.querySelector("input[name=drawn_signature]");
  var clear = pad.querySelector("[data-clear-signature]");
  var context = canvas.getContext("2d");
  var drawing = false;
  var drawn = false;
  pad.hidden = false;
  context.lineWidth = 3;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#1d2a6b";

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return {
      x: (event.clientX - box.left) * (canvas.width / box.width),
      y: (event.clientY - box.top) * (canvas.height / box.height)
    };
  }

  function start(event) {
    event.preventDefault();
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    var p = point(event);
    context.beginPath();
    context.moveTo(p.x, p.y);
    context.lineTo(p.x + 0.1, p.y + 0.1);
    context.stroke();
  }

  function move(event) {
    if (!drawing) { return; }
    event.preventDefault();
    var p = point(event);
    context.lineTo(p.x, p.y);
    context.stroke();
    drawn = true;
  }

  function end() {
    if (!drawing) { return; }
    drawing = false;
    if (drawn) { field.value = canvas.toDataURL("image/png"); }
  }

  canvas.addEventListener("pointerdown", start);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.addEventListener("pointerleave", end);
  clear.addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
    field.value = "";
    drawn = false;
  });
})();
