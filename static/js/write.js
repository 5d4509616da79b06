// The write page: task prompts, server-rendered preview, autosave to the server and a copy on
// this device, so nothing typed is lost to a reload, a lost connection or an expired session.
"use strict";

(() => {
  const form = document.getElementById("entry-form");
  if (!form) return;
  const status = document.getElementById("autosave-status");
  const keyField = form.elements.draft_key;
  if (!keyField.value) keyField.value = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).slice(0, 40);
  const storageKey = `ips-journal:writing:${location.pathname}`;
  const fields = ["task", "title", "body", "week"];
  const csrf = form.elements.csrfmiddlewaretoken.value;

  const values = () => Object.fromEntries(fields.map((name) => [name, form.elements[name] ? form.elements[name].value : ""]));
  const say = (text) => { status.textContent = text; };
  const timeNow = () => new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

  // Prompts follow the chosen task.
  const showPrompts = () => {
    const chosen = form.elements.task.value;
    document.querySelectorAll(".prompts[data-task]").forEach((section) => {
      section.hidden = Boolean(chosen) && section.dataset.task !== chosen;
    });
    const intro = document.querySelector(".prompts-panel__intro");
    if (intro) intro.hidden = Boolean(chosen);
  };
  form.addEventListener("change", (event) => { if (event.target.name === "task") showPrompts(); });
  showPrompts();

  // A copy on this device: restored after a reload when the server sent an empty form.
  const saved = (() => { try { return JSON.parse(localStorage.getItem(storageKey) || "null"); } catch { return null; } })();
  const pristine = !form.elements.body.value.trim();
  if (saved && saved.values && saved.values.body && pristine) {
    for (const name of fields) {
      const field = form.elements[name];
      if (!field || saved.values[name] === undefined) continue;
      if (field instanceof RadioNodeList) {
        for (const radio of field) radio.checked = radio.value === saved.values[name];
      } else {
        field.value = saved.values[name];
      }
    }
    if (saved.key) keyField.value = saved.key;
    showPrompts();
    say(form.dataset.msgRestored);
  }
  const keepLocally = () => {
    try { localStorage.setItem(storageKey, JSON.stringify({ key: keyField.value, values: values(), at: Date.now() })); } catch { /* storage full or off */ }
  };

  let timer = null;
  let lastSent = JSON.stringify(values());
  const autosave = async () => {
    const now = JSON.stringify(values());
    if (now === lastSent || !form.elements.body.value.trim()) return;
    const body = new FormData(form);
    if (form.dataset.entry) body.set("entry", form.dataset.entry);
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin", redirect: "manual",
      });
      if (response.ok) {
        lastSent = now;
        say(form.dataset.msgSaved.replace("%(time)s", timeNow()));
      } else {
        say(form.dataset.msgSignedOut);
      }
    } catch {
      say(form.dataset.msgOffline);
    }
  };
  form.addEventListener("input", () => {
    keepLocally();
    clearTimeout(timer);
    timer = setTimeout(autosave, 3000);
  });
  form.addEventListener("submit", () => { keepLocally(); });
  // The page that follows a successful save clears this copy (app.js, data-clear-writing).

  // Preview through the server's one rendering function.
  const previewButton = document.getElementById("preview-button");
  const preview = document.getElementById("preview");
  const previewBody = document.getElementById("preview-body");
  if (previewButton && preview) {
    previewButton.hidden = false;
    previewButton.addEventListener("click", async () => {
      if (!preview.hidden) {
        preview.hidden = true;
        previewButton.setAttribute("aria-expanded", "false");
        return;
      }
      const body = new FormData();
      body.set("body", form.elements.body.value);
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
      });
      // The response is our own sanitised HTML (one render function, allow-list).
      previewBody.innerHTML = response.ok ? await response.text() : "";
      preview.hidden = false;
      previewButton.setAttribute("aria-expanded", "true");
    });
  }
})();
