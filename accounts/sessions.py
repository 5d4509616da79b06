"""Sessions in the database, read through the shared cache (SESSION_ENGINE when REDIS_URL is set).

The database is the record; the cache only spares every signed-in page a query. So a cache that
fails never fails a request or keeps a session alive: reading falls back to the database and a
copy that cannot be stored is skipped (Django's cached_db would answer 500 on every signed-in
page while Redis is down), and ending a session removes the cached copy before and after the
database row — if the cache cannot be reached the session is not ended, and the error shows,
rather than ended in the database but still alive in the cache; the second removal catches a
copy a concurrent request put back meanwhile."""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger(__name__)


class SessionStore(CachedDBStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("Session cache unavailable; reading the session from the database", exc_info=True)
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        except Exception:
            logger.warning("Session cache unavailable; the session is not cached", exc_info=True)
        return data

    def exists(self, session_key):
        # Asked only when a new session key is made: the database knows every session.
        return DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is None:
            return
        cached = self.cache_key_prefix + session_key
        self._cache.delete(cached)
        DBStore.delete(self, session_key)
        self._cache.delete(cached)
