"""Writing that is deleted, changed or made private leaves no rendering of it in the fragments
cache (reflections.fragments.forget_threads, issue 7): a cached page could no longer show it —
its thread has a new version — and now no copy of it is kept until it expires either."""

import pickle
import socket

import pytest
from django.core.cache import caches

from accounts import erasure
from accounts.models import Membership, Role
from ips_journal.cache import SharedClientRedisCache
from reflections import flows, fragments
from reflections.fragments import forget_threads
from reflections.models import Annotation, Entry, PeerPair, Reply
from supervision.models import ReviewNote
from tests.conftest import make_person
from tests.reflections.conftest import PASSAGE, add_note

pytestmark = pytest.mark.django_db

NOTE = "Reading this, I felt it loosen for me too. What did you say next?"
REPLY = "Nothing at first. We just let the kettle boil."
REVIEW = "How did Thursday go after this? Tell me at our next check-in."
HANDOVER = "Handover called R. resistant. From his side he was saying no to being decided for."


def cached_renderings():
    """Everything the fragments cache holds (in tests, a cache in this process's memory)."""
    return [str(pickle.loads(value)) for value in caches["fragments"]._cache.values()]  # noqa: S301 - our own store


def kept(text):
    return any(text in value for value in cached_renderings())


@pytest.fixture
def other_pair(team, author):
    """Maya's second thread, with Priya."""
    priya = make_person("priya.natarajan@riverside.example.org", "Priya Natarajan")
    Membership.objects.create(team=team, user=priya, role=Role.PEER)
    return PeerPair.objects.create(team=team, inviter=author, invitee=priya, status=PeerPair.Status.ACTIVE)


@pytest.fixture
def read_by_everyone(client_for, author, peer, supervisor):
    """The author, the peer and a supervisor each open the entry and the thread twice: the
    second visit, with nothing new to mark, is the one stored."""

    def read(entry):
        for person in (author, peer, supervisor):
            client = client_for(person)
            for _ in range(2):
                assert client.get(f"/entries/{entry.pk}/").status_code == 200
                assert client.get(f"/threads/{entry.pair_id}/").status_code == 200

    return read


# What goes from the renderings when each piece of writing is deleted or edited.
GONE = {"entry": "it sounded like an assessment", "note": NOTE, "reply": REPLY, "review note": REVIEW}


@pytest.mark.parametrize(
    "what, how",
    [
        ("entry", "delete"),
        ("entry", "edit"),
        ("note", "delete"),
        ("note", "edit"),
        ("reply", "delete"),
        ("reply", "edit"),
        ("review note", "delete"),
    ],
)
def test_changed_or_deleted_writing_leaves_no_rendering_behind(
    django_capture_on_commit_callbacks, read_by_everyone, shared_entry, author, peer, supervisor, what, how
):
    note = add_note(shared_entry, peer, PASSAGE, NOTE)
    reply = Reply.objects.create(annotation=note, author=author, body=REPLY)
    review = ReviewNote.objects.create(
        pair=shared_entry.pair, week=shared_entry.week, author=supervisor, body=REVIEW
    )
    read_by_everyone(shared_entry)
    for text in ("made tea together", *GONE.values()):
        assert kept(text)
    writing = {"entry": shared_entry, "note": note, "reply": reply, "review note": review}[what]
    with django_capture_on_commit_callbacks(execute=True):
        if how == "delete":
            type(writing).objects.get(pk=writing.pk).delete()
        else:
            writing.body = "On Tuesday we made tea. I want to think more before I write about it."
            writing.save()
    assert not kept(GONE[what])


def test_the_peers_erased_account_leaves_no_rendering_of_their_notes(
    django_capture_on_commit_callbacks, read_by_everyone, shared_entry, peer
):
    add_note(shared_entry, peer, PASSAGE, NOTE)
    read_by_everyone(shared_entry)
    assert kept(NOTE)
    with django_capture_on_commit_callbacks(execute=True):
        erasure.erase(peer)
    assert not kept(NOTE)


