"""The co-reflection thread: weeks newest first, both peers side by side, a task filter, keyset
pagination by week, the supervisor's read-only view, and unread markers (thread and dashboard)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reflections import flows
from reflections.models import Entry, EntryView, PeerPair, Task
from reflections.weeks import current_week
from tests.reflections.conftest import add_note, build_history, build_notes

DASHBOARD = reverse("reflections:dashboard")


def seen_an_hour_ago(user, entry):
    flows.mark_seen(user, [entry])
    EntryView.objects.filter(user=user, entry=entry).update(seen=timezone.now() - dt.timedelta(hours=1))


def thread_url(pair, **params):
    url = reverse("reflections:thread-detail", args=[pair.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def weeks_of(response):
    return [w["week"] for w in response.context["weeks"]]


def columns_of(week):
    return [(c["person"], [e.task for e in c["entries"]]) for c in week["columns"]]


def test_it_shows_the_weeks_newest_first_with_both_peers_side_by_side(client_for, author, peer, pair):
    build_history(pair, 3)
    this_week = current_week(author)
    response = client_for(author).get(thread_url(pair))
    assert response.status_code == 200
    assert weeks_of(response) == [this_week - dt.timedelta(weeks=n) for n in range(3)]
    newest = response.context["weeks"][0]
    assert newest["label"].startswith("This week")
    assert response.context["weeks"][1]["label"].startswith("Last week")
    # Maya reads herself on the left, Sam on the right; each column holds that person's writing.
    assert columns_of(newest) == [(author, ["connection"]), (peer, ["worldview"])]
    html = response.content.decode()
    assert "Co-reflection with Sam Lindqvist" in html
    # The four tasks are visible as text, not colour alone.
    for label in ["Connection", "Worldview", "Mutuality"]:
        assert 'class="task task--' in html and label in html


def test_each_peer_reads_themselves_first(client_for, author, peer, pair):
    build_history(pair, 1)
    response = client_for(peer).get(thread_url(pair))
    assert [c["person"] for c in response.context["weeks"][0]["columns"]] == [peer, author]
    assert "Co-reflection with Maya Okafor" in response.content.decode()


def test_it_says_who_can_read_the_thread_by_name(client_for, author, pair, supervisor):
    html = client_for(author).get(thread_url(pair)).content.decode()
    assert "Who can read this:" in html
    for name in ["Maya Okafor", "Sam Lindqvist", "Rosa Delgado"]:
        assert name in html


def test_it_invites_the_first_reflection_in_an_empty_thread(client_for, author, pair):
    html = client_for(author).get(thread_url(pair)).content.decode()
    assert "Nothing shared yet." in html


def test_it_shows_only_entries_shared_into_this_thread(client_for, author, peer, pair):
    build_history(pair, 1)
    Entry.objects.create(author=author, task=Task.WORLDVIEW, body="Private.", week=current_week(author))
    response = client_for(peer).get(thread_url(pair))
    shown = [e for w in response.context["weeks"] for c in w["columns"] for e in c["entries"]]
    assert len(shown) == 2
    assert all(e.pair_id == pair.pk for e in shown)


# Task filter ----------------------------------------------------------------------------------
def test_it_filters_by_task(client_for, author, pair):
    build_history(pair, 4)  # tasks rotate: each task appears twice in four weeks
    response = client_for(author).get(thread_url(pair, task="mutuality"))
    shown = [e for w in response.context["weeks"] for c in w["columns"] for e in c["entries"]]
    assert {e.task for e in shown} == {"mutuality"}
    assert len(shown) == 2
    assert len(weeks_of(response)) == 2  # weeks without a Mutuality entry are left out
    assert '<option value="mutuality" selected>' in response.content.decode()


def test_an_empty_filter_says_so(client_for, author, pair):
    Entry.objects.create(
        author=author, task=Task.CONNECTION, body="Tea.", week=current_week(author), pair=pair
    )
    html = client_for(author).get(thread_url(pair, task="worldview")).content.decode()
    assert "Nothing shared for this task yet." in html


@pytest.mark.parametrize("params", [{"task": "healing"}, {"before": "someday"}, {"before": ""}])
def test_it_ignores_garbled_parameters(client_for, author, pair, params):
    build_history(pair, 2)
    response = client_for(author).get(thread_url(pair, **params))
    assert response.status_code == 200
    assert len(weeks_of(response)) == 2


# Keyset pagination ----------------------------------------------------------------------------
def test_long_histories_page_by_week_with_a_keyset(client_for, author, pair):
    build_history(pair, 10)
    this_week = current_week(author)
    c = client_for(author)
    first = c.get(thread_url(pair))
    assert weeks_of(first) == [this_week - dt.timedelta(weeks=n) for n in range(4)]
    assert first.context["next_before"] == (this_week - dt.timedelta(weeks=3)).isoformat()
    assert f"before={first.context['next_before']}" in first.content.decode()

    second = c.get(thread_url(pair, before=first.context["next_before"]))
    assert weeks_of(second) == [this_week - dt.timedelta(weeks=n) for n in range(4, 8)]
    third = c.get(thread_url(pair, before=second.context["next_before"]))
    assert weeks_of(third) == [this_week - dt.timedelta(weeks=n) for n in range(8, 10)]
    assert third.context["next_before"] == ""
    assert "Older weeks" not in third.content.decode()


def test_the_week_after_the_page_is_neither_marked_seen_nor_recorded_as_read(client_for, author, pair):
    """The page fetches one week more than it shows, to know whether older weeks follow: that
    week's entries are not on screen, so they stay new and their week is not recorded as read."""
    from supervision.models import ReadRecord

    build_history(pair, 5)  # Sam's entry in each of five weeks, new to Maya
    this_week = current_week(author)
    client_for(author).get(thread_url(pair))

    seen_weeks = set(EntryView.objects.filter(user=author).values_list("entry__week", flat=True))
    assert seen_weeks == {this_week - dt.timedelta(weeks=n) for n in range(4)}
    read_weeks = set(ReadRecord.objects.filter(reader=author).values_list("week", flat=True))
    assert read_weeks == seen_weeks


