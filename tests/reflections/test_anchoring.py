"""Anchoring a note to a passage: rendered_text, quote_at and locate, without a database.

Offsets are what the page script counts — UTF-16 code units of the entry body's textContent —
so an emoji (one Python character, two JavaScript ones) must not shift them.
"""

import json
import shutil
import subprocess

import pytest

from reflections.anchoring import (
    CONTEXT,
    code_point_index,
    locate,
    quote_at,
    rendered_text,
    utf16_offset,
)

TEXT = (
    "Tuesday evening D. and I made tea for almost an hour. "
    "The moment I felt most connected was when she laughed at my courgettes. "
    "Then I asked about her week and she went quiet."
)
PASSAGE = "The moment I felt most connected"


def quote_of(text, passage, occurrence=0):
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(passage, index + 1)
    return quote_at(text, utf16_offset(text, index), utf16_offset(text, index + len(passage)))


# rendered_text --------------------------------------------------------------------------------
def test_it_gives_the_text_a_reader_sees():
    html = "<p>I noticed <em>how much</em> I wanted to <strong>fix it</strong>.</p>\n<p>Then I stayed.</p>"
    assert rendered_text(html) == "I noticed how much I wanted to fix it.\nThen I stayed."


def test_it_decodes_entities_like_text_content_does():
    html = "<p>Tea &amp; toast, &lt;quiet&gt; time,&nbsp;&quot;mornings&quot; &#8212; &eacute;</p>"
    assert rendered_text(html) == 'Tea & toast, <quiet> time,\xa0"mornings" — é'


def test_it_counts_an_entity_as_the_one_character_it_stands_for():
    text = rendered_text("<p>Power &amp; roles came up. We named it.</p>")
    quote = quote_of(text, "We named it")
    assert (quote.start, quote.end) == (
        len("Power & roles came up. "),
        len("Power & roles came up. We named it"),
    )


def test_it_normalises_line_breaks_like_the_browser():
    assert rendered_text("<p>one</p>\r\n<p>two\rthree</p>") == "one\ntwo\nthree"


def test_it_drops_the_newline_the_browser_drops_after_pre():
    assert rendered_text("<pre>\nkettle\n</pre>") == "kettle\n"
    assert rendered_text("<pre><code>\nkettle</code></pre>") == "\nkettle"


def test_it_ignores_comments_and_tags_without_text():
    assert rendered_text("<p>a<br>b<!-- hidden --><img alt='x' src='y.png'></p>") == "ab"


# quote_at -------------------------------------------------------------------------------------
def test_it_quotes_a_passage_with_context_on_both_sides():
    quote = quote_of(TEXT, PASSAGE)
    start = TEXT.index(PASSAGE)
    assert quote.exact == PASSAGE
    assert quote.prefix == TEXT[start - CONTEXT : start]
    assert quote.suffix == TEXT[start + len(PASSAGE) : start + len(PASSAGE) + CONTEXT]
    assert (quote.start, quote.end) == (start, start + len(PASSAGE))


def test_it_cuts_the_context_at_the_edges_of_the_text():
    quote = quote_at(TEXT, 0, 7)
    assert (quote.exact, quote.prefix) == ("Tuesday", "")
    end = quote_at(TEXT, len(TEXT) - 6, len(TEXT))
    assert (end.exact, end.suffix) == ("quiet.", "")


@pytest.mark.parametrize("start,end", [(5, 5), (9, 4), (-1, 4), (0, len(TEXT) + 1)])
def test_it_refuses_an_empty_or_out_of_bounds_range(start, end):
    assert quote_at(TEXT, start, end) is None


# locate ---------------------------------------------------------------------------------------
def test_it_keeps_an_exact_quote_in_its_context_where_it_was():
    quote = quote_of(TEXT, PASSAGE)
    assert locate(TEXT, quote.exact, quote.prefix, quote.suffix, quote.start) == (quote.start, quote.end)


def test_it_finds_a_moved_passage_by_its_quote_and_context():
    quote = quote_of(TEXT, PASSAGE)
    moved = "A new opening line, written after Thursday. " + TEXT
    shift = len("A new opening line, written after Thursday. ")
    assert locate(moved, quote.exact, quote.prefix, quote.suffix, quote.start) == (
        quote.start + shift,
        quote.end + shift,
    )


def test_it_finds_a_unique_quote_whose_context_changed():
    quote = quote_of(TEXT, PASSAGE)
    rewritten = "I was tired all week. The moment I felt most connected came late, over the washing up."
    start = rewritten.index(PASSAGE)
    assert locate(rewritten, quote.exact, quote.prefix, quote.suffix, quote.start) == (
        start,
        start + len(PASSAGE),
    )


def test_it_finds_a_unique_quote_without_any_context():
    assert locate(TEXT, "she went quiet") == (TEXT.index("she went quiet"), TEXT.index("she went quiet") + 14)


