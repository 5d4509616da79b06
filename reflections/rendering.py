"""The one door for user text: Markdown in, safe HTML out.

Entries, notes, replies, review notes and previews all go through `render_markdown()`. Its result
is stored beside the Markdown source, and that stored field is the only user-derived HTML ever
marked safe; everything else a person typed is escaped by the templates.

Two walls, so that a hole in one is not a hole:

1. Python-Markdown treats HTML typed by the writer as text: `<b>`, `<script>`, `<3` and `<!-- -->`
   are shown exactly as typed, escaped. The only markup in its output is what its own syntax
   makes: paragraphs, emphasis, lists, quotes, headings, code, links.
2. bleach cleans that output against a small allow-list of tags, attributes and URL schemes. That
   catches what Markdown does let through, such as `[x](javascript:...)`.

Bleach 6.4 is its last release. It is imported here and nowhere else, so it can be replaced here.
"""

import html
import re
from functools import partial
from html.parser import HTMLParser

import markdown
from bleach.linkifier import LinkifyFilter
from bleach.sanitizer import Cleaner
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.nl2br import Nl2BrExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.treeprocessors import Treeprocessor

# Exactly what our Markdown set-up produces (see _JournalMarkdown), nothing that loads anything
# (no img, iframe, style, svg), no style or class attributes. No h1/h2: headings are moved down two
# levels so that a writer's "# Heading" sits under the page's own headings.
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "blockquote", "ul", "ol", "li", "code", "pre", "hr", "a"}
    | {"h3", "h4", "h5", "h6"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# noreferrer too: a link in a journal should not tell the other site which entry it was read in.
LINK_REL = "nofollow noopener noreferrer"

# Bare URLs in prose become links, only with http(s):// in front. bleach's own pattern also links
# words that end in a country code, and journal typos like "tired.so" or "felt.it" would be links.
# (No leading "\(*" as bleach has: on a long run of "(" that backtracks quadratically.)
_BARE_URL_RE = re.compile(r"""\bhttps?://(?:[\w-]+\.)+[\w-]+(?::[0-9]+)?(?:[/?#][^\s{}|\\^`<>"]*)?""", re.I)

# Python-Markdown and bleach have superlinear corners (Python-Markdown#798 and friends): a paragraph
# of 8 000 "[" takes ~18 s, 50 kB of "a\n=\n" over a minute, a list of 10 000 items half a minute in
# bleach. Text whose estimated work (see _work) is past this budget is shown as plain escaped
# paragraphs instead, in milliseconds. Real writing is far below it: a 30 kB entry typed without a
# single blank line scores about 1e8, 100 kB of ordinary paragraphs and lists about 4e7.
_WORK_BUDGET = 500_000_000
# Past the longest entry the form accepts, no Markdown: the preview endpoint takes any POST body.
_MAX_MARKDOWN_CHARS = 100_000
# bleach spends ~25 µs on each character reference; every "<", ">" and "&" typed becomes one.
_MAX_CHAR_REFERENCES = 20_000

_BLOCK_SPLIT_RE = re.compile(r"\n[ \t]*\n")
_INLINE_MARK_RE = re.compile(r"[*_`\\<>&![\n]")
_BRACKET_RE = re.compile(r"[][()]")
# A token that may open a list item or quote, or a line that may be a heading, rule or fence.
_BLOCK_MARK_RE = re.compile(
    r"(?:^|[ \t])(?:[*+-]|\d{1,9}[.)]|>)(?=[ \t]|$)|^[ \t]*(?:#|=+[ \t]*$|[-*_~`]{3})", re.MULTILINE
)
_FENCE_RE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)


def _bracket_scan(block):
    """How far Markdown's link parser walks, character by character, to close each "[" and "("."""
    opened = {"[": [], "(": []}
    walked = 0
    for match in _BRACKET_RE.finditer(block):
        char, position = match.group(), match.start()
        if char in opened:
            opened[char].append(position)
        elif stack := opened["[" if char == "]" else "("]:
            walked += position - stack.pop()
    # Never closed: the walk goes on to the end of the block.
    return walked + sum(len(block) - position for stack in opened.values() for position in stack)


def _work(text):
    """A rough count of the steps rendering will take, to refuse pathological input cheaply.

    - Inline parsing copies a block once per piece of markup in it, and walks from each "[" to its
      "]" in a slow Python loop.
    - Block parsing re-splits a block once per heading, list item or quote marker in it.
    - The fenced-code pass re-reads the whole text once per fence.
    - bleach's tree walker pays, for each list item or quoted paragraph, the length of its list.
    """
    block_marks = len(_BLOCK_MARK_RE.findall(text))
    work = 60 * block_marks**2 + len(_FENCE_RE.findall(text)) * len(text)
    for block in _BLOCK_SPLIT_RE.split(text):
        marks = len(_INLINE_MARK_RE.findall(block)) + 10 * len(_BLOCK_MARK_RE.findall(block))
        work += marks * len(block) + 1000 * _bracket_scan(block)
    return work


_RUN_BREAK_TAG = "ips-run-break"
_RUN_BREAK = f"<{_RUN_BREAK_TAG}></{_RUN_BREAK_TAG}>"


