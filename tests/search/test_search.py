"""Search over everything a person may read, and nothing else — on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts import flows as account_flows
from accounts.models import Membership, Role
from reflections import flows
from reflections.models import Entry, Task
from search.backends import parse
from search.highlight import from_sentinels, mark, snippet
from search.models import Document
from search.query import NEWEST, Filters, search
from tests.search.world import HARBOUR_MARKER, NOTE_MARKER, PEER_MARKER, PRIVATE_MARKER

pytestmark = pytest.mark.django_db


def found(user, text, filters=None, order="relevance"):
    prepared = search(user, text, filters or Filters(), order)
    return prepared.hits(prepared.documents[:100])


def keys(hits):
    return {(hit.kind.key, hit.obj.pk) for hit in hits}


def everything_text(hits):
    return " ".join(f"{hit.title} {hit.fragment} {hit.shown.title} {hit.shown.where}" for hit in hits)


# --- What each person finds -----------------------------------------------------------------------


def test_the_author_finds_every_kind_of_writing_they_may_read(journal):
    hits = found(journal.author, "marigold")

    assert keys(hits) == {
        ("entry", journal.shared.pk),
        ("entry", journal.private.pk),
        ("entry", journal.peer_entry.pk),
        ("annotation", journal.note.pk),
        ("reply", journal.reply.pk),
        ("review_note", journal.review_note.pk),
        ("review_reply", journal.review_reply.pk),
    }


def test_the_peer_finds_the_thread_but_not_the_authors_private_entry(journal):
    assert keys(found(journal.peer, "marigold")) == {
        ("entry", journal.shared.pk),
        ("entry", journal.peer_entry.pk),
        ("annotation", journal.note.pk),
        ("reply", journal.reply.pk),
        ("review_note", journal.review_note.pk),
        ("review_reply", journal.review_reply.pk),
    }


def test_the_supervisor_finds_the_teams_shared_writing_only(journal):
    found_keys = keys(found(journal.supervisor, "marigold"))

    assert ("entry", journal.private.pk) not in found_keys
    assert ("entry", journal.other_entry.pk) not in found_keys
    assert ("entry", journal.shared.pk) in found_keys and (
        "review_note",
        journal.review_note.pk,
    ) in found_keys


@pytest.mark.parametrize(
    "persona", ["peer", "supervisor", "other_supervisor", "stranger", "trainer", "trainee"]
)
def test_a_private_entry_never_appears_in_anyone_elses_results(journal, persona, request):
    user = request.getfixturevalue(persona)

    for query in (PRIVATE_MARKER, "marigold", "night shift", "ward window", '"my own story"'):
        hits = found(user, query)
        assert ("entry", journal.private.pk) not in keys(hits), query
        assert PRIVATE_MARKER not in everything_text(hits)


@pytest.mark.parametrize("persona", ["author", "peer", "supervisor", "stranger", "trainer", "trainee"])
def test_another_teams_writing_never_appears(journal, persona, request):
    user = request.getfixturevalue(persona)

    hits = found(user, "keys marigold")

    assert ("entry", journal.other_entry.pk) not in keys(hits)
    assert HARBOUR_MARKER not in everything_text(found(user, HARBOUR_MARKER))


def test_the_other_teams_supervisor_finds_their_own_teams_writing(journal):
    assert keys(found(journal.other_supervisor, "marigold")) == {("entry", journal.other_entry.pk)}


def test_a_stranger_finds_nothing(journal, stranger):
    assert found(stranger, "marigold") == []


# --- Matching ---------------------------------------------------------------------------------------


def test_the_word_being_typed_matches_as_a_prefix(journal):
    assert ("entry", journal.shared.pk) in keys(found(journal.author, "allot"))


def test_every_word_must_match(journal):
    assert keys(found(journal.author, "marigold kettle")) == {("entry", journal.shared.pk)}


def test_a_quoted_phrase_matches_those_words_together(journal):
    assert keys(found(journal.author, '"loosened between us"')) == {("entry", journal.shared.pk)}
    assert found(journal.author, '"between loosened us"') == []


def test_a_title_match_ranks_above_a_body_match(journal, author):
    body_only = Entry.objects.create(
        author=author, task=Task.CONNECTION, title="Evening", body="A word about lanterns.", week=journal.week
    )
    in_title = Entry.objects.create(
        author=author, task=Task.CONNECTION, title="Lanterns", body="Nothing else here.", week=journal.week
    )
    in_title.created = body_only.created - dt.timedelta(days=2)  # older, yet more relevant
    in_title.save()

    relevant = [hit.obj.pk for hit in found(author, "lanterns")]
    newest = [hit.obj.pk for hit in found(author, "lanterns", order=NEWEST)]

    assert relevant == [in_title.pk, body_only.pk]
    assert newest == [body_only.pk, in_title.pk]


def test_query_syntax_typed_by_a_person_is_only_words(journal):
    for hostile in ["marigold & !kettle", "marigold:* | (", "'marigold'", "<->", "\\", "):*!&|"]:
        found(journal.author, hostile)  # no database error
    assert parse('marigold & !kettle | "tea (by" x') == parse('marigold kettle "tea by" x')


def test_an_empty_query_finds_nothing(journal):
    assert search(journal.author, "   ").is_empty
    assert search(journal.author, "!!! ???").is_empty


# --- Highlighting -------------------------------------------------------------------------------------


def test_matches_are_marked_in_the_passage(journal):
    [hit] = found(journal.author, "kettle")

    assert "<mark>" in hit.title and "kettle" in hit.title.lower()
    assert hit.fragment  # the start of the entry, as the title matched


def test_highlighting_escapes_the_writing_before_marking_it(author, pair_for_author):
    Entry.objects.create(
        author=author,
        task=Task.CONNECTION,
        title="<b>bold</b> lanterns",
        body="Before <script>alert('x')</script> the lanterns & after <img src=x onerror=alert(1)>",
        week=dt.date(2026, 3, 2),
    )

    [hit] = found(author, "lanterns")

    html = f"{hit.title} {hit.fragment}"
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;" in html and "<mark>" in html


def test_a_writer_cannot_forge_highlight_markers(author, pair_for_author):
    Entry.objects.create(
        author=author,
        task=Task.CONNECTION,
        title="",
        body="Lanterns \ue000<img src=x>\ue001 and \ue000 more",
        week=dt.date(2026, 3, 2),
    )

    [hit] = found(author, "lanterns")

    assert "<img" not in hit.fragment
    assert str(hit.fragment).count("<mark>") == str(hit.fragment).count("</mark>") == 1


def test_the_highlighters_escape_and_mark():
    assert mark("a <b> & lantern", ["lantern"]) == "a &lt;b&gt; &amp; <mark>lantern</mark>"
    assert from_sentinels("x \ue000<i>\ue001 \ue000y") == "x <mark>&lt;i&gt;</mark> y"
    long = "word " * 100 + "needle " + "word " * 100
    cut = snippet(long, ["needle"], width=80)
    assert "<mark>needle</mark>" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) < 140


# --- Filters --------------------------------------------------------------------------------------


def test_filter_by_task(journal):
    connection_hits = keys(found(journal.author, "marigold", Filters(task=Task.CONNECTION)))

    # The entry is Connection; Sam's note on it carries its own task (Mutuality), so it is not.
    assert ("entry", journal.shared.pk) in connection_hits
    assert ("annotation", journal.note.pk) not in connection_hits
    # Review notes have no task: filtering by task leaves them out.
    assert not {k for k in connection_hits if k[0].startswith("review")}
    assert ("annotation", journal.note.pk) in keys(
        found(journal.author, "marigold", Filters(task=Task.MUTUALITY))
    )


def test_filter_by_thread(journal, author, peer, team):
    other_peer_pair_entry = Entry.objects.create(
        author=author, task=Task.CONNECTION, body="marigold elsewhere", week=journal.week
    )
    hits = keys(found(author, "marigold", Filters(thread=journal.pair.pk)))

    assert ("entry", journal.private.pk) not in hits
    assert ("entry", other_peer_pair_entry.pk) not in hits
    assert {("entry", journal.shared.pk), ("review_note", journal.review_note.pk)} <= hits


def test_filter_by_author(journal):
    hits = keys(found(journal.author, "marigold", Filters(author=journal.peer.pk)))

    assert hits == {
        ("entry", journal.peer_entry.pk),
        ("annotation", journal.note.pk),
        ("review_reply", journal.review_reply.pk),
    }


def test_filter_by_dates_in_the_persons_time_zone(journal, author):
    # 23:30 on 1 March in London is still 1 March there, whatever the server's zone.
    old = Entry.objects.create(
        author=author,
        task=Task.CONNECTION,
        body="marigold in spring",
        week=journal.week,
        created=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC),
    )

    with timezone.override("Europe/London"):
        march_first = keys(
            found(author, "marigold", Filters(since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 1)))
        )
        from_second = keys(found(author, "marigold", Filters(since=dt.date(2026, 3, 2))))
    with timezone.override("Pacific/Auckland"):  # there it was already 2 March
        auckland_first = keys(found(author, "marigold", Filters(until=dt.date(2026, 3, 1))))

    assert march_first == {("entry", old.pk)}
    assert ("entry", old.pk) not in from_second and ("entry", journal.shared.pk) in from_second
    assert auckland_first == set()


# --- Keeping the index up to date ---------------------------------------------------------------------


def test_an_edit_is_found_by_its_new_words_only(journal, author):
    flows.edit_entry(
        journal.private.pk,
        author,
        {"body": "Rewritten: a sunflower now.", "title": journal.private.title},
        journal.private.version,
    )

    assert ("entry", journal.private.pk) in keys(found(author, "sunflower"))
    assert ("entry", journal.private.pk) not in keys(found(author, "ward window"))


def test_deleted_writing_leaves_the_index(journal):
    journal.shared.delete()  # its notes and replies go with it

    assert not Document.objects.filter(kind="entry", object_id=journal.shared.pk).exists()
    assert not Document.objects.filter(kind="annotation", object_id=journal.note.pk).exists()
    assert not Document.objects.filter(kind="reply", object_id=journal.reply.pk).exists()


def test_unsharing_takes_an_entry_out_of_the_peers_results(author, peer, pair_for_author):
    entry = Entry.objects.create(
        author=author, task=Task.CONNECTION, body="lanterns at dusk", week=dt.date(2026, 3, 2)
    )
    flows.share_entry(entry, pair_for_author)
    assert keys(found(peer, "lanterns")) == {("entry", entry.pk)}

    flows.unshare_entry(entry)

    assert found(peer, "lanterns") == []
    assert keys(found(author, "lanterns")) == {("entry", entry.pk)}


def test_ending_a_supervisors_membership_removes_their_search_access_at_once(journal, supervisor, team):
    Membership.objects.create(team=team, user=journal.peer, role=Role.SUPERVISOR)  # the team keeps one
    assert found(supervisor, "marigold")

    account_flows.remove_membership(Membership.objects.get(team=team, user=supervisor))

    assert found(supervisor, "marigold") == []
    assert found(supervisor, PEER_MARKER) == [] and found(supervisor, NOTE_MARKER) == []


def test_rebuilding_the_index_restores_what_bulk_loading_skipped(journal, author):
    Document.objects.all().delete()
    Entry.objects.bulk_create(
        [
            Entry(
                author=author,
                task=Task.CONNECTION,
                body="lanterns",
                body_html="<p>lanterns</p>",
                week=journal.week,
            )
        ]
    )
    Document.objects.create(
        kind="entry", object_id=987654, author=author, created=timezone.now(), body="ghost"
    )

    call_command("rebuild_search_index", verbosity=0)

    assert len(found(author, "marigold")) == 7
    assert len(found(author, "lanterns")) == 1
    assert not Document.objects.filter(object_id=987654).exists()


def test_the_backend_matches_the_database():
    from search.backends import backend

    assert backend().name == ("postgresql" if connection.vendor == "postgresql" else "simple")


@pytest.fixture
def pair_for_author(author, peer, team):
    from reflections.models import PeerPair

    return PeerPair.objects.create(team=team, inviter=author, invitee=peer, status=PeerPair.Status.ACTIVE)
