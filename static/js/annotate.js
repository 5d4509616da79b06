// The entry page: highlight annotated passages and let a reader note a selected passage.
// Offsets count characters of the entry body's textContent — the same text the server uses.
"use strict";

(() => {
  const body = document.getElementById("entry-body");
  if (!body) return;
  const CONTEXT = 32;

  // Map a text offset to a (node, offset) position inside `root`.
  const textNodes = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    return nodes;
  };

  const highlight = (start, end, noteId) => {
    let position = 0;
    for (const node of textNodes(body)) {
      const nodeStart = position;
      const nodeEnd = position + node.data.length;
      position = nodeEnd;
      if (nodeEnd <= start || nodeStart >= end || !node.data.length) continue;
      const from = Math.max(start, nodeStart) - nodeStart;
      const to = Math.min(end, nodeEnd) - nodeStart;
      if (!node.data.slice(from, to).trim()) continue;
      const range = document.createRange();
      range.setStart(node, from);
      range.setEnd(node, to);
      const mark = document.createElement("mark");
      mark.className = "note-mark";
      mark.dataset.note = noteId;
      range.surroundContents(mark);
    }
  };

  // Highlight from the last passage to the first so earlier offsets stay valid.
  const anchored = [...document.querySelectorAll(".note[data-start]")]
    .map((li) => ({ id: li.id.replace("note-", ""), start: Number(li.dataset.start), end: Number(li.dataset.end), li }))
    .sort((a, b) => b.start - a.start);
  for (const note of anchored) {
    if (body.textContent.slice(note.start, note.end) === note.li.dataset.exact) highlight(note.start, note.end, note.id);
  }
  body.addEventListener("click", (event) => {
    const mark = event.target.closest(".note-mark");
    if (!mark) return;
    const note = document.getElementById(`note-${mark.dataset.note}`);
    if (note) { note.scrollIntoView({ block: "nearest" }); note.classList.add("is-focused"); note.setAttribute("tabindex", "-1"); note.focus(); }
  });
  document.querySelectorAll(".note__jump").forEach((link) => {
    link.addEventListener("click", (event) => {
      const mark = body.querySelector(`.note-mark[data-note="${link.dataset.note}"]`);
      if (!mark) return;
      event.preventDefault();
      mark.scrollIntoView({ block: "center" });
      mark.setAttribute("tabindex", "-1");
      mark.focus();
    });
  });

  // Selecting a passage to annotate.
  const tools = document.getElementById("annotate-tools");
  const form = document.getElementById("note-form");
  if (!tools || !form) return;
  tools.hidden = false;
  const button = document.getElementById("annotate-selection");
  const quote = document.getElementById("note-form-quote");
  const title = document.getElementById("note-form-title");
  const clear = document.getElementById("note-form-clear");
  const wholeTitle = title.textContent;

  const offsetOf = (container, offset) => {
    const range = document.createRange();
    range.selectNodeContents(body);
    range.setEnd(container, offset);
    return range.toString().length;
  };
  const isLowSurrogate = (code) => code >= 0xdc00 && code <= 0xdfff;
  const currentSelection = () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    const range = selection.getRangeAt(0);
    if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) return null;
    let start = offsetOf(range.startContainer, range.startOffset);
    let end = offsetOf(range.endContainer, range.endOffset);
    const text = body.textContent;
    // Trim surrounding white space so the quote is what the reader meant.
    while (start < end && /\s/.test(text[start])) start += 1;
    while (end > start && /\s/.test(text[end - 1])) end -= 1;
    if (start >= end) return null;
    // Offsets are UTF-16 code units, as the server counts them too (reflections/anchoring.py).
    // The context must not cut an emoji in half: a lone surrogate would arrive as U+FFFD.
    let from = Math.max(0, start - CONTEXT);
    if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from += 1;
    let to = Math.min(text.length, end + CONTEXT);
    if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to -= 1;
    return { start, end, exact: text.slice(start, end), prefix: text.slice(from, start), suffix: text.slice(end, to) };
  };
  document.addEventListener("selectionchange", () => { button.disabled = !currentSelection(); });

  const setSelector = (selector) => {
    for (const name of ["exact", "prefix", "suffix", "start", "end"]) form.elements[name].value = selector ? selector[name] : "";
    quote.hidden = !selector;
    quote.textContent = selector ? selector.exact : "";
    clear.hidden = !selector;
    title.textContent = selector ? form.dataset.passageTitle : wholeTitle;
  };
  button.addEventListener("click", () => {
    const selector = currentSelection();
    if (!selector) return;
    setSelector(selector);
    form.elements.body.focus();
  });
  clear.addEventListener("click", () => { setSelector(null); form.elements.body.focus(); });
})();
