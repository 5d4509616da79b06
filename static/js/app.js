// Small progressive enhancements. Every page works without this file.
"use strict";

// Buttons with data-confirm ask before submitting their form (no inline handlers: strict CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// After a successful save the server says which form's copy on this device is now safe to drop.
document.querySelectorAll("[data-clear-writing]").forEach((message) => {
  try { localStorage.removeItem(`ips-journal:writing:${message.dataset.clearWriting}`); } catch { /* storage off */ }
});