def test_the_keyset_keeps_the_task_filter(client_for, author, pair):
    build_history(pair, 12)
    c = client_for(author)
    first = c.get(thread_url(pair, task="connection"))
    assert len(weeks_of(first)) == 4
    assert f"task=connection&amp;before={first.context['next_before']}" in first.content.decode()
    second = c.get(thread_url(pair, task="connection", before=first.context["next_before"]))
    assert weeks_of(second) and max(weeks_of(second)) < min(weeks_of(first))
    assert all(
        e.task == "connection"
        for w in second.context["weeks"]
        for col in w["columns"]
        for e in col["entries"]
    )


# Who reads a thread ---------------------------------------------------------------------------
def test_the_supervisor_reads_the_thread_read_only(client_for, author, peer, pair, supervisor):
    entries = build_history(pair, 1)
    response = client_for(supervisor).get(thread_url(pair))
    assert response.status_code == 200
    assert [c["person"] for c in response.context["weeks"][0]["columns"]] == [author, peer]
    html = response.content.decode()
    assert "Co-reflection of Maya Okafor and Sam Lindqvist" in html
    assert "read-only for you" in html
    assert reverse("reflections:entry-create") not in html.split("<main", 1)[1].split("</form>", 1)[0]
    entry_page = client_for(supervisor).get(reverse("reflections:entry-detail", args=[entries[0].pk]))
    assert entry_page.status_code == 200
    assert 'id="note-form"' not in entry_page.content.decode()
    assert "Mark resolved" not in entry_page.content.decode()


@pytest.mark.parametrize("persona", ["other_supervisor", "stranger", "trainer", "trainee"])
def test_outsiders_do_not_find_the_thread(request, client_for, pair, persona):
    build_history(pair, 1)
    assert client_for(request.getfixturevalue(persona)).get(thread_url(pair)).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, pair):
    response = client.get(thread_url(pair))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("status", ["pending", "declined"])
def test_a_pair_that_never_started_has_no_thread(client_for, author, peer, team, status):
    pair = PeerPair.objects.create(team=team, inviter=author, invitee=peer, status=status)
    assert client_for(author).get(thread_url(pair)).status_code == 404
    assert client_for(peer).get(thread_url(pair)).status_code == 404


# Unread ---------------------------------------------------------------------------------------
def test_a_new_entry_is_marked_for_the_other_peer_until_seen(client_for, author, peer, pair):
    sams = Entry.objects.create(
        author=peer, task=Task.MUTUALITY, body="What J. taught me.", week=current_week(peer), pair=pair
    )
    c = client_for(author)
    first = c.get(thread_url(pair))
    card = {e.pk: e for w in first.context["weeks"] for col in w["columns"] for e in col["entries"]}[sams.pk]
    assert card.is_unread
    assert "is-unread" in first.content.decode()
    again = c.get(thread_url(pair))
    assert "is-unread" not in again.content.decode()
    # Sam never sees his own entry as new.
    assert "is-unread" not in client_for(peer).get(thread_url(pair)).content.decode()


def test_new_notes_are_marked_until_the_entry_is_read(client_for, author, peer, pair, shared_entry):
    seen_an_hour_ago(author, shared_entry)
    build_notes(shared_entry, peer, 2)
    c = client_for(author)
    assert "2 new notes" in c.get(thread_url(pair)).content.decode()
    entry_page = c.get(reverse("reflections:entry-detail", args=[shared_entry.pk])).content.decode()
    assert entry_page.count('class="unread-dot"') == 2
    assert "new note" not in c.get(thread_url(pair)).content.decode()
    again = c.get(reverse("reflections:entry-detail", args=[shared_entry.pk])).content.decode()
    assert 'class="unread-dot"' not in again


