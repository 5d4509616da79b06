"""The one door for user text: ordinary journaling Markdown renders well, hostile text renders inert.

The hostile corpus lives in hostile_inputs.py; tests/browser/test_hostile_rendering.py shows the
same renderings in a real Chromium.
"""

import re
import time
from html.parser import HTMLParser

import pytest

from reflections import rendering
from reflections.rendering import LINK_REL, render_markdown, render_plain_excerpt
from tests.reflections.hostile_inputs import HOSTILE_INPUTS, LONG_INPUTS

ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
# Generous: these machines run several test suites at once. Unloaded, the slowest is under 0.5 s.
SECONDS = 5

JOURNAL = """\
# What I noticed

On Tuesday Sam and I made tea. I *noticed* I stopped watching the clock,
and then I **really** listened.

> "It felt like you were actually there."

- what I did: stayed quiet
- what I'd try: say what I see

3. ask about the allotment
4. ask about home

Notes from training: https://ok.example/ips/day-2 and [my last entry](https://ok.example/e/12).
"""


class _Elements(HTMLParser):
    """Every element, attribute (entities decoded, as a browser reads them) and comment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.comments, self.declarations = [], [], []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        self.declarations.append(decl)

    def handle_pi(self, data):
        self.declarations.append(data)

    unknown_decl = handle_decl


def elements(html):
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def url_scheme(url):
    """The scheme a browser would see (WHATWG URL: trim C0 and space, drop tabs and newlines)."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(0x21)))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    return match.group(1).lower() if match else None


def assert_safe(html):
    parsed = elements(html)
    for tag, attrs in parsed.elements:
        assert tag in rendering.ALLOWED_TAGS, f"<{tag}> survived in {html[:300]!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name}= survived on <{tag}>"
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()), f"{name}= survived on <{tag}>"
            if name == "href":
                assert url_scheme(value) in ALLOWED_SCHEMES | {None}, f"href={value!r} survived"
        if tag == "a":
            assert dict(attrs).get("rel") == LINK_REL
            assert dict(attrs).get("href"), "a link without a URL should have been unwrapped"
    assert not parsed.comments and not parsed.declarations
    lowered = html.lower()
    for needle in ("<script", "<style", "<iframe", "<svg", "<math", "<img", "<object", "<embed", "<form"):
        assert needle not in lowered
    for tag in re.findall(r"<[^>]*>", lowered):
        unquoted = re.sub(r'"[^"]*"', '""', tag)
        assert not re.search(r"[\s/]on[a-z]+\s*=", unquoted), f"an on*= attribute in {tag}"


@pytest.mark.parametrize(
    "unsafe",
    [
        '<p onclick="x()">a</p>',
        '<p/onclick="x()">a</p>',
        f'<a href="javascript:x()" rel="{LINK_REL}">a</a>',
        f'<a href=" java&#x09;script:x()" rel="{LINK_REL}">a</a>',
        f'<a href="&#106;avascript:x()" rel="{LINK_REL}">a</a>',
        f'<a href="data:text/html,x" rel="{LINK_REL}">a</a>',
        '<a href="https://ok.example/">no rel</a>',
        '<p style="color: red">a</p>',
        "<img src=x>",
        "<svg></svg>",
        "<p>a</p><!-- hidden -->",
    ],
)
def test_the_safety_check_itself_catches_unsafe_html(unsafe):
    with pytest.raises(AssertionError):
        assert_safe(unsafe)


def tags(html):
    return [tag for tag, _ in elements(html).elements]


def links(html):
    return [dict(attrs) for tag, attrs in elements(html).elements if tag == "a"]


# --- Ordinary journaling ------------------------------------------------------------------------


def test_it_renders_a_journal_entry():
    html = render_markdown(JOURNAL)

    assert "<h3>What I noticed</h3>" in html
    assert "<em>noticed</em>" in html and "<strong>really</strong>" in html
    assert "clock,<br>\nand then" in html
    assert '<blockquote>\n<p>"It felt like you were actually there."</p>\n</blockquote>' in html
    assert "<ul>\n<li>what I did: stayed quiet</li>" in html
    assert '<ol start="3">\n<li>ask about the allotment</li>' in html
    assert links(html) == [
        {"href": "https://ok.example/ips/day-2", "rel": LINK_REL},
        {"href": "https://ok.example/e/12", "rel": LINK_REL},
    ]
    assert_safe(html)


def test_paragraphs_and_single_line_breaks():
    html = render_markdown("First line\nsecond line\n\nNew paragraph")

    assert html == "<p>First line<br>\nsecond line</p>\n<p>New paragraph</p>"


