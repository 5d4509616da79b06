"""The team page's grid, queue and chart are rendered once per change, not per visit (issue 7),
and every change a supervisor should see shows on their next visit (reflections.fragments)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Role
from reflections import flows
from reflections.models import Annotation, Entry, PeerPair
from reflections.weeks import current_week
from supervision.models import WeekReview
from tests.conftest import make_person
from tests.supervision.test_team_page_speed import make_pairs, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(team, supervisor):
    """A team with two pairs; the first shared one entry last week."""
    first, second = make_pairs(team, 2)
    last_week = current_week(supervisor) - dt.timedelta(weeks=1)
    entry = share(first, first.inviter, last_week)
    return {"team": team, "first": first, "second": second, "entry": entry, "week": last_week}


def grid(page):
    """The cached part of the page (the rest carries a fresh CSP nonce and CSRF token)."""
    return page[page.index('<section aria-labelledby="queue-heading"') : page.index("</main>")]


def page_tables(captured):
    return [q["sql"] for q in captured if "reflections_" in q["sql"] or "supervision_" in q["sql"]]


def test_a_second_visit_renders_nothing_again(client_for, supervisor, setting):
    client = client_for(supervisor)
    url = f"/review/teams/{setting['team'].pk}/"
    first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as again:
        second = client.get(url).content.decode()
    assert grid(second) == grid(first)
    assert len(page_tables(again.captured_queries)) == 1  # the versions of the pairs shown
    assert f"{setting['first'].inviter.name} shared" in second


def test_each_supervisor_sees_their_own_reviews(client_for, supervisor, setting):
    colleague = make_person("noor.haddad@riverside.example.org", "Noor Haddad")
    Membership.objects.create(team=setting["team"], user=colleague, role=Role.SUPERVISOR)
    url = f"/review/teams/{setting['team'].pk}/"
    client_for(colleague).get(url)
    WeekReview.objects.create(pair=setting["first"], week=setting["week"], supervisor=supervisor)
    assert "reviewed by you" in client_for(supervisor).get(url).content.decode()
    assert "reviewed by you" not in client_for(colleague).get(url).content.decode()


def _peer_shares(s):
    share(s["first"], s["first"].invitee, s["week"], task="worldview")
    return "both shared"


def _a_note(s):
    Annotation.objects.create(entry=s["entry"], author=s["first"].invitee, body="What helped?")
    return '<span class="cell__notes">1 open</span>'


def _open_note(s):
    s["note"] = Annotation.objects.create(entry=s["entry"], author=s["first"].invitee, body="What helped?")


def _note_resolved(s):
    flows.toggle_resolved(s["note"], s["first"].inviter)
    return "○○"  # always there; the check is that the open count is gone (below)


_note_resolved.before = _open_note


def _reviewed(s):
    supervisor = Membership.objects.get(team=s["team"], role=Role.SUPERVISOR).user
    WeekReview.objects.create(pair=s["first"], week=s["week"], supervisor=supervisor)
    return "reviewed by you"


def _renamed(s):
    person = s["second"].invitee
    person.display_name = "Jo Brightwater"
    person.save()
    return "Jo Brightwater"


def _ended(s):
    flows.end_pair(PeerPair.objects.get(pk=s["second"].pk), s["second"].inviter)
    return "(ended)"


def _unshared(s):
    flows.unshare_entry(Entry.objects.get(pk=s["entry"].pk))
    return "You have read everything shared in these weeks."


@pytest.mark.parametrize(
    "change",
    [_peer_shares, _a_note, _note_resolved, _reviewed, _renamed, _ended, _unshared],
    ids=lambda f: f.__name__,
)
def test_every_change_shows_on_the_next_visit(client_for, supervisor, setting, change):
    client = client_for(supervisor)
    url = f"/review/teams/{setting['team'].pk}/"
    if hasattr(change, "before"):
        change.before(setting)
    before = client.get(url).content.decode()
    client.get(url)  # cached now
    expected = change(setting)
    after = client.get(url).content.decode()
    assert grid(after) != grid(before)
    assert expected in after
    if change is _note_resolved:
        assert "open</span>" not in after


def test_a_new_pair_shows_on_the_next_visit(client_for, supervisor, setting):
    client = client_for(supervisor)
    url = f"/review/teams/{setting['team'].pk}/"
    client.get(url)
    (newcomers,) = make_pairs(setting["team"], 1, start=7)
    assert newcomers.inviter.name in client.get(url).content.decode()


@override_settings(FRAGMENT_CACHE_SECONDS=0)
def test_the_cache_can_be_turned_off(client_for, supervisor, setting):
    client = client_for(supervisor)
    url = f"/review/teams/{setting['team'].pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as again:
        client.get(url)
    assert len(page_tables(again.captured_queries)) == 5  # everything, every time


def test_keys_hold_the_reader_their_language_time_zone_and_date(rf, supervisor, author):
    """The grid's weeks are the reader's own and labelled from today: a new day, zone or
    language is a new key even when no data changed."""
    from django.utils import translation

    from reflections.fragments import fragment_key

    def key(user, zone="Europe/London", language="en", today=None):
        request = rf.get("/")
        request.user = user
        with timezone.override(zone), translation.override(language):
            if today is None:
                return fragment_key(request, "page.html#part", (1, 2))
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(timezone, "localdate", lambda *a, **k: today)
                return fragment_key(request, "page.html#part", (1, 2))

    assert key(supervisor) == key(supervisor)
    assert key(supervisor) != key(author)
    assert key(supervisor) != key(supervisor, zone="America/Chicago")
    assert key(supervisor) != key(supervisor, language="de")
    assert key(supervisor, today=dt.date(2026, 11, 29)) != key(supervisor, today=dt.date(2026, 11, 30))


def test_pairs_not_shown_count_nowhere_on_the_page(client_for, supervisor, setting):
    """The grid, queue and chart are keyed by the versions of the pairs shown, so they count only
    those: an ended pair's late edit into this week changes nothing on the page."""
    client = client_for(supervisor)
    url = f"/review/teams/{setting['team'].pk}/"
    (gone,) = make_pairs(setting["team"], 1, start=9)
    PeerPair.objects.filter(pk=gone.pk).update(
        status=PeerPair.Status.ENDED, ended=timezone.now() - dt.timedelta(weeks=10)
    )
    before = grid(client.get(url).content.decode())
    share(gone, gone.inviter, current_week(supervisor), task="moving_towards")
    with override_settings(FRAGMENT_CACHE_SECONDS=0):
        assert grid(client.get(url).content.decode()) == before


def test_the_teams_come_from_the_pages_one_lookup_of_memberships(client_for, supervisor, setting, other_team):
    """The team and the switcher between the teams Rosa supervises: named by the navigation's
    lookup of her memberships, without a query of their own."""
    Membership.objects.create(team=other_team, user=supervisor, role=Role.SUPERVISOR)
    client = client_for(supervisor)
    url = f"/review/teams/{setting['team'].pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as again:
        page = client.get(url).content.decode()
    assert not [q["sql"] for q in again.captured_queries if 'FROM "accounts_team"' in q["sql"]]
    assert "<h1>Riverside Peer Respite</h1>" in page
    switcher = page[page.index("<h1>") :]
    assert switcher.index("Harbour Street Peer Centre</a>") < switcher.index("Riverside Peer Respite</a>")
    assert f'href="/review/teams/{setting["team"].pk}/" aria-current="page"' in page
    assert f'href="/review/teams/{other_team.pk}/">' in page