def test_the_dashboard_counts_what_is_new_in_each_thread(client_for, author, peer, pair, shared_entry):
    seen_an_hour_ago(author, shared_entry)
    for task in [Task.WORLDVIEW, Task.MUTUALITY]:
        Entry.objects.create(
            author=peer, task=task, body="Something new.", week=current_week(peer), pair=pair
        )
    build_notes(shared_entry, peer, 1)
    c = client_for(author)
    dashboard = c.get(DASHBOARD)
    assert dashboard.context["threads"][0].unread == 3  # two entries, one note
    assert "3 new" in dashboard.content.decode()
    # Sam's own writing is never new to him; Maya's shared entry he has not opened is.
    assert client_for(peer).get(DASHBOARD).context["threads"][0].unread == 1

    c.get(thread_url(pair))
    c.get(reverse("reflections:entry-detail", args=[shared_entry.pk]))
    after = c.get(DASHBOARD)
    assert after.context["threads"][0].unread == 0
    assert "You are up to date." in after.content.decode()


def test_the_dashboard_counts_agree_with_the_markers_on_each_entry(author, peer, team, pair):
    """The dashboard counts in the database, per thread, what the thread page marks entry by entry:
    entries never opened, and notes by others (on anyone's entry) since the entry was last seen."""
    from accounts.models import Membership, Role
    from tests.conftest import make_person

    entries = build_history(pair, 4, notes_per_entry=2)
    ines = make_person("ines.carvalho@riverside.example.org", "Inês Carvalho")
    Membership.objects.create(team=team, user=ines, role=Role.PEER)
    second = PeerPair.objects.create(team=team, inviter=ines, invitee=author, status=PeerPair.Status.ACTIVE)
    build_history(second, 2, notes_per_entry=1)
    sams = [e for e in entries if e.author_id == peer.pk]
    mayas = [e for e in entries if e.author_id == author.pk]
    seen_an_hour_ago(author, mayas[1])  # opened an hour ago: only Sam's note since then counts
    add_note(mayas[1], peer, body="Reading this again, I noticed how you named your part.")
    flows.mark_seen(author, [sams[1], mayas[0]])  # opened just now: nothing on them counts
    build_notes(mayas[2], author, 2)  # her own notes never count, even on her own entry
    build_notes(sams[2], author, 1)

    expected = {}
    for shown in flows.with_unread(Entry.objects.filter(pair__in=[pair, second]), author):
        expected[shown.pair_id] = expected.get(shown.pair_id, 0) + int(shown.is_unread) + shown.unread_notes
    counted = flows.unread_by_pair(author, [pair.pk, second.pk])
    assert counted == {pk: n for pk, n in expected.items() if n}
    # Sam's three unopened entries; Sam's note since she opened one of hers, and his two notes on
    # each of the two she has never opened. In the second thread, Inês's two entries and her note
    # on each of Maya's two.
    assert counted == {pair.pk: 3 + 1 + 2 * 2, second.pk: 2 + 2}
    assert flows.unread_by_pair(author, []) == {}


def test_a_supervisor_reading_does_not_clear_the_peers_markers(client_for, author, peer, pair, supervisor):
    Entry.objects.create(author=peer, task=Task.WORLDVIEW, body="New.", week=current_week(peer), pair=pair)
    client_for(supervisor).get(thread_url(pair))
    assert client_for(author).get(DASHBOARD).context["threads"][0].unread == 1
    assert "is-unread" not in client_for(supervisor).get(thread_url(pair)).content.decode()


def test_the_dashboard_shows_this_weeks_entries_by_task(
    client_for, author, pair, shared_entry, private_entry
):
    response = client_for(author).get(DASHBOARD)
    tiles = {t["task"].value: [e.pk for e in t["entries"]] for t in response.context["tiles"]}
    assert tiles == {
        "connection": [shared_entry.pk],
        "worldview": [private_entry.pk],
        "mutuality": [],
        "moving_towards": [],
    }
    html = response.content.decode()
    assert "What did I learn from them, and did I tell them?" in html  # an empty tile invites


def test_the_dashboard_lists_each_role_in_each_team_by_team_name(client_for, supervisor, other_team):
    """From the page's one lookup of memberships (the navigation's): names, roles, and the way to
    the members page for the teams one supervises."""
    from accounts.models import Membership, Role

    Membership.objects.create(team=other_team, user=supervisor, role=Role.PEER)
    page = client_for(supervisor).get(DASHBOARD).content.decode()
    teams = page[page.index('id="teams-heading"') :]
    harbour = teams.index("<strong>Harbour Street Peer Centre</strong> — Peer worker")
    riverside = teams.index("<strong>Riverside Peer Respite</strong> — Supervisor")
    assert harbour < riverside
    assert teams.count("Members and invitations") == 1
    assert "— Riverside Peer Respite</span>" in teams


def test_someone_without_a_team_is_shown_how_to_start_one(db, client_for):
    from tests.conftest import make_person

    newcomer = make_person("ines.carvalho@riverside.example.org", "Inês Carvalho")
    page = client_for(newcomer).get(DASHBOARD).content.decode()
    assert "You are not part of a team yet." in page
