"""A thread's version changes with everything its pages show (issue 7: cached fragments are
keyed by it), in the same transaction, and is never written back from memory."""

import pytest

from accounts import flows as account_flows
from accounts.models import Membership
from reflections import flows
from reflections.models import Annotation, Entry, PeerPair, Reply, Task, ThreadSeen
from reflections.weeks import current_week
from supervision.models import ReviewNote, ReviewReply, WeekReview
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def version(pair):
    return PeerPair.objects.values_list("thread_version", flat=True).get(pk=pair.pk)


@pytest.fixture
def changes(pair):
    """changes(action) -> whether the pair's thread got a new version from it."""

    def _changes(action):
        before = version(pair)
        action()
        return version(pair) != before

    return _changes


def note(entry, author, body="What made that possible, do you think?"):
    return Annotation.objects.create(entry=entry, author=author, body=body)


def test_a_new_pair_starts_with_a_version_of_its_own(author, peer, stranger, team):
    first = PeerPair.objects.create(team=team, inviter=author, invitee=peer)
    second = PeerPair.objects.create(team=team, inviter=author, invitee=stranger)
    assert first.thread_version != second.thread_version


def test_sharing_editing_unsharing_and_deleting_an_entry_change_the_thread(changes, author, pair):
    entry = Entry.objects.create(
        author=author,
        task=Task.MUTUALITY,
        title="Bus timetable",
        body="J. taught me.",
        week=current_week(author),
    )
    assert changes(lambda: flows.share_entry(entry, pair))
    entry.title = "What J. taught me about the bus timetable"
    assert changes(entry.save)
    assert changes(lambda: flows.unshare_entry(Entry.objects.get(pk=entry.pk)))
    flows.share_entry(Entry.objects.get(pk=entry.pk), pair)
    assert changes(lambda: Entry.objects.get(pk=entry.pk).delete())


def test_unsharing_an_entry_loaded_without_its_thread_still_changes_that_thread(changes, shared_entry):
    def unshare():
        entry = Entry.objects.only("id", "title").get(pk=shared_entry.pk)
        entry.pair, entry.shared = None, None
        entry.save()

    assert changes(unshare)


def test_a_private_entry_changes_no_thread(changes, author):
    assert not changes(
        lambda: Entry.objects.create(
            author=author, task=Task.WORLDVIEW, body="Only mine for now.", week=current_week(author)
        )
    )


def test_notes_replies_and_their_changes_change_the_thread(changes, shared_entry, peer, author):
    made = []
    assert changes(lambda: made.append(note(shared_entry, peer)))
    assert changes(lambda: flows.toggle_resolved(made[0], author))
    assert changes(
        lambda: made.append(Reply.objects.create(annotation=made[0], author=author, body="The tea, I think."))
    )
    assert changes(made[1].delete)
    assert changes(made[0].delete)


def test_reviews_review_notes_and_their_replies_change_the_thread(changes, pair, supervisor, author):
    week = current_week(author)
    made = []
    assert changes(lambda: WeekReview.objects.create(pair=pair, week=week, supervisor=supervisor))
    assert changes(
        lambda: made.append(
            ReviewNote.objects.create(pair=pair, week=week, author=supervisor, body="Thank you.")
        )
    )
    assert changes(
        lambda: ReviewReply.objects.create(note=made[0], author=author, body="It helped to write.")
    )
    assert changes(made[0].delete)


def test_a_new_name_changes_the_threads_the_person_writes_in_or_reviews(changes, author, peer, supervisor):
    author.display_name = "Maya O."
    assert changes(author.save)
    supervisor.display_name = "Rosa D."
    assert changes(lambda: supervisor.save(update_fields=["display_name"]))
    # A supervisor who has left the team still signs the reviews they wrote there.
    Membership.objects.filter(user=supervisor).delete()
    WeekReview.objects.create(
        pair=author.pairs_started.get(), week=current_week(author), supervisor=supervisor
    )
    supervisor.display_name = "Rosa Delgado-Ruiz"
    assert changes(supervisor.save)
    # ...and the replies they wrote to others' review notes.
    colleague = make_person("noor.haddad@riverside.example.org", "Noor Haddad")
    other = PeerPair.objects.create(team=author.pairs_started.get().team, inviter=peer, invitee=colleague)
    note_by_colleague = ReviewNote.objects.create(
        pair=other, week=current_week(author), author=colleague, body="Hi."
    )
    ReviewReply.objects.create(note=note_by_colleague, author=supervisor, body="Seen, thank you.")
    before = version(other)
    supervisor.display_name = "Rosa D.-R."
    supervisor.save()
    assert version(other) != before
    # Signing in saves the person too, without changing what a thread shows.
    assert not changes(lambda: author.save(update_fields=["last_login"]))


def test_ending_the_pair_and_leaving_the_team_change_the_thread(changes, pair, author, peer):
    assert changes(lambda: flows.end_pair(PeerPair.objects.get(pk=pair.pk), author))
    other = PeerPair.objects.create(
        team=pair.team, inviter=author, invitee=peer, status=PeerPair.Status.ACTIVE
    )
    before = version(other)
    account_flows.remove_membership(Membership.objects.get(team=pair.team, user=peer))  # a bulk update
    assert version(other) != before
    assert PeerPair.objects.get(pk=other.pk).status == PeerPair.Status.ENDED


def test_saving_a_pair_never_writes_back_an_old_version(pair, shared_entry, peer):
    stale = PeerPair.objects.get(pk=pair.pk)
    note(shared_entry, peer)  # a new version, written by UPDATE
    current = version(pair)
    stale.message = "Thursdays, after the house meeting?"
    stale.save()
    assert version(pair) not in (current, stale.thread_version)  # the save itself is a change
    assert PeerPair.objects.get(pk=pair.pk).message == "Thursdays, after the house meeting?"


def test_seeing_what_was_new_changes_the_readers_view_of_the_thread_only(changes, pair, shared_entry, peer):
    """What is new to someone is part of what their own pages of the thread show them; everyone
    else's cached pages of it stay (ThreadSeen, not the thread's version)."""
    assert not changes(lambda: flows.mark_seen(peer, [shared_entry]))
    first = ThreadSeen.objects.get(user=peer, pair=pair).version
    flows.mark_seen(peer, [shared_entry])
    assert ThreadSeen.objects.get(user=peer, pair=pair).version != first
    assert not ThreadSeen.objects.exclude(user=peer).exists()
    assert not changes(lambda: flows.mark_seen(peer, []))
