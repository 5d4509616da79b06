"""Highlighting that cannot inject markup: the text is escaped first, then matches are marked.

Nothing here ever marks a person's text safe as it is. PostgreSQL's ts_headline() is asked to
wrap matches in two private-use characters (which the index strips from every document, so no
writer can type them); the fragment is escaped and only then are those characters turned into
<mark> and </mark>.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

START, STOP = "\ue000", "\ue001"
_SENTINELS = re.compile(f"[{START}{STOP}]")
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")


def strip_sentinels(text):
    return _SENTINELS.sub("", text)


def from_sentinels(text):
    """A ts_headline() fragment made with START/STOP: escaped, with matches in <mark>."""
    escaped = escape(text)
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(strip_sentinels(marked))  # noqa: S308 - escaped above, only <mark> added


def _pattern(needles):
    needles = sorted({n for n in needles if n}, key=len, reverse=True)
    if not needles:
        return None
    return re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)


def mark(text, needles):
    """The whole text, escaped, with every case-insensitive occurrence of a needle in <mark>."""
    pattern = _pattern(needles)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped


def snippet(text, needles, width=260):
    """About `width` characters around the first match (or the start), on word boundaries, marked."""
    text = " ".join(text.split())
    pattern = _pattern(needles)
    found = pattern.search(text) if pattern else None
    if len(text) <= width:
        return mark(text, needles)
    start = 0
    if found and found.start() > width // 3:
        start = found.start() - width // 3
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + width)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    piece = mark(text[start:end], needles)
    return mark_safe(("… " if start else "") + piece + (" …" if end < len(text) else ""))  # noqa: S308
