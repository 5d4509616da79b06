"""ips_journal.cache: Django's Redis cache with one redis-py client per connection pool."""

import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from ips_journal.cache import SharedClientRedisCache

REDIS = ("127.0.0.1", 6379)


def redis_cache(location, **options):
    return SharedClientRedisCache(location, {"KEY_PREFIX": "ips-journal-tests", "OPTIONS": options})


def redis_answers():
    try:
        socket.create_connection(REDIS, timeout=0.2).close()
    except OSError:
        return False
    return True


def test_every_call_shares_the_client_of_its_pool():
    """No connection is made to build clients: this holds without a Redis server."""
    cache = redis_cache("redis://127.0.0.1:6379/13")
    client = cache._cache.get_client("a key", write=True)
    assert cache._cache.get_client("another key") is client
    assert cache._cache.get_client(write=True) is client


def test_replicas_each_have_their_own_client():
    cache = redis_cache("redis://primary.example.org:6379/0,redis://replica.example.org:6379/0")
    writes = cache._cache.get_client(write=True)
    reads = cache._cache.get_client()  # the only replica
    assert reads is not writes
    assert reads is cache._cache.get_client()
    assert writes.connection_pool.connection_kwargs["host"] == "primary.example.org"
    assert reads.connection_pool.connection_kwargs["host"] == "replica.example.org"


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_the_shared_client_serves_threads_at_once():
    """What the app's threads (gunicorn gthread workers) do through one client at the same time."""
    cache = redis_cache("redis://127.0.0.1:6379/13")
    cache.clear()

    def write_and_read(n):
        key = f"week-review:{n}"
        cache.set(key, {"pair": n, "reviewed_by": "Rosa Jiménez"}, 30)
        return cache.get(key)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(write_and_read, range(200)))
    assert results == [{"pair": n, "reviewed_by": "Rosa Jiménez"} for n in range(200)]
    assert cache.get_many([f"week-review:{n}" for n in (3, 7)]) == {
        "week-review:3": {"pair": 3, "reviewed_by": "Rosa Jiménez"},
        "week-review:7": {"pair": 7, "reviewed_by": "Rosa Jiménez"},
    }
    cache.clear()
