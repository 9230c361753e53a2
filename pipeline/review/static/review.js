// chart2fhir review: keyboard shortcuts and the page-in-context image. No inline script
// (the Content-Security-Policy allows only this file).
"use strict";

function typing(event) {
  const t = event.target;
  return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
}

function submit(id) {
  const button = document.getElementById(id);
  if (button) { button.click(); return true; }
  return false;
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (typing(event)) {
    if (event.key === "Escape") event.target.blur();
    return;
  }
  const item = document.querySelector(".item");
  let handled = false;
  switch (event.key) {
    case "a": handled = submit("accept"); break;
    case "r": handled = submit("reject"); break;
    case "c": {
      const field = document.querySelector("#correct-form input:not([type=hidden])");
      if (field) { field.focus(); handled = true; }
      break;
    }
    case "n": {
      const after = item ? `?after=${item.dataset.item}` : "";
      window.location.href = `/next${after}`;
      handled = true;
      break;
    }
    case "p": {
      const context = document.getElementById("context");
      if (context) { context.open = !context.open; handled = true; }
      break;
    }
    case "q": window.location.href = "/queue"; handled = true; break;
  }
  if (handled) event.preventDefault();
});

// The page image loads when its panel is opened, not with every item view.
document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (!(details instanceof HTMLDetailsElement) || !details.open) return;
  for (const img of details.querySelectorAll("img[data-src]")) {
    img.src = img.dataset.src;
    img.removeAttribute("data-src");
  }
}, true);

// Redaction review: boxes are placed over the page image in its own pixels (OCR's), and a
// drag on the image adds one (a hidden "add" input per new box).
function placeBoxes(root) {
  const img = root.querySelector("img");
  const scale = img.clientWidth / Number(root.dataset.width);
  for (const box of root.querySelectorAll(".box")) {
    const [x0, y0, x1, y1] = box.dataset.box.split(",").map(Number);
    box.style.left = `${x0 * scale}px`;
    box.style.top = `${y0 * scale}px`;
    box.style.width = `${(x1 - x0) * scale}px`;
    box.style.height = `${(y1 - y0) * scale}px`;
  }
}

function setUpRedaction() {
  const root = document.getElementById("redaction");
  if (!root) return;
  const img = root.querySelector("img");
  const form = document.getElementById("redaction-form");
  const place = () => placeBoxes(root);
  if (img.complete) place(); else img.addEventListener("load", place);
  window.addEventListener("resize", place);
  let start = null;
  let drawn = null;
  const point = (event) => {
    const r = img.getBoundingClientRect();
    const scale = Number(root.dataset.width) / img.clientWidth;
    return [Math.round((event.clientX - r.left) * scale), Math.round((event.clientY - r.top) * scale)];
  };
  img.addEventListener("mousedown", (event) => {
    event.preventDefault();
    start = point(event);
    drawn = document.createElement("span");
    drawn.className = "box new";
    root.appendChild(drawn);
  });
  window.addEventListener("mousemove", (event) => {
    if (!start) return;
    const [x, y] = point(event);
    drawn.dataset.box = [Math.min(start[0], x), Math.min(start[1], y), Math.max(start[0], x), Math.max(start[1], y)].join(",");
    place();
  });
  window.addEventListener("mouseup", () => {
    if (!start) return;
    start = null;
    const [x0, y0, x1, y1] = (drawn.dataset.box || "0,0,0,0").split(",").map(Number);
    if (x1 - x0 < 4 || y1 - y0 < 4) { drawn.remove(); return; }
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "add";
    input.value = drawn.dataset.box;
    form.appendChild(input);
  });
}

document.addEventListener("DOMContentLoaded", setUpRedaction);
