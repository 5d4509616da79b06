"""Writing that is deleted, changed or made private leaves no rendering of it in the fragments
cache (reflections.fragments.forget_threads, issue 7): a cached page could no longer show it —
its thread has a new version — and now no copy of it is kept until it expires either."""

import pickle
import socket

import pytest
from django.core.cache import caches

from accounts import erasure
from ips_journal.cache import SharedClientRedisCache
from reflections import flows
from reflections.fragments import forget_threads
from reflections.models import Entry, Reply
from supervision.models import ReviewNote
from tests.reflections.conftest import PASSAGE, add_note

pytestmark = pytest.mark.django_db

NOTE = "Reading this, I felt it loosen for me too. What did you say next?"
REPLY = "Nothing at first. We just let the kettle boil."
REVIEW = "How did Thursday go after this? Tell me at our next check-in."


def cached_renderings():
    """Everything the fragments cache holds (in tests, a cache in this process's memory)."""
    return [str(pickle.loads(value)) for value in caches["fragments"]._cache.values()]  # noqa: S301 - our own store


def kept(text):
    return any(text in value for value in cached_renderings())


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


def delete_the_entry(entry, note, reply, review):
    Entry.objects.get(pk=entry.pk).delete()
    return "made tea together"


def edit_the_entry(entry, note, reply, review):
    entry.body = "On Tuesday D. and I made tea. I want to think more before I write about it."
    entry.save()
    return "it sounded like an assessment"


def delete_the_note(entry, note, reply, review):
    note.delete()
    return NOTE


def edit_the_note(entry, note, reply, review):
    note.body = "What did you say next?"
    note.save()
    return NOTE


def delete_the_reply(entry, note, reply, review):
    reply.delete()
    return REPLY


def edit_the_reply(entry, note, reply, review):
    reply.body = "We let the kettle boil."
    reply.save()
    return REPLY


def delete_the_review_note(entry, note, reply, review):
    review.delete()
    return REVIEW


def erase_the_peers_account(entry, note, reply, review):
    erasure.erase(note.author)
    return NOTE


@pytest.mark.parametrize(
    "change",
    [
        delete_the_entry,
        edit_the_entry,
        delete_the_note,
        edit_the_note,
        delete_the_reply,
        edit_the_reply,
        delete_the_review_note,
        erase_the_peers_account,
    ],
)
def test_changed_or_deleted_writing_leaves_no_rendering_behind(
    django_capture_on_commit_callbacks, read_by_everyone, shared_entry, author, peer, supervisor, change
):
    note = add_note(shared_entry, peer, PASSAGE, NOTE)
    reply = Reply.objects.create(annotation=note, author=author, body=REPLY)
    review = ReviewNote.objects.create(
        pair=shared_entry.pair, week=shared_entry.week, author=supervisor, body=REVIEW
    )
    read_by_everyone(shared_entry)
    for text in ("made tea together", "it sounded like an assessment", NOTE, REPLY, REVIEW):
        assert kept(text)
    with django_capture_on_commit_callbacks(execute=True):
        gone = change(shared_entry, note, reply, review)
    assert gone
    assert not kept(gone)


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
def test_forgetting_threads_in_redis_leaves_every_other_fragment(settings):
    backend = f"{SharedClientRedisCache.__module__}.{SharedClientRedisCache.__name__}"
    settings.CACHES = {
        **settings.CACHES,
        "fragments": {
            "BACKEND": backend,
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": "ips-journal-tests-fragments",
        },
    }
    cache = caches["fragments"]
    cache.clear()
    fill(cache)
    assert_only_threads_5_and_6_forgotten(cache)
    cache.clear()
