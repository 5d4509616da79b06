"""Anchoring notes to passages (W3C Web Annotation TextQuote + TextPosition selectors).

Offsets count what the page script counts: UTF-16 code units of the entry's rendered text —
what a reader sees, exactly as the browser's `textContent` of the entry body gives it. Python
counts code points instead, so an emoji (one code point, two UTF-16 units) would shift every
offset after it; `locate` and `quote_at` take and give UTF-16 offsets and convert inside, so the
page script and the server agree.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

CONTEXT = 32

# Characters outside the Basic Multilingual Plane: two UTF-16 code units each in JavaScript.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# The HTML parser drops one newline right after these start tags (HTML § 13.2.6.4.7).
_NEWLINE_EATERS = {"pre", "listing", "textarea"}


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._after_pre = False

    def handle_starttag(self, tag, attrs):
        self._after_pre = tag in _NEWLINE_EATERS

    def handle_endtag(self, tag):
        self._after_pre = False

    def handle_data(self, data):
        if self._after_pre and data.startswith("\n"):
            data = data[1:]
        self._after_pre = False
        self.parts.append(data)


def rendered_text(html):
    """The text content of sanitised HTML, as `element.textContent` would give it."""
    # The browser normalises line breaks before parsing (HTML § 13.2.3.5).
    html = html.replace("\r\n", "\n").replace("\r", "\n")
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


def utf16_offset(text, index):
    """The UTF-16 offset (what JavaScript counts) of code-point index `index` in text."""
    return index + len(_ASTRAL.findall(text, 0, index))


def code_point_index(text, offset):
    """The code-point index in text of UTF-16 offset `offset`, or None when the offset falls
    inside a surrogate pair (half an emoji) or outside the text."""
    if offset is None or offset < 0:
        return None
    astral_before = 0
    for match in _ASTRAL.finditer(text):
        unit = match.start() + astral_before  # where this character starts, in UTF-16 units
        if offset <= unit:
            break
        if offset == unit + 1:
            return None
        astral_before += 1
    index = offset - astral_before
    return index if index <= len(text) else None


@dataclass(frozen=True)
class Quote:
    exact: str
    prefix: str
    suffix: str
    start: int  # UTF-16 offsets, like the page script's
    end: int


def quote_at(text, start, end):
    """The selectors for the passage between UTF-16 offsets start and end, or None if the range
    is empty, out of bounds or splits a character."""
    begin, finish = code_point_index(text, start), code_point_index(text, end)
    if begin is None or finish is None or not begin < finish:
        return None
    return Quote(
        exact=text[begin:finish],
        prefix=text[max(0, begin - CONTEXT) : begin],
        suffix=text[finish : finish + CONTEXT],
        start=start,
        end=end,
    )


def _occurrences(text, needle):
    found, position = [], text.find(needle)
    while position != -1:
        found.append(position)
        position = text.find(needle, position + 1)
    return found


def locate(text, exact, prefix="", suffix="", start=None):
    """Where the quote is in text: (start, end) in UTF-16 offsets, or None if it cannot be found
    unambiguously. `start` is the recorded UTF-16 offset, if any.

    1. The recorded position still holds the exact quote with its context: keep it.
    2. The quote with its context occurs exactly once: there.
    3. The quote alone occurs exactly once: there.
    Otherwise None — the caller marks the note orphaned rather than guess another passage.
    """
    if not exact:
        return None
    length = len(exact)
    found = None
    at = code_point_index(text, start) if start is not None else None
    if at is not None and text[at : at + length] == exact:
        if text[:at].endswith(prefix) and text[at + length :].startswith(suffix):
            found = at
    if found is None:
        in_context = _occurrences(text, prefix + exact + suffix)
        if len(in_context) == 1:
            found = in_context[0] + len(prefix)
    if found is None:
        alone = _occurrences(text, exact)
        if len(alone) == 1:
            found = alone[0]
    if found is None:
        return None
    return utf16_offset(text, found), utf16_offset(text, found + length)
