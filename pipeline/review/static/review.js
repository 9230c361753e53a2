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