def test_windows_and_old_mac_line_endings_read_the_same():
    assert render_markdown("a\r\nb\r\n\r\nc") == render_markdown("a\nb\n\nc") == render_markdown("a\rb\r\rc")


def test_headings_move_down_two_levels():
    html = render_markdown("# one\n\n## two\n\n### three\n\n#### four\n\n###### six")

    assert tags(html) == ["h3", "h4", "h5", "h6", "h6"]


def test_fenced_code_keeps_what_was_typed():
    html = render_markdown("```\nShe said: <stop> & *wait*\n  indented https://ok.example\n```")

    assert html == (
        "<pre><code>She said: &lt;stop&gt; &amp; *wait*\n  indented https://ok.example\n</code></pre>"
    )


def test_inline_code():
    assert render_markdown("use `<b>` here") == "<p>use <code>&lt;b&gt;</code> here</p>"


def test_every_link_gets_rel_nofollow_noopener_noreferrer():
    html = render_markdown(
        '[a](https://ok.example/a "A title") <https://ok.example/b> https://ok.example/c '
        "<someone@ok.example> [d](/entries/1/) [e](#notes)"
    )

    found = links(html)
    assert [link["rel"] for link in found] == [LINK_REL] * 6
    assert found[0] == {"href": "https://ok.example/a", "title": "A title", "rel": LINK_REL}
    assert found[3]["href"] == "mailto:someone@ok.example"
    assert [link["href"] for link in found[4:]] == ["/entries/1/", "#notes"]
    assert "target" not in html


def test_bare_urls_become_links_only_with_a_scheme():
    html = render_markdown("I was tired.so I felt.it — see ok.example or https://ok.example/p.")

    assert links(html) == [{"href": "https://ok.example/p", "rel": LINK_REL}]
    assert html.endswith("</a>.</p>")


def test_urls_in_code_stay_text():
    assert "<a" not in render_markdown("`https://ok.example`\n\n```\nhttps://ok.example\n```")


def test_typed_html_is_shown_as_typed():
    html = render_markdown("I <3 our talks & felt <angry> at first. <b>bold?</b> <!-- note -->")

    assert html == (
        "<p>I &lt;3 our talks &amp; felt &lt;angry&gt; at first. &lt;b&gt;bold?&lt;/b&gt; "
        "&lt;!-- note --&gt;</p>"
    )


def test_entities_work_as_in_markdown():
    assert render_markdown("caf&eacute; &amp; tea &#9749;") == "<p>caf&eacute; &amp; tea &#9749;</p>"


def test_images_become_links_so_nothing_loads():
    html = render_markdown(
        '![our garden](https://ok.example/garden.jpg "In May") ![](https://ok.example/x.png)'
    )

    assert "<img" not in html
    assert links(html) == [
        {"href": "https://ok.example/garden.jpg", "title": "In May", "rel": LINK_REL},
        {"href": "https://ok.example/x.png", "rel": LINK_REL},
    ]
    assert ">our garden</a>" in html and ">https://ok.example/x.png</a>" in html


def test_an_image_inside_a_link_becomes_its_alt_text():
    html = render_markdown("[![the garden](https://ok.example/g.jpg)](https://ok.example/)")

    assert html == f'<p><a href="https://ok.example/" rel="{LINK_REL}">the garden</a></p>'


def test_a_refused_link_keeps_its_words():
    assert render_markdown("[my words](javascript:alert(1)) stay") == "<p>my words stay</p>"
    assert render_markdown("[ftp](ftp://ok.example/f)") == "<p>ftp</p>"


def test_extensions_left_out_stay_text():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1]\n\n[^1]: note\n\n# T {: #id .c }")

    assert "<table" not in html and "<sup" not in html
    assert "id=" not in html and "class=" not in html
    assert "{: #id .c }" in html


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n"])
def test_empty_text_renders_nothing(text):
    assert render_markdown(text) == ""


def test_long_documents_render_exactly_as_short_ones(monkeypatch):
    """Over 100 top-level blocks, bleach cleans runs separately: the result must not change."""
    text = "\n\n".join(
        f"Paragraph {n} with *feeling* and [a link](https://ok.example/{n})" for n in range(250)
    )
    in_runs = render_markdown(text)
    monkeypatch.setattr(rendering._TamedTree, "GROUP", 10_000)

    assert in_runs == render_markdown(text)
    assert "ips-run-break" not in in_runs
    assert in_runs.count(f'rel="{LINK_REL}"') == 250


# --- Hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_INPUTS)
def test_hostile_input_renders_inert(name):
    assert_safe(render_markdown(HOSTILE_INPUTS[name]))


