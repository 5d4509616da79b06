"""Sessions read through the shared cache (accounts.sessions, the engine when REDIS_URL is set).

The database stays the record: a cache that fails fails no page, and a session ended anywhere is
never served from the cache afterwards."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse

from accounts.sessions import SessionStore

DASHBOARD = reverse("reflections:dashboard")


@pytest.fixture(autouse=True)
def _sessions_through_the_cache(settings):
    settings.SESSION_ENGINE = "accounts.sessions"
    settings.SESSION_CACHE_ALIAS = "default"


@pytest.fixture
def redis_down(monkeypatch):
    """Every call to the sessions' cache fails, as when Redis cannot be reached."""
    cache = caches["default"]

    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def down():
        for method in ("get", "set", "delete", "has_key", "add"):
            monkeypatch.setattr(cache, method, unreachable)

    return down


def cached_copy(session_key):
    return caches["default"].get(SessionStore.cache_key_prefix + session_key)


def test_a_visit_reads_the_session_from_the_cache_once_it_is_there(client_for, author):
    client = client_for(author)
    assert client.get(DASHBOARD).status_code == 200
    key = client.cookies["sessionid"].value
    assert cached_copy(key) is not None
    assert Session.objects.filter(session_key=key).exists()  # the database stays the record


def test_pages_keep_working_while_the_cache_is_down(client_for, author, redis_down):
    client = client_for(author)
    redis_down()
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    assert "Maya Okafor" in page.text  # still signed in: read from the database


def test_a_session_ended_elsewhere_is_not_served_from_the_cache(client_for, author):
    """ "Sign out other devices" (allauth's user sessions) ends a session another browser holds."""
    laptop, phone = client_for(author), client_for(author)
    laptop.get(DASHBOARD)  # the laptop's session is cached now, and on the signed-in devices list
    phone.get(DASHBOARD)
    laptop_key = laptop.cookies["sessionid"].value
    UserSession.objects.get(user=author, session_key=laptop_key).end()
    assert cached_copy(laptop_key) is None
    assert laptop.get(DASHBOARD).status_code == 302  # to sign-in
    assert phone.get(DASHBOARD).status_code == 200


def test_signing_out_ends_the_cached_copy_too(client_for, author):
    client = client_for(author)
    client.get(DASHBOARD)
    key = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    assert cached_copy(key) is None
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_is_not_ended_when_the_cache_cannot_forget_it(client_for, author, redis_down):
    """Ended in the database but alive in the cache would outlive a sign-out; instead the sign-out
    fails visibly and the session stays whole."""
    client = client_for(author)
    client.get(DASHBOARD)
    key = client.cookies["sessionid"].value
    redis_down()
    with pytest.raises(ConnectionError):
        SessionStore(key).delete()
    assert Session.objects.filter(session_key=key).exists()


def test_a_copy_cached_while_the_session_ends_is_removed(client_for, author, monkeypatch):
    """A request that read the session just before its row went puts it back in the cache; the
    second removal, after the row is gone, catches it."""
    client = client_for(author)
    client.get(DASHBOARD)
    key = client.cookies["sessionid"].value
    delete_row = DBStore.delete

    def delete_while_another_request_caches(store, session_key=None):
        data = SessionStore(key).load()
        delete_row(store, session_key)
        caches["default"].set(SessionStore.cache_key_prefix + key, data)

    monkeypatch.setattr(DBStore, "delete", delete_while_another_request_caches)
    SessionStore(key).delete()
    assert cached_copy(key) is None
    assert client.get(DASHBOARD).status_code == 302
