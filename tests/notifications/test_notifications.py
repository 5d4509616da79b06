"""In-app notifications: who hears of what, the list, unread counts, and what they never show."""

import pytest
from django.urls import reverse

from accounts import flows as account_flows
from accounts.models import Membership, Role
from notifications.flows import Verb, mark_read, notify
from notifications.models import Notification
from reflections import flows
from reflections.models import Entry, Task
from tests.search.world import NOTE_MARKER, PEER_MARKER, PRIVATE_MARKER, note, review_note

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")


def verbs(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("verb", flat=True))


# --- Who hears of what --------------------------------------------------------------------------


def test_each_event_reaches_the_people_it_concerns_and_never_the_one_who_did_it(journal):
    # journal: Maya shared an entry, Sam shared one, Sam wrote a note on Maya's, Maya replied,
    # Rosa left a review note, Sam replied to it.
    assert verbs(journal.author) == sorted([Verb.SHARED, Verb.ANNOTATED, Verb.REVIEW_NOTE, Verb.REVIEW_REPLY])
    assert verbs(journal.peer) == sorted([Verb.SHARED, Verb.REPLIED, Verb.REVIEW_NOTE])
    assert verbs(journal.supervisor) == [Verb.REVIEW_REPLY]
    assert verbs(journal.other_supervisor) == []
    # At Harbour Street, Hana shared with Kofi.
    assert verbs(journal.kofi) == [Verb.SHARED] and verbs(journal.hana) == []


def test_a_private_entry_notifies_nobody(author, pair_world):
    Entry.objects.create(author=author, task=Task.CONNECTION, body="Just for me.", week=pair_world.week)

    assert not Notification.objects.exists()


def test_a_note_on_your_own_entry_tells_your_peer(journal):
    note(journal.shared, journal.author, "Looking back at this one.")

    latest = Notification.objects.latest("pk")
    assert (latest.recipient, latest.actor, latest.verb) == (journal.peer, journal.author, Verb.ANNOTATED)
    assert latest.url.endswith(f"#note-{latest.target_id}")


def test_notify_refuses_a_target_that_is_not_writing(author, team):
    with pytest.raises(ValueError, match="not a registered kind"):
        notify([author], verb=Verb.SHARED, target=team)


# --- The list -------------------------------------------------------------------------------------


def test_the_list_says_who_did_what_and_never_what_they_wrote(client_for, journal):
    response = client_for(journal.author).get(LIST)

    assert response.status_code == 200
    assert "Sam Lindqvist wrote a note on a reflection in your thread." in response.text
    assert "Rosa Delgado left a review note on your thread." in response.text
    assert "Sam Lindqvist shared a reflection in your co-reflection thread." in response.text
    for written in (NOTE_MARKER, PEER_MARKER, "marigold", "Bus timetables", "The kettle conversation"):
        assert written not in response.text
    assert response.text.count('class="unread-dot"') == 4


def test_the_header_counts_unread_notifications(client_for, journal):
    response = client_for(journal.author).get(reverse("accounts:profile"))

    assert '<span class="site-notices__count">4<span class="visually-hidden"> unread</span>' in response.text


def test_opening_one_marks_it_read_and_goes_to_it(client_for, journal):
    notice = Notification.objects.get(recipient=journal.author, verb=Verb.ANNOTATED)
    client = client_for(journal.author)

    response = client.get(reverse("notifications:open", args=[notice.pk]))

    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{reverse('reflections:entry-detail', args=[journal.shared.pk])}#note-{journal.note.pk}"
    )
    notice.refresh_from_db()
    assert notice.read is not None
    assert client.get(response["Location"]).status_code == 200


def test_someone_elses_notification_cannot_be_opened(client_for, journal):
    notice = Notification.objects.get(recipient=journal.author, verb=Verb.ANNOTATED)

    response = client_for(journal.peer).get(reverse("notifications:open", args=[notice.pk]))

    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read is None