@pytest.mark.parametrize("name", sorted(set(HOSTILE_INPUTS) - LONG_INPUTS))
def test_the_second_wall_holds_on_its_own(name):
    """bleach with our allow-list, given the raw text as HTML (as if Markdown let it all through)."""
    assert_safe(rendering._clean(HOSTILE_INPUTS[name]))


def test_typed_script_stays_readable_text():
    html = render_markdown("<script>alert('hi')</script>")

    assert html == "<p>&lt;script&gt;alert('hi')&lt;/script&gt;</p>"


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "java&#x09;script:alert(1)",
        "java\tscript:alert(1)",
        "java\u200bscript:alert(1)",
        "javascript&#58;alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
    ],
)
def test_disallowed_schemes_lose_the_link_everywhere(href):
    for text in (f"[x]({href})", f"![x]({href})", f"[x][1]\n\n[1]: {href}", f"<{href}>"):
        html = render_markdown(text)
        assert_safe(html)
        assert "href" not in html, (text, html)


# --- Size and pathological shapes ----------------------------------------------------------------


def _timed(text):
    started = time.perf_counter()
    html = render_markdown(text)
    return html, time.perf_counter() - started


def test_200_kb_renders_quickly_and_safely():
    text = (JOURNAL + "\n<script>alert(1)</script> [x](javascript:alert(1))\n\n") * 600
    assert len(text) > 200_000

    html, seconds = _timed(text)

    assert seconds < SECONDS
    assert_safe(html)
    # Past the longest entry the form takes, it is plain text, line breaks kept.
    assert html.startswith("<p># What I noticed</p>\n<p>On Tuesday Sam and I made tea.")


def test_100_kb_of_real_writing_keeps_its_formatting():
    text = (JOURNAL + "\n") * 270
    assert 95_000 < len(text) <= 100_000

    html, seconds = _timed(text)

    assert seconds < SECONDS
    assert html.count("<em>noticed</em>") == 270 and html.count(f'rel="{LINK_REL}"') == 540


def test_a_long_entry_typed_without_blank_lines_keeps_its_formatting():
    text = JOURNAL.replace("\n\n", "\n") * 83
    assert len(text) > 30_000

    html, seconds = _timed(text)

    assert seconds < SECONDS
    assert "<strong>really</strong>" in html and f'rel="{LINK_REL}"' in html


@pytest.mark.parametrize("name", sorted(LONG_INPUTS))
def test_pathological_input_renders_quickly(name):
    html, seconds = _timed(HOSTILE_INPUTS[name])

    assert seconds < SECONDS
    assert html


@pytest.mark.parametrize(
    "text",
    [
        "[" * 3_000,
        "a\n=\n" * 5_000,
        "*a* " * 30_000,
        "`a` " * 30_000,
        "\\" * 60_000,
        "# h\n" * 20_000,
        "```\nx\n```\n\n" * 8_000,
        "- a *b*\n\n" * 10_000,
        "&amp;" * 19_000,
        "[link](https://ok.example/x) " * 4_000,
        "1. " * 30_000,
    ],
    ids=lambda text: repr(text[:12]),
)
def test_known_slow_shapes_stay_fast(text):
    html, seconds = _timed(text)

    assert seconds < SECONDS
    assert_safe(html)


def test_too_costly_text_is_shown_plain_and_escaped():
    html = render_markdown("[" * 5_000 + "\n<script>alert(1)</script> *kept as typed*")

    assert html.endswith("<br>\n&lt;script&gt;alert(1)&lt;/script&gt; *kept as typed*</p>")


def test_nesting_too_deep_for_markdown_is_shown_plain(monkeypatch):
    monkeypatch.setattr(rendering, "_WORK_BUDGET", 10**18)  # so Markdown itself runs out of stack

    html = render_markdown("1. " * 2_000 + "<b>x</b>")

    assert html.startswith("<p>1. 1. 1.") and html.endswith("&lt;b&gt;x&lt;/b&gt;</p>")


# --- Plain excerpts -----------------------------------------------------------------------------


def test_plain_excerpt_drops_markup_and_cuts_at_a_word():
    excerpt = render_plain_excerpt(JOURNAL, 60)

    assert excerpt == "What I noticed On Tuesday Sam and I made tea. I noticed I…"
    assert len(excerpt) <= 60


def test_plain_excerpt_is_text_for_the_template_to_escape():
    assert render_plain_excerpt("I <3 *tea* & [cake](https://ok.example)") == "I <3 tea & cake"
    assert render_plain_excerpt("") == ""
