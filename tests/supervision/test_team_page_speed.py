"""The supervisor's team page stays cheap however many pairs and weeks it shows (issue 7: the
benchmark found it the slowest page): a fixed number of queries, labels and links made once per
week and pair in the view, and the same page as before for people and screen readers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Role
from reflections.models import Annotation, Entry, PeerPair
from reflections.weeks import current_week
from supervision.models import WeekReview
from tests.conftest import make_person


def make_pairs(team, count, start=0):
    pairs = []
    for n in range(start, start + count):
        a = make_person(f"peer{n}a@riverside.example.org", f"Peer {n} A")
        b = make_person(f"peer{n}b@riverside.example.org", f"Peer {n} B")
        for person in (a, b):
            Membership.objects.create(team=team, user=person, role=Role.PEER)
        pairs.append(PeerPair.objects.create(team=team, inviter=a, invitee=b, status=PeerPair.Status.ACTIVE))
    return pairs


def share(pair, author, week, task="connection"):
    return Entry.objects.create(
        author=author, pair=pair, week=week, task=task, body="Shared.", shared=timezone.now()
    )


@pytest.fixture
def weeks(supervisor):
    this_week = current_week(supervisor)
    return [this_week - dt.timedelta(weeks=n) for n in range(8)]


def test_it_shows_who_shared_open_notes_and_the_queue(client_for, supervisor, team, weeks):
    first, second = make_pairs(team, 2)
    share(first, first.inviter, weeks[1])
    share(first, first.invitee, weeks[1], task="worldview")
    entry = share(second, second.invitee, weeks[2])
    Annotation.objects.create(entry=entry, author=second.inviter, body="A question.")
    Annotation.objects.create(entry=entry, author=second.inviter, body="Another.")
    WeekReview.objects.create(pair=first, week=weeks[1], supervisor=supervisor)

    page = client_for(supervisor).get(f"/review/teams/{team.pk}/").content.decode()

    assert "both shared" in page
    assert f"{second.invitee.name} shared" in page
    assert "nothing shared" in page
    assert '<span class="cell__notes">2 open</span>' in page
    # The reviewed week is not waiting; the other one is, linked to its week in the thread.
    before = (weeks[2] + dt.timedelta(days=7)).isoformat()
    assert f'href="/threads/{second.pk}/?before={before}#week-{weeks[2].isoformat()}"' in page
    assert "2 open notes" in page
    assert f'href="/threads/{first.pk}/?before=' not in page


def test_it_keeps_refusing_other_members_and_outsiders(client_for, supervisor, team, author, stranger):
    assert client_for(supervisor).get(f"/review/teams/{team.pk}/").status_code == 200
    assert client_for(author).get(f"/review/teams/{team.pk}/").status_code == 403
    assert client_for(stranger).get(f"/review/teams/{team.pk}/").status_code == 404
    assert client_for(supervisor).get("/review/teams/999999/").status_code == 404


def test_without_the_pages_lookup_of_memberships_the_teams_are_asked_for(
    client_for, supervisor, team, author, stranger
):
    """Only GETs look up memberships for the navigation ahead of the page; any other request
    (here a POST, which the page answers like a GET) looks them up itself, with the same answers."""
    url = f"/review/teams/{team.pk}/"
    page = client_for(supervisor).post(url)
    assert page.status_code == 200 and "<h1>Riverside Peer Respite</h1>" in page.content.decode()
    assert client_for(author).post(url).status_code == 403
    assert client_for(stranger).post(url).status_code == 404


def test_queries_do_not_grow_with_pairs_or_weeks(client_for, supervisor, team, weeks):
    client = client_for(supervisor)
    pairs = make_pairs(team, 1)
    client.get(f"/review/teams/{team.pk}/")  # a session's first request is recorded (allauth)
    share(pairs[0], pairs[0].inviter, weeks[0])  # changed since: the grid is rendered afresh
    with CaptureQueriesContext(connection) as one_pair:
        assert client.get(f"/review/teams/{team.pk}/").status_code == 200
    for pair in make_pairs(team, 6, start=1):
        for week in weeks:
            share(pair, pair.inviter, week)
            share(pair, pair.invitee, week, task="mutuality")
    with CaptureQueriesContext(connection) as many_pairs:
        assert client.get(f"/review/teams/{team.pk}/?weeks=26").status_code == 200
    assert len(many_pairs) == len(one_pair)
    # Of the page's own queries (besides session, user, navigation and the team): the versions
    # of the pairs shown (the grid's cache key), then, rendering it afresh, the pairs, who
    # shared and the task balance (one grouped query), open notes, the weeks I reviewed.
    page_tables = [
        q["sql"]
        for q in many_pairs.captured_queries
        if "reflections_" in q["sql"] or "supervision_" in q["sql"]
    ]
    assert len(page_tables) == 5


def test_thread_review_notes_and_their_replies_cost_two_queries(client_for, supervisor, team, weeks):
    from supervision.models import ReviewNote, ReviewReply

    (pair,) = make_pairs(team, 1, start=20)
    share(pair, pair.inviter, weeks[1])
    client = client_for(pair.inviter)
    client.get(f"/threads/{pair.pk}/")
    note = ReviewNote.objects.create(pair=pair, week=weeks[1], author=supervisor, body="How was it?")
    with CaptureQueriesContext(connection) as no_replies:
        assert client.get(f"/threads/{pair.pk}/").status_code == 200
    ReviewReply.objects.create(note=note, author=pair.inviter, body="Hard, and good.")
    ReviewReply.objects.create(note=note, author=pair.invitee, body="Same here.")
    with CaptureQueriesContext(connection) as two_replies:
        page = client.get(f"/threads/{pair.pk}/")
    assert "Hard, and good." in page.content.decode() and "Same here." in page.content.decode()
    assert len(two_replies) == len(no_replies)