def test_it_uses_the_context_to_choose_between_two_copies():
    text = "I felt connected at the allotment. Later, at home, I felt connected again."
    quote = quote_of(text, "I felt connected", occurrence=1)
    edited = "Something new. " + text
    start = edited.index("I felt connected", edited.index("at home"))
    assert locate(edited, quote.exact, quote.prefix, quote.suffix, quote.start) == (start, start + 16)


def test_it_gives_up_on_a_duplicated_quote_it_cannot_tell_apart():
    quote = quote_of(TEXT, PASSAGE)
    duplicated = f"{PASSAGE}, I wrote. And again: {PASSAGE}!"
    assert locate(duplicated, quote.exact, quote.prefix, quote.suffix, quote.start) is None


def test_it_does_not_trust_the_position_when_the_context_around_it_changed():
    # Same words at the same offset, but a different passage now: never attach there silently.
    text = "We talked about power. We talked about power."
    quote = quote_of(text, "We talked about power", occurrence=1)
    edited = "We talked about power. We talked about power and rules. We talked about power."
    assert locate(edited, quote.exact, quote.prefix, quote.suffix, quote.start) is None


def test_it_returns_none_for_a_deleted_passage():
    quote = quote_of(TEXT, PASSAGE)
    without = TEXT.replace(PASSAGE + " was when she laughed at my courgettes. ", "")
    assert locate(without, quote.exact, quote.prefix, quote.suffix, quote.start) is None


def test_it_returns_none_for_an_empty_quote():
    assert locate(TEXT, "", "", "", 0) is None


def test_it_survives_a_recorded_position_past_the_end():
    quote = quote_of(TEXT, PASSAGE)
    assert locate("Short now. " + PASSAGE, quote.exact, "", "", 10_000) == (11, 11 + len(PASSAGE))


# Unicode: UTF-16 offsets, as JavaScript counts ------------------------------------------------
EMOJI_TEXT = "We laughed 😂 about the courgettes 🥒🥒, then I felt most connected. Café ✨ after."


def test_it_counts_offsets_in_utf16_units_after_an_emoji():
    quote = quote_of(EMOJI_TEXT, "I felt most connected")
    python_index = EMOJI_TEXT.index("I felt most connected")
    # Three emoji before it: each is one Python character but two UTF-16 units.
    assert quote.start == python_index + 3
    assert quote.end == quote.start + len("I felt most connected")
    assert quote.exact == "I felt most connected"


def test_it_quotes_emoji_as_whole_characters():
    quote = quote_of(EMOJI_TEXT, "courgettes 🥒🥒")
    assert quote.exact == "courgettes 🥒🥒"
    assert quote.end - quote.start == len("courgettes ") + 4
    assert "😂" in quote.prefix


def test_it_refuses_a_range_that_cuts_an_emoji_in_half():
    start = utf16_offset(EMOJI_TEXT, EMOJI_TEXT.index("😂"))
    assert quote_at(EMOJI_TEXT, start, start + 1) is None
    assert quote_at(EMOJI_TEXT, start + 1, start + 5) is None
    assert quote_at(EMOJI_TEXT, start, start + 2).exact == "😂"


def test_it_locates_after_emoji_in_utf16_units():
    quote = quote_of(EMOJI_TEXT, "Café")
    assert locate(EMOJI_TEXT, quote.exact, quote.prefix, quote.suffix, quote.start) == (
        quote.start,
        quote.end,
    )
    edited = "🌱 " + EMOJI_TEXT
    assert locate(edited, quote.exact, quote.prefix, quote.suffix, quote.start) == (
        quote.start + 3,
        quote.end + 3,
    )


def test_it_converts_between_code_points_and_utf16_units():
    text = "a😀b"
    assert [utf16_offset(text, i) for i in range(4)] == [0, 1, 3, 4]
    assert [code_point_index(text, u) for u in range(6)] == [0, 1, None, 2, 3, None]
    assert code_point_index(text, -1) is None


def test_combining_characters_count_as_they_do_in_javascript():
    # "é" as e + combining accent is two characters in both languages.
    text = "Cafe\u0301 talk"
    assert quote_of(text, "talk").start == 6


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_offsets_agree_with_javascript_string_semantics():
    """The page script slices body.textContent with these offsets: run JavaScript itself."""
    passages = ["I felt most connected", "Café", "🥒🥒", "after."]
    quotes = [quote_of(EMOJI_TEXT, p) for p in passages]
    script = (
        "const [text, ranges] = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(ranges.map(([s, e]) => text.slice(s, e))));"
    )
    payload = json.dumps([EMOJI_TEXT, [[q.start, q.end] for q in quotes]])
    result = subprocess.run(["node", "-e", script, payload], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == passages
