"""Query counts of the dashboard, thread and entry pages: pinned, and the same however long the
history (1 or 50 weeks) and however many notes an entry has (1 or 30, with replies).

Every request of a signed-in person also pays for the session and the user; those are listed
once here and referred to as "the request" below:

    the request (before the view)   1 session  2 user
    the navigation bar              1 my roles (accounts.context_processors.navigation)

Each page is fetched once before it is measured, so the session's activity has been recorded
(at most once a minute: test_sessions.py) and the "seen" records already exist, as on any visit
but the very first.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from reflections import flows
from reflections.models import Annotation, Entry, PeerPair, Reply, Task
from reflections.weeks import current_week
from tests.conftest import make_person
from tests.reflections.conftest import PASSAGE, add_note, build_history, build_notes

# The most each page may cost, as (page, who). Expected queries:
#
# dashboard, peer (8): the request (2) · my roles and memberships with the teams' names (the
#   navigation's one lookup, also the page's list of teams) · this week's entries · open pairs
#   with both people and team (and my seen version of each) · unread entries and notes per pair
#   (one aggregate; kept in the cache until the thread or my seen version changes) · training
#   cohorts · drafts
# dashboard, supervisor (6): the same without the drafts and the unread aggregate (no pair)
#
# thread, peer (10): the request (2) · the pair with people and team (and my seen version) ·
#   the entries of the page's weeks (the weeks a subquery), with unread flags and note counts ·
#   review notes and reviewed weeks of those weeks (supervision, 2) · read records (INSERT) ·
#   the team's supervisors (who can read) · who opened my writing here (read records) · my roles
#   (two more — the entries' and my seen version's upserts — when the page marks entries seen)
# thread, supervisor (9): the same, without "who opened my writing" (supervisors write none).
#
# entry, author (10): the request (2) · the entry with author, pair, people, team · what the
#   notes hold for me (when I last saw the entry, the newest note by someone else, whether others
#   wrote: one query) · "seen now" (upsert, only when something is new) · its notes with authors ·
#   their replies with authors (prefetch) · the team's supervisors · who read it (supervision) ·
#   my roles
# entry, peer (10): the same, recording the read (INSERT) instead of listing reads.
# entry, supervisor (8): nothing is new to a supervisor (the "seen" records are the peers').
# (When the entry and its notes come from the cache, their two queries are spared, and the team's
# supervisors, kept with them; on the thread page, the weeks' and the supervisors' queries:
# tests/reflections/test_fragments.py.)
BUDGETS = {
    ("dashboard", "author"): 8,
    ("dashboard", "supervisor"): 6,
    ("thread", "author"): 10,
    ("thread", "peer"): 10,
    ("thread", "supervisor"): 9,
    ("entry", "author"): 10,
    ("entry", "peer"): 10,
    ("entry", "supervisor"): 8,
}


def url_of(view, pair, entry):
    return {
        "dashboard": reverse("reflections:dashboard"),
        "thread": reverse("reflections:thread-detail", args=[pair.pk]),
        "entry": reverse("reflections:entry-detail", args=[entry.pk]),
    }[view]


@pytest.fixture(autouse=True)
def _render_everything(settings):
    """The budgets are for a page rendered in full: cached fragments (reflections.fragments) only
    ever take queries away, and test_fragments.py pins what a page costs with them."""
    settings.FRAGMENT_CACHE_SECONDS = 0


@pytest.fixture
def measure(client_for, django_assert_max_num_queries):
    """measure(user, url, budget) -> the number of queries of a second visit (within budget).
    With `warm`, the page measured is the first visit after that other page."""

    def _measure(user, url, budget, warm=None):
        client = client_for(user)
        assert client.get(warm or url).status_code == 200
        with django_assert_max_num_queries(budget) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    return _measure


def varied_notes(entry, author, peer, count):
    """`count` notes in every state the page draws: passages and whole-entry notes by both
    peers, replies, a resolved one, an orphan."""
    notes = build_notes(entry, peer, count, replies=1, replier=author)
    if count > 1:
        notes[1].author = author
        notes[1].resolved, notes[1].resolved_by = timezone.now(), peer
        Annotation.objects.bulk_update([notes[1]], ["author", "resolved", "resolved_by"])
        notes[0].orphaned = True
        Annotation.objects.bulk_update([notes[0]], ["orphaned"])
    return notes


@pytest.mark.parametrize(("view", "persona"), list(BUDGETS))
def test_each_page_stays_within_its_query_budget(
    request, measure, pair, author, peer, shared_entry, view, persona
):
    build_history(pair, 6, newest=current_week(author) - dt.timedelta(weeks=1), notes_per_entry=2)
    varied_notes(shared_entry, author, peer, 5)
    Entry.objects.create(author=peer, task=Task.WORLDVIEW, body="Unread.", week=current_week(peer), pair=pair)
    request.getfixturevalue("supervisor")
    user = request.getfixturevalue(persona)
    measure(user, url_of(view, pair, shared_entry), BUDGETS[view, persona])


@pytest.mark.parametrize(("view", "persona"), list(BUDGETS))
def test_the_query_count_is_the_same_with_1_and_with_50_weeks_of_history(
    request, measure, pair, author, peer, shared_entry, view, persona
):
    request.getfixturevalue("supervisor")
    user = request.getfixturevalue(persona)
    url = url_of(view, pair, shared_entry)
    add_note(shared_entry, peer, PASSAGE, "This stayed with me.")
    last_week = current_week(author) - dt.timedelta(weeks=1)
    build_history(pair, 1, newest=last_week, notes_per_entry=1)
    one_week = measure(user, url, BUDGETS[view, persona])

    build_history(pair, 49, newest=last_week - dt.timedelta(weeks=1), notes_per_entry=1)
    assert Entry.objects.filter(pair=pair).values("week").distinct().count() == 51
    assert measure(user, url, BUDGETS[view, persona]) == one_week


@pytest.mark.parametrize(("view", "persona"), list(BUDGETS))
def test_the_query_count_is_the_same_with_1_and_with_30_notes(
    request, measure, pair, author, peer, shared_entry, view, persona
):
    request.getfixturevalue("supervisor")
    user = request.getfixturevalue(persona)
    url = url_of(view, pair, shared_entry)
    varied_notes(shared_entry, author, peer, 1)
    one_note = measure(user, url, BUDGETS[view, persona])

    varied_notes(shared_entry, author, peer, 29)
    assert Annotation.objects.filter(entry=shared_entry).count() == 30
    assert Reply.objects.filter(annotation__entry=shared_entry).count() == 30
    assert measure(user, url, BUDGETS[view, persona]) == one_note


def test_the_dashboard_costs_the_same_with_one_pair_or_several(measure, author, pair, team):
    url = reverse("reflections:dashboard")
    Entry.objects.create(
        author=pair.invitee, task=Task.CONNECTION, body="New.", week=current_week(author), pair=pair
    )
    one_pair = measure(author, url, BUDGETS["dashboard", "author"])
    for n, name in enumerate(["Jordan Ellis", "Priya Natarajan", "Kwame Mensah"]):
        person = make_person(f"{name.split()[0].lower()}@riverside.example.org", name)
        Membership.objects.create(team=team, user=person, role=Role.PEER)
        other = PeerPair.objects.create(
            team=team, inviter=person, invitee=author, status="active" if n < 2 else "pending"
        )
        Entry.objects.create(
            author=person, task=Task.WORLDVIEW, body="New.", week=current_week(author), pair=other
        )
    assert measure(author, url, BUDGETS["dashboard", "author"]) == one_pair


def test_marking_entries_seen_costs_two_queries_however_many(measure, author, peer, pair):
    """A first visit marks everything new on the page as seen in two upserts (the entries; the
    reader's version of the thread, ThreadSeen) — within the issue's 12 queries a page."""
    url = reverse("reflections:thread-detail", args=[pair.pk])
    dashboard = reverse("reflections:dashboard")
    build_history(pair, 4)
    flows.mark_seen(author, Entry.objects.filter(pair=pair))

    def sams_new_entries(count):
        for week in range(count):
            Entry.objects.create(
                author=peer,
                task=Task.MOVING_TOWARDS,
                body="Mornings by the river.",
                week=current_week(author) - dt.timedelta(weeks=week),
                pair=pair,
            )

    sams_new_entries(1)
    one_new = measure(author, url, BUDGETS["thread", "author"] + 2, warm=dashboard)
    assert one_new <= 12
    sams_new_entries(4)
    assert measure(author, url, BUDGETS["thread", "author"] + 2, warm=dashboard) == one_new
