// The community map with JavaScript: zoom buttons, dragging to pan, arrow keys to pan, and
// a pin that gets keyboard focus is brought into view. Without this file the map still
// shows everything; nothing here is needed to take part.
(function () {
  "use strict";
  var frame = document.querySelector(".map-frame[data-zoom-in]");
  if (!frame) { return; }
  var svg = frame.querySelector("svg.map");
  var full = svg.viewBox.baseVal;
  var whole = { x: full.x, y: full.y, w: full.width, h: full.height };
  var view = { x: whole.x, y: whole.y, w: whole.w, h: whole.h };

  function show() {
    var most = { w: whole.w, h: whole.h };
    view.w = Math.min(view.w, most.w);
    view.h = Math.min(view.h, most.h);
    view.x = Math.max(whole.x, Math.min(view.x, whole.x + whole.w - view.w));
    view.y = Math.max(whole.y, Math.min(view.y, whole.y + whole.h - view.h));
    svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
  }
  function zoom(factor) {
    var cx = view.x + view.w / 2, cy = view.y + view.h / 2;
    view.w = Math.max(whole.w / 8, view.w * factor);
    view.h = Math.max(whole.h / 8, view.h * factor);
    view.x = cx - view.w / 2;
    view.y = cy - view.h / 2;
    show();
  }
  function button(label, text, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", action);
    return b;
  }
  var tools = document.createElement("div");
  tools.className = "map-tools";
  tools.appendChild(button(frame.dataset.zoomIn, "+", function () { zoom(0.6); }));
  tools.appendChild(button(frame.dataset.zoomOut, "\u2212", function () { zoom(1 / 0.6); }));
  tools.appendChild(button(frame.dataset.showAll, frame.dataset.showAll, function () {
    view = { x: whole.x, y: whole.y, w: whole.w, h: whole.h };
    show();
  }));
  frame.parentNode.insertBefore(tools, frame);
  frame.classList.add("pannable");

  // Dragging pans the map; a drag does not follow the link it started on.
  var start = null, moved = false;
  svg.addEventListener("pointerdown", function (e) {
    start = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
    moved = false;
  });
  window.addEventListener("pointermove", function (e) {
    if (!start) { return; }
    var scale = view.w / svg.getBoundingClientRect().width;
    if (Math.abs(e.clientX - start.x) + Math.abs(e.clientY - start.y) > 4) { moved = true; }
    view.x = start.vx - (e.clientX - start.x) * scale;
    view.y = start.vy - (e.clientY - start.y) * scale;
    show();
  });
  window.addEventListener("pointerup", function () { start = null; });
  svg.addEventListener("click", function (e) { if (moved) { e.preventDefault(); } }, true);

  // Arrow keys pan while a pin has focus; Tab to a pin out of view brings it in.
  svg.addEventListener("keydown", function (e) {
    var step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (!step) { return; }
    view.x += step[0] * view.w / 5;
    view.y += step[1] * view.h / 5;
    show();
    e.preventDefault();
  });
  svg.addEventListener("focusin", function (e) {
    var pin = e.target.closest ? e.target.closest("a.pin") : null;
    if (!pin) { return; }
    var box = pin.getBBox();
    var inside = box.x >= view.x && box.y >= view.y &&
      box.x + box.width <= view.x + view.w && box.y + box.height <= view.y + view.h;
    if (!inside) {
      view.x = box.x + box.width / 2 - view.w / 2;
      view.y = box.y + box.height / 2 - view.h / 2;
      show();
    }
  });
}());
