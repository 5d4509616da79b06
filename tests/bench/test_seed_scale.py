"""seed_scale: realistic proportions, text the app's own renderer would produce, passages that
anchor, and — on PostgreSQL — a small seed through COPY that leaves a consistent database."""

import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from reflections.anchoring import locate, rendered_text
from reflections.management.commands import seed_scale
from reflections.models import Annotation, Entry, PeerPair, Reply
from reflections.rendering import render_markdown
from search import registry
from search.index import rebuild
from search.models import Document
from supervision.models import ReviewNote, ReviewReply


def test_plan_gives_some_teams_thirty_pairs_and_spreads_people_and_pairs():
    plans = seed_scale.plan_teams(teams=200, users=10_000, pairs=5_000)
    assert sum(p.pairs for p in plans) == 5_000
    assert sum(p.peers + p.supervisors for p in plans) == 10_000
    assert sum(1 for p in plans if p.pairs == seed_scale.LARGE_TEAM_PAIRS) == 40
    for plan in plans:
        assert len(plan.pair_members) == plan.pairs
        assert len({frozenset(m) for m in plan.pair_members}) == plan.pairs  # no pair twice
        assert all(a != b and max(a, b) < plan.peers for a, b in plan.pair_members)


def test_plan_refuses_impossible_proportions():
    with pytest.raises(ValueError, match="too few users"):
        seed_scale.plan_teams(teams=10, users=20, pairs=10)


def test_draw_keeps_the_mean():
    rng = random.Random(3)
    draws = [seed_scale.draw(rng, 0.45) for _ in range(20_000)]
    assert set(draws) == {0, 1}
    assert sum(draws) / len(draws) == pytest.approx(0.45, abs=0.02)


def test_copy_text_escapes_what_copy_would_misread():
    assert seed_scale.copy_text("a\tb\nc\\d") == "a\\tb\\nc\\\\d"
    assert seed_scale.copy_text(None) == r"\N"
    assert seed_scale.copy_text(True) == "t"


def test_pool_html_is_the_renderers_and_its_passages_anchor():
    pool = seed_scale.text_pool(size=20)
    for body in pool:
        assert body.html == render_markdown(body.body)
        text = rendered_text(body.html)
        assert body.quotes
        for quote in body.quotes:
            assert locate(text, quote.exact, quote.prefix, quote.suffix, quote.start) == (
                quote.start,
                quote.end,
            )
    tails = seed_scale.Tails(pool)
    if tails.joinable:
        line = tails.line(["open", "steady", "curious"])
        assert tails.html(pool[3].html, line) == render_markdown(f"{pool[3].body}\n\n{line}")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_scale uses PostgreSQL's COPY")
def test_a_small_seed_is_consistent(capsys):
    call_command(
        "seed_scale", teams=4, users=80, pairs=32, entries=2_000, annotations=4_000, years=1, preset="small"
    )
    assert "done in" in capsys.readouterr().out
    assert PeerPair.objects.count() == 32
    # Each pair a random thread version, as the app gives them: ids restart with every seed, and
    # a cache still warm from an earlier data set must never match (reflections.fragments).
    versions = set(PeerPair.objects.values_list("thread_version", flat=True))
    assert len(versions) == 32 and 0 not in versions
    assert PeerPair.objects.values("team").annotate(n=Count("id")).filter(n=30).count() == 0
    entries = Entry.objects.count()
    assert 1_700 < entries < 2_300
    assert Entry.objects.shared().count() == pytest.approx(0.7 * entries, rel=0.1)
    # Every shared entry's authors are the pair's two peers; private ones have no pair.
    assert (
        not Entry.objects.shared()
        .exclude(author__in=PeerPair.objects.values("inviter"))
        .exclude(author__in=PeerPair.objects.values("invitee"))
        .exists()
    )
    featured = Entry.objects.annotate(n=Count("annotations")).filter(n=seed_scale.FEATURED_NOTES)
    assert featured.exists()
    # Stored HTML is what the app would render; stored passages anchor in it.
    for entry in Entry.objects.order_by("?")[:20]:
        assert entry.body_html == render_markdown(entry.body)
    for note in Annotation.objects.exclude(exact="").select_related("entry")[:50]:
        text = rendered_text(note.entry.body_html)
        assert locate(text, note.exact, note.prefix, note.suffix, note.start) == (note.start, note.end)
    # Sequences continue after the seeded ids, so the app can insert.
    entry = Entry.objects.create(author_id=1, task="connection", body="After the seed.", week="2026-11-23")
    assert entry.pk > entries
    # Indexes and constraints are back.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'reflections_entry_thread'")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'search_document_thread_author'")
        assert cursor.fetchone()[0] == 1
        # No index on the words (search.0005): a search matches within the reader's keys.
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'search_document_vector'")
        assert cursor.fetchone()[0] == 0


def _documents():
    rows = Document.objects.values_list(
        "kind",
        "object_id",
        "author_id",
        "created",
        "title",
        "body",
        "owner_id",
        "thread_id",
        "cohort_id",
        "task",
    )
    # The SQL strips tags where the index's parser keeps paragraphs as lines: compare the words.
    return {row[:5] + (" ".join(row[5].split()),) + row[6:] for row in rows}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_scale uses PostgreSQL's COPY")
def test_the_seeds_search_documents_are_the_ones_the_index_would_write():
    call_command(
        "seed_scale", teams=2, users=20, pairs=8, entries=300, annotations=600, years=1, preset="small"
    )
    seeded = _documents()
    vectors = dict(Document.objects.values_list("object_id", "vector").filter(kind="entry"))
    assert len(seeded) == Entry.objects.count() + Annotation.objects.count() + Reply.objects.count() + (
        ReviewNote.objects.count() + ReviewReply.objects.count()
    )

    Document.objects.all().delete()
    rebuild(registry.kinds())

    assert _documents() == seeded
    assert dict(Document.objects.values_list("object_id", "vector").filter(kind="entry")) == vectors