def test_a_supervisors_erased_account_leaves_no_rendering_of_their_review_notes(
    django_capture_on_commit_callbacks, read_by_everyone, shared_entry, supervisor
):
    """The thread outlives them: their review notes are what is forgotten."""
    ReviewNote.objects.create(pair=shared_entry.pair, week=shared_entry.week, author=supervisor, body=REVIEW)
    read_by_everyone(shared_entry)
    assert kept(REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        erasure.erase(supervisor)
    assert not kept(REVIEW)


def test_other_threads_keep_their_renderings(
    django_capture_on_commit_callbacks, client_for, read_by_everyone, shared_entry, author, peer, other_pair
):
    other = Entry.objects.create(
        author=author, task="worldview", title="Handover words", body=HANDOVER, week=shared_entry.week
    )
    flows.share_entry(other, other_pair)
    read_by_everyone(shared_entry)
    for _ in range(2):
        client_for(author).get(f"/entries/{other.pk}/")
    assert kept(HANDOVER)
    with django_capture_on_commit_callbacks(execute=True):
        Entry.objects.get(pk=shared_entry.pk).delete()
    assert not kept("made tea together")
    assert kept(HANDOVER)


def test_a_rendering_finished_after_its_writing_was_forgotten_is_not_kept(
    client_for, shared_entry, author, peer, monkeypatch
):
    """The note is deleted, and its thread's renderings forgotten, while the author's page is
    being rendered from what was read before: that rendering must not be stored."""
    note = add_note(shared_entry, peer, PASSAGE, NOTE)
    client = client_for(author)
    client.get(f"/entries/{shared_entry.pk}/")  # marks the note seen: not stored
    render = fragments.render_to_string

    def render_while_the_note_is_deleted(*args, **kwargs):
        html = render(*args, **kwargs)
        Annotation.objects.filter(pk=note.pk).delete()
        forget_threads({shared_entry.pair_id})  # as the deletion's commit would
        return html

    monkeypatch.setattr(fragments, "render_to_string", render_while_the_note_is_deleted)
    page = client.get(f"/entries/{shared_entry.pk}/")
    assert NOTE in page.content.decode()  # what was read when the page began
    assert not kept(NOTE)


def test_a_forgetting_the_cache_refused_is_tried_again_after_the_next_change(monkeypatch):
    calls = []

    def refuse_once(ids):
        calls.append(set(ids))
        if len(calls) == 1:
            raise ConnectionError("the cache did not answer")

    monkeypatch.setattr(fragments, "forget_threads", refuse_once)
    monkeypatch.setattr(fragments._pending, "ids", set(), raising=False)  # other tests never commit
    fragments.forget_threads_on_commit([5])
    with pytest.raises(ConnectionError):
        fragments._forget_pending()
    fragments.forget_threads_on_commit([6])
    fragments._forget_pending()
    assert calls == [{5}, {5, 6}]


def test_an_entry_made_private_again_leaves_no_rendering_behind(
    django_capture_on_commit_callbacks, read_by_everyone, shared_entry
):
    read_by_everyone(shared_entry)
    assert kept("made tea together")
    with django_capture_on_commit_callbacks(execute=True):
        flows.unshare_entry(shared_entry)
    assert not kept("made tea together")


def test_new_writing_leaves_the_renderings_to_expire(
    django_capture_on_commit_callbacks, read_by_everyone, shared_entry, peer
):
    """Adding only adds: the common case costs no search of the cache."""
    read_by_everyone(shared_entry)
    stored = len(cached_renderings())
    assert stored
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        add_note(shared_entry, peer, PASSAGE, NOTE)
        flows.toggle_resolved(shared_entry.annotations.get(), peer)
    assert callbacks == []
    assert len(cached_renderings()) == stored


def fill(cache):
    cache.set("fragment:thread-5:9f86d081", "the weeks of thread 5")
    cache.set("fragment:thread-55:60303ae2", "the weeks of thread 55")
    cache.set("fragment:thread-6:fd61a03a", "an entry of thread 6")
    cache.set("fragment:a4e624d6", "a team page")


def assert_only_threads_5_and_6_forgotten(cache):
    forget_threads({5, 6})
    assert cache.get("fragment:thread-5:9f86d081") is None
    assert cache.get("fragment:thread-6:fd61a03a") is None
    assert cache.get("fragment:thread-55:60303ae2") == "the weeks of thread 55"
    assert cache.get("fragment:a4e624d6") == "a team page"


def test_forgetting_threads_leaves_every_other_fragment():
    cache = caches["fragments"]
    fill(cache)
    assert_only_threads_5_and_6_forgotten(cache)


def redis_answers():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.parametrize("prefix", ["ips-journal-tests-fragments", "ips-journal-tests-[fragments]*?"])
def test_forgetting_threads_in_redis_leaves_every_other_fragment(settings, prefix):
    """Matched by Redis: a key prefix with a pattern's characters in it is matched literally."""
    backend = f"{SharedClientRedisCache.__module__}.{SharedClientRedisCache.__name__}"
    settings.CACHES = {
        **settings.CACHES,
        "fragments": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/13", "KEY_PREFIX": prefix},
    }
    cache = caches["fragments"]
    cache.clear()
    fill(cache)
    assert_only_threads_5_and_6_forgotten(cache)
    cache.clear()
