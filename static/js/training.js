// The training journal's printable page: a button that opens the print dialogue (no inline
// handlers: strict CSP). Without JavaScript the button stays hidden; the browser's own Print works.
"use strict";

document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
