"""Anchoring notes to passages (W3C Web Annotation TextQuote + TextPosition selectors).

Offsets count characters of the entry's rendered text — what a reader sees, exactly as the
browser's `textContent` of the entry body gives it — so the page script and the server agree.
"""

from dataclasses import dataclass
from html.parser import HTMLParser

CONTEXT = 32


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def rendered_text(html):
    """The text content of sanitised HTML, as `element.textContent` would give it."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


@dataclass(frozen=True)
class Quote:
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def quote_at(text, start, end):
    """The selectors for text[start:end], or None if the range is empty or out of bounds."""
    if not (0 <= start < end <= len(text)):
        return None
    return Quote(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
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
    """Where the quote is in text: (start, end), or None if it cannot be found unambiguously.

    1. The recorded position still holds the exact quote with its context: keep it.
    2. The quote with its context occurs exactly once: there.
    3. The quote alone occurs exactly once: there.
    Otherwise None — the caller marks the note orphaned rather than guess another passage.
    """
    if not exact:
        return None
    length = len(exact)
    if start is not None and text[start : start + length] == exact:
        if text[:start].endswith(prefix) and text[start + length :].startswith(suffix):
            return start, start + length
    in_context = _occurrences(text, prefix + exact + suffix)
    if len(in_context) == 1:
        begin = in_context[0] + len(prefix)
        return begin, begin + length
    alone = _occurrences(text, exact)
    if len(alone) == 1:
        return alone[0], alone[0] + length
    return None
