"""Django's Redis cache with one redis-py client per connection pool.

Django's RedisCacheClient makes a new `redis.Redis` for every cache call, and redis-py 8 copies
its table of ~170 response callbacks into a fresh case-insensitive dict in each one: 0.1 ms of
CPU, most of a loopback GET, paid two or three times by every signed-in page (its session, its
cached fragments). A client holds no connection of its own — it takes one from the pool for each
command — so one per pool serves every call the same way. (Django keeps a cache object per
thread, so each thread of a gthread worker keeps its own client and pools; redis-py documents
clients as safe to share between threads anyway.)"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
