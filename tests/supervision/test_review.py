"""Reviewing a thread: review notes are dialogue both peers read and answer; a supervisor marks a
week reviewed; every read of someone else's writing is recorded and shown to its writer."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Membership, Role
from reflections import flows
from reflections.models import Entry, PeerPair, Task
from reflections.weeks import current_week
from supervision.models import ReadRecord, ReviewNote, ReviewReply, WeekReview
from tests.conftest import make_person, share_weekly


@pytest.fixture
def pair(author, peer, team):
    return PeerPair.objects.create(team=team, inviter=author, invitee=peer, status=PeerPair.Status.ACTIVE)


@pytest.fixture
def shared_entry(author, pair):
    entry = Entry.objects.create(
        author=author,
        task=Task.MUTUALITY,
        title="Learning from J.",
        body="J. showed me how she plans her week around the bus timetable.",
        week=current_week(author),
    )
    flows.share_entry(entry, pair)
    return entry


def week_url(name, pair, week):
    return reverse(f"supervision:{name}", args=[pair.pk, week.isoformat()])


def test_a_review_note_reaches_both_peers_who_can_answer_it(
    client_for, supervisor, author, peer, pair, shared_entry
):
    rosa = client_for(supervisor)
    response = rosa.post(
        week_url("review-note-create", pair, shared_entry.week),
        {"body": "I noticed how you **named power** together. What made that possible?"},
    )
    assert response.status_code == 302
    note = ReviewNote.objects.get()
    assert (note.author, note.pair, note.week) == (supervisor, pair, shared_entry.week)
    assert "<strong>named power</strong>" in note.body_html

    thread = reverse("reflections:thread-detail", args=[pair.pk])
    for person in (author, peer):
        page = client_for(person).get(thread).content.decode()
        assert "<strong>named power</strong>" in page
        assert "Rosa Delgado" in page

    client_for(author).post(
        reverse("supervision:review-reply-create", args=[note.pk]),
        {"body": "Being listened to without an agenda helped."},
    )
    assert ReviewReply.objects.get().author == author
    assert "Being listened to without an agenda helped." in rosa.get(thread).content.decode()


def test_the_teams_other_supervisors_read_review_notes_too(client_for, supervisor, team, pair, shared_entry):
    ReviewNote.objects.create(
        pair=pair, week=shared_entry.week, author=supervisor, body="Witnessing your week."
    )
    colleague = make_person("ana.pereira@riverside.example.org", "Ana Pereira")
    Membership.objects.create(team=team, user=colleague, role=Role.SUPERVISOR)
    page = client_for(colleague).get(reverse("reflections:thread-detail", args=[pair.pk])).content.decode()
    assert "Witnessing your week." in page


def test_an_empty_review_note_is_refused_with_a_message(client_for, supervisor, pair, shared_entry):
    response = client_for(supervisor).post(
        week_url("review-note-create", pair, shared_entry.week), {"body": ""}, follow=True
    )
    assert "Write your note before saving it." in response.content.decode()
    assert not ReviewNote.objects.exists()


def test_a_refused_review_reply_comes_back_as_typed_in_its_open_box(
    client_for, supervisor, author, pair, shared_entry
):
    note = ReviewNote.objects.create(
        pair=pair, week=shared_entry.week, author=supervisor, body="What helped?"
    )
    other = ReviewNote.objects.create(pair=pair, week=shared_entry.week, author=supervisor, body="And J.?")
    too_long = (
        "Planning around the bus timetable was J.'s idea, and I noticed I wanted to take it over. " * 230
    )
    maya = client_for(author)
    response = maya.post(
        reverse("supervision:review-reply-create", args=[note.pk]), {"body": too_long}, follow=True
    )
    html = response.content.decode()
    assert "Ensure this value has at most 20000 characters" in html
    boxes = re.findall(
        r'<details class="reply-box"( open)?>(?:(?!</details>).)*?id="review-reply-(\d+)"[^>]*>\n([^<]*)</textarea>',
        html,
        re.S,
    )
    assert {int(pk): (bool(opened), text) for opened, pk, text in boxes} == {
        note.pk: (True, escape(too_long)),
        other.pk: (False, ""),
    }
    assert not ReviewReply.objects.exists()
    # Shown once: the draft is not kept for later visits.
    assert escape(too_long) not in maya.get(pair.get_absolute_url()).content.decode()


def test_a_review_draft_waits_for_its_own_thread(client_for, supervisor, author, team, pair, shared_entry):
    """Another thread opened before the redirect lands (another tab) leaves the draft alone."""
    li = make_person("li.wei@riverside.example.org", "Li Wei")
    Membership.objects.create(team=team, user=li, role=Role.PEER)
    another = PeerPair.objects.create(team=team, inviter=author, invitee=li, status=PeerPair.Status.ACTIVE)
    rosa = client_for(supervisor)
    typed = "I wonder what made the planning feel shared this time. " * 400
    rosa.post(week_url("review-note-create", pair, shared_entry.week), {"body": typed})
    assert escape(typed) not in rosa.get(another.get_absolute_url()).content.decode()
    assert escape(typed) in rosa.get(pair.get_absolute_url()).content.decode()
    assert not ReviewNote.objects.exists()


def test_a_review_draft_for_a_week_off_the_page_is_kept_until_that_week_is_shown(
    client_for, supervisor, author, pair
):
    """The thread opened at its newest weeks (another tab, a bookmark) before the redirect lands
    on an older week: the draft is not there to show, so it is kept, and the page says where."""
    oldest = share_weekly(author, pair)[-1].week
    rosa = client_for(supervisor)
    typed = "I wonder what changed for you both after the allotment week. " * 400
    redirect = rosa.post(week_url("review-note-create", pair, oldest), {"body": typed})
    newest_page = rosa.get(pair.get_absolute_url()).content.decode()
    assert escape(typed) not in newest_page
    assert "is not sent yet" in newest_page and "Go to that week" in newest_page
    assert escape(redirect.url.split("#")[0]) in newest_page  # a link to the page with that week
    page = rosa.get(redirect.url).content.decode()
    assert escape(typed) in page
    assert escape(typed) not in rosa.get(redirect.url).content.decode()  # shown once, then gone
    assert not ReviewNote.objects.exists()


def test_a_review_draft_whose_week_was_unshared_meanwhile_is_shown_to_copy(
    client_for, supervisor, author, pair, shared_entry
):
    rosa = client_for(supervisor)
    typed = "What would it look like to plan the next visit together with J.? " * 400
    redirect = rosa.post(week_url("review-note-create", pair, shared_entry.week), {"body": typed})
    flows.unshare_entry(shared_entry)  # the week's only writing, so the week leaves the thread
    page = rosa.get(redirect.url).content.decode()
    assert "It can no longer be sent there" in page
    assert f'<textarea id="draft-elsewhere" rows="4" readonly>\n{escape(typed)}</textarea>' in page
    assert "is not sent yet" not in rosa.get(redirect.url).content.decode()  # taken: shown once


def test_a_review_draft_is_kept_while_a_task_filter_hides_its_week(client_for, supervisor, author, pair):
    oldest = share_weekly(author, pair)[-1].week
    rosa = client_for(supervisor)
    typed = "What did the allotment week teach you both about asking? " * 400
    redirect = rosa.post(week_url("review-note-create", pair, oldest), {"body": typed})
    filtered = rosa.get(redirect.url.split("#")[0] + "&task=worldview").content.decode()
    assert "Go to that week" in filtered and escape(typed) not in filtered
    assert escape(typed) in rosa.get(redirect.url).content.decode()


@pytest.mark.parametrize("meanwhile", ["the pair ended", "the note answered was deleted"])
def test_a_review_draft_with_no_form_left_is_given_back_to_copy(
    client_for, supervisor, author, pair, shared_entry, meanwhile
):
    note = ReviewNote.objects.create(
        pair=pair, week=shared_entry.week, author=supervisor, body="What helped?"
    )
    maya = client_for(author)
    typed = "Being listened to without an agenda helped, and so did the walk. " * 400
    redirect = maya.post(reverse("supervision:review-reply-create", args=[note.pk]), {"body": typed})
    if meanwhile == "the pair ended":
        pair.status, pair.ended = PeerPair.Status.ENDED, timezone.now()
        pair.save()
    else:
        note.delete()
    page = maya.get(redirect.url).content.decode()
    assert "It can no longer be sent there" in page
    assert f"readonly>\n{escape(typed)}</textarea>" in page
    assert "It can no longer be sent there" not in maya.get(redirect.url).content.decode()


def test_an_ended_pairs_thread_takes_no_new_review_notes_or_replies(
    client_for, supervisor, author, pair, shared_entry
):
    note = ReviewNote.objects.create(
        pair=pair, week=shared_entry.week, author=supervisor, body="What helped?"
    )
    pair.status, pair.ended = PeerPair.Status.ENDED, timezone.now()
    pair.save()
    rosa, maya = client_for(supervisor), client_for(author)
    refused_note = rosa.post(
        week_url("review-note-create", pair, shared_entry.week), {"body": "One more thought."}
    )
    refused_reply = maya.post(
        reverse("supervision:review-reply-create", args=[note.pk]), {"body": "Thank you."}
    )
    assert (refused_note.status_code, refused_reply.status_code) == (403, 403)
    assert not ReviewReply.objects.exists() and ReviewNote.objects.count() == 1
    for client in (rosa, maya):
        page = client.get(pair.get_absolute_url()).content.decode()
        assert "What helped?" in page  # still readable
        assert reverse("supervision:review-reply-create", args=[note.pk]) not in page
        assert 'name="body"' not in page
    assert "Mark this week reviewed" in rosa.get(pair.get_absolute_url()).content.decode()


def test_marking_a_week_reviewed_toggles_and_shows_on_the_team_page(
    client_for, supervisor, team, pair, shared_entry
):
    rosa = client_for(supervisor)
    url = week_url("week-reviewed", pair, shared_entry.week)
    rosa.post(url)
    assert WeekReview.objects.filter(pair=pair, week=shared_entry.week, supervisor=supervisor).exists()
    team_page = rosa.get(reverse("supervision:team-detail", args=[team.pk])).content.decode()
    assert "reviewed by you" in team_page
    assert "You have read everything shared in these weeks." in team_page
    rosa.post(url)
    assert not WeekReview.objects.exists()


def test_the_review_queue_lists_unreviewed_weeks_oldest_first(client_for, supervisor, team, author, pair):
    this_week = current_week(author)
    for weeks_ago in (0, 2):
        entry = Entry.objects.create(
            author=author,
            task=Task.CONNECTION,
            body="A shared reflection.",
            week=this_week - dt.timedelta(weeks=weeks_ago),
        )
        flows.share_entry(entry, pair)
    queue = client_for(supervisor).get(reverse("supervision:team-detail", args=[team.pk])).context["queue"]
    assert [item["week"] for item in queue] == sorted(item["week"] for item in queue)
    assert len(queue) == 2


def test_reads_by_peer_and_supervisor_are_recorded_and_shown_to_the_writer(
    client_for, supervisor, author, peer, pair, shared_entry
):
    entry_url = reverse("reflections:entry-detail", args=[shared_entry.pk])
    client_for(peer).get(entry_url)
    client_for(supervisor).get(reverse("reflections:thread-detail", args=[pair.pk]))
    client_for(author).get(entry_url)  # the writer's own reads are not recorded

    readers = set(ReadRecord.objects.values_list("reader__display_name", flat=True))
    assert readers == {"Sam Lindqvist", "Rosa Delgado"}
    assert not ReadRecord.objects.filter(reader=author).exists()

    page = client_for(author).get(entry_url).content.decode()
    assert "Sam Lindqvist" in page and "Rosa Delgado" in page
    assert "Who has opened it" in page
    thread_page = (
        client_for(author).get(reverse("reflections:thread-detail", args=[pair.pk])).content.decode()
    )
    assert "Who has opened your writing in this thread" in thread_page


def test_the_thread_page_sums_up_reads_by_reader(client_for, supervisor, author, peer, pair, shared_entry):
    """One line per reader, however many reads: how many weeks of my writing, how often, when
    last. The thread's own reads of the peer's writing, and my own reads, are not in it."""
    last_week = current_week(author) - dt.timedelta(weeks=1)
    older = Entry.objects.create(
        author=author, task=Task.CONNECTION, body="The drop-in was quiet today.", week=last_week
    )
    flows.share_entry(older, pair)
    thread_url = reverse("reflections:thread-detail", args=[pair.pk])
    for _visit in range(3):
        client_for(supervisor).get(thread_url)
    client_for(peer).get(reverse("reflections:entry-detail", args=[shared_entry.pk]))

    page = client_for(author).get(thread_url).content.decode()
    reads = re.search(r'<details class="reads">.*?</details>', page, re.S).group(0)
    lines = re.findall(r"<li>(.*?)</li>", reads, re.S)
    assert len(lines) == 2
    rosa = next(line for line in lines if "Rosa Delgado" in line)
    sam = next(line for line in lines if "Sam Lindqvist" in line)
    # Three visits, each recording the two weeks on screen.
    assert "2 weeks of your writing" in rosa and "opened 6 times" in rosa
    assert "one week of your writing" in sam and "opened once" in sam


def test_read_records_hold_no_text(client_for, peer, shared_entry):
    client_for(peer).get(reverse("reflections:entry-detail", args=[shared_entry.pk]))
    record = ReadRecord.objects.get()
    values = " ".join(str(v) for v in ReadRecord.objects.values().get().values())
    assert "bus timetable" not in values
    assert record.entry == shared_entry


def who_can_read(response):
    return re.search(r'<aside class="who-can-read".*?</aside>', response.content.decode(), re.S).group(0)


def test_who_can_read_follows_supervisors_joining_and_leaving(client_for, team, author, pair, shared_entry):
    url = reverse("reflections:entry-detail", args=[shared_entry.pk])
    newcomer = make_person("lou.baptiste@riverside.example.org", "Lou Baptiste")
    maya = client_for(author)
    assert "Lou Baptiste" not in who_can_read(maya.get(url))
    membership = Membership.objects.create(team=team, user=newcomer, role=Role.SUPERVISOR)
    assert "Lou Baptiste" in who_can_read(maya.get(url))
    assert client_for(newcomer).get(url).status_code == 200
    membership.delete()
    assert "Lou Baptiste" not in who_can_read(maya.get(url))
    assert client_for(newcomer).get(url).status_code == 404


def test_supervisors_never_see_private_entries_or_drafts(client_for, supervisor, author, pair):
    private = Entry.objects.create(
        author=author,
        task=Task.WORLDVIEW,
        title="Not ready",
        body="PRIVATE-SUPERVISION-5c1e",
        week=current_week(author),
    )
    rosa = client_for(supervisor)
    assert rosa.get(reverse("reflections:entry-detail", args=[private.pk])).status_code == 404
    for url in (
        reverse("reflections:thread-detail", args=[pair.pk]),
        reverse("supervision:team-detail", args=[pair.team_id]),
        reverse("reflections:dashboard"),
    ):
        assert "PRIVATE-SUPERVISION-5c1e" not in rosa.get(url).content.decode()