def test_mark_all_as_read(client_for, journal):
    client = client_for(journal.author)

    response = client.post(reverse("notifications:mark-all-read"))

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=journal.author, read__isnull=True).exists()
    assert Notification.objects.filter(recipient=journal.peer, read__isnull=True).exists()
    assert "site-notices__count" not in client.get(LIST).text


def test_an_entry_made_private_again_drops_out_and_stops_counting(client_for, author, peer, pair_world):
    entry = Entry.objects.create(author=author, task=Task.CONNECTION, body="For now.", week=pair_world.week)
    flows.share_entry(entry, pair_world.pair)
    flows.unshare_entry(entry)
    client = client_for(peer)

    response = client.get(LIST)

    assert "shared a reflection" not in response.text
    assert "Nothing new for now" in response.text
    assert not Notification.objects.filter(recipient=peer, read__isnull=True).exists()
    assert "site-notices__count" not in response.text  # the header counts nothing unread either
    notice = Notification.objects.get(recipient=peer)
    assert client.get(reverse("notifications:open", args=[notice.pk])).status_code == 404


def test_ending_a_supervisors_membership_removes_access_at_once(client_for, journal, supervisor, team):
    Membership.objects.create(team=team, user=journal.peer, role=Role.SUPERVISOR)  # the team keeps one
    client = client_for(supervisor)
    notice = Notification.objects.get(recipient=supervisor)
    thread = reverse("reflections:thread-detail", args=[journal.pair.pk])
    entry = reverse("reflections:entry-detail", args=[journal.shared.pk])
    assert client.get(thread).status_code == 200

    account_flows.remove_membership(Membership.objects.get(team=team, user=supervisor))

    assert client.get(thread).status_code == 404
    assert client.get(entry).status_code == 404
    assert client.get(reverse("notifications:open", args=[notice.pk])).status_code == 404
    assert "replied to a review note" not in client.get(LIST).text
    response = client.get(reverse("search:results"), {"q": "marigold"})
    assert "0 results" in response.text
    review = reverse("supervision:review-note-create", args=[journal.pair.pk, journal.week.isoformat()])
    assert client.post(review, {"body": "One more thought."}).status_code == 404


def test_a_notice_about_no_writing_is_shown_to_its_recipient(client_for, author):
    notify([author], verb=Verb.EXPORT_READY, url=reverse("accounts:export"))

    response = client_for(author).get(LIST)

    assert "Your data export is ready to download." in response.text


def test_mark_read_only_touches_the_persons_own(journal):
    assert mark_read(journal.author) == 4
    assert mark_read(journal.author) == 0
    assert Notification.objects.filter(recipient=journal.peer, read__isnull=True).count() == 3


def test_private_writing_is_never_in_a_notification(journal):
    for notice in Notification.objects.all():
        assert PRIVATE_MARKER not in f"{notice.message} {notice.url}"


# --- Query counts -----------------------------------------------------------------------------------

# The list: the session and the user (activity already recorded within the minute); marking
# unreadable ones read (one UPDATE); the page's count and rows (with their actors); the
# navigation's roles and unread count.
QUERIES_NOTIFICATION_LIST = 6


@pytest.mark.parametrize("count", [2, 60])
def test_the_list_takes_the_same_queries_for_few_and_many(
    client_for, journal, count, django_assert_num_queries
):
    for n in range(count):
        if n % 2:
            review_note(journal.pair, journal.week, journal.supervisor, f"Week note {n}.")
        else:
            note(journal.shared, journal.peer, f"Another thought, {n}.")
    client = client_for(journal.author)
    client.get(LIST)
    Notification.objects.filter(recipient=journal.author).update(read=None)

    with django_assert_num_queries(QUERIES_NOTIFICATION_LIST):
        response = client.get(LIST)

    assert response.status_code == 200
    assert response.text.count('class="notice ') == min(count + 4, 30)


@pytest.fixture
def pair_world(author, peer, team):
    from types import SimpleNamespace

    from reflections.models import PeerPair
    from reflections.weeks import current_week

    pair = PeerPair.objects.create(team=team, inviter=author, invitee=peer, status=PeerPair.Status.ACTIVE)
    return SimpleNamespace(pair=pair, week=current_week(author))