class _TamedTree(Treeprocessor):
    """Moves headings down two levels, turns images into links, and marks runs of blocks.

    No images: an <img> loads as soon as the page is shown, which tells a foreign server the
    reader's IP address, browser and the moment they read the entry. `![alt](url)` becomes a link
    to the image with the alt text (or the URL) as its text; inside a link it is just the alt text.
    """

    GROUP = 100

    def run(self, root):
        parents = {child: parent for parent in root.iter() for child in parent}
        for el in list(root.iter()):
            if el.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                el.tag = f"h{min(int(el.tag[1]) + 2, 6)}"
            elif el.tag == "img":
                self._image_to_text_or_link(el, parents)
        # bleach's tree walker finds an element's parent's next sibling with list.index(), so 10 000
        # top-level blocks take it minutes. A marker between runs of blocks lets _clean() clean
        # each run on its own. Writers cannot type it: their "<" is escaped.
        children = list(root)
        for position in range(len(children) - self.GROUP, 0, -self.GROUP):
            root.insert(position, root.makeelement(_RUN_BREAK_TAG, {}))

    @staticmethod
    def _image_to_text_or_link(img, parents):
        src, alt, title = img.get("src", ""), img.get("alt", ""), img.get("title")
        ancestor = parents.get(img)
        while ancestor is not None and ancestor.tag != "a":
            ancestor = parents.get(ancestor)
        img.attrib.clear()
        if ancestor is None:
            img.tag, img.text = "a", alt or src
            img.set("href", src)
            if title:
                img.set("title", title)
        else:
            # A link cannot hold a link. ElementTree has no bare text node; bleach drops this
            # unknown tag and keeps its text.
            img.tag, img.text = "span", alt


class _JournalMarkdown(Extension):
    def extendMarkdown(self, md):
        # Raw HTML is text: without these two, Markdown copies "<tags>" through untouched.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_TamedTree(md), "ips_tamed_tree", 0)


def _markdown_to_html(text):
    return markdown.markdown(
        text,
        extensions=[
            # Keeps a pasted message or poem exactly as laid out, in a code block.
            FencedCodeExtension(),
            # "3." starts a list at 3; a bullet list right after a numbered one stays separate.
            SaneListExtension(),
            # Enter makes a new line, as in every other text box; "two trailing spaces" is
            # invisible, and nobody writing a reflection should need to know it.
            Nl2BrExtension(),
            _JournalMarkdown(),
        ],
        # Left out on purpose: tables (prose rarely needs them; they bring style attributes),
        # attr_list (lets writers set attributes), footnotes (ids that can clash with the page's
        # own), md_in_html (needs raw HTML), smarty (changes the characters typed, which
        # annotations quote).
    )


def _link_attributes(attrs, new=False):
    """Every link gets rel; a link whose URL bleach refused loses its <a> and keeps its text."""
    if not attrs.get((None, "href")):
        return None
    attrs[(None, "rel")] = LINK_REL
    return attrs


def _clean(fragment):
    # A Cleaner keeps parser state and is not thread-safe; making one costs far less than a render.
    cleaner = Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        # Markdown has already escaped everything the writer typed as HTML, so a tag refused here
        # is one Markdown made (the image-in-link <span>): drop it, keep its text.
        strip=True,
        strip_comments=True,
        # Runs after the sanitiser: adds rel to every link and links bare http(s) URLs.
        filters=[
            partial(
                LinkifyFilter, callbacks=[_link_attributes], skip_tags={"pre", "code"}, url_re=_BARE_URL_RE
            )
        ],
    )
    return cleaner.clean(fragment)


def _plain_paragraphs(text):
    """Escaped text in paragraphs and lines: for input too costly to parse as Markdown."""
    paragraphs = []
    for block in _BLOCK_SPLIT_RE.split(text):
        if block.strip():
            lines = html.escape(block.strip("\n")).split("\n")
            paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(paragraphs)


def render_markdown(text: str) -> str:
    """Render a person's Markdown as HTML that is safe to show to anyone.

    Store the result and mark only that stored value safe; never mark the source safe.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    if not text.strip():
        return ""
    if (
        len(text) > _MAX_MARKDOWN_CHARS
        or text.count("<") + text.count(">") + text.count("&") > _MAX_CHAR_REFERENCES
        or _work(text) > _WORK_BUDGET
    ):
        return _plain_paragraphs(text)
    try:
        produced = _markdown_to_html(text)
        # Each run is a sequence of whole top-level elements, and bleach returns each balanced and
        # cleaned, so the joined runs are exactly as safe as one cleaned document.
        return "".join(_clean(run) for run in produced.split(_RUN_BREAK))
    except RecursionError:
        # Lists nested a few hundred deep exhaust Python's stack inside Markdown's block parser.
        return _plain_paragraphs(text)


class _TextOnly(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self.parts.append(" ")


def render_plain_excerpt(text: str, length: int = 200) -> str:
    """The start of a person's Markdown as plain text (no markup), for lists and emails.

    Returns text, not HTML: the template escapes it like any other string.
    """
    parser = _TextOnly()
    # Only the start is needed; a bounded prefix keeps long entries cheap on list pages.
    parser.feed(render_markdown(text[: max(length * 8, 2000)]))
    parser.close()
    plain = " ".join("".join(parser.parts).split())
    if len(plain) <= length:
        return plain
    cut = plain[: length - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"
