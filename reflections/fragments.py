"""Rendered parts of pages, cached per reader under keys that change with what they show.

The caller lists in the key what the fragment depends on — above all the versions of the threads
it shows (PeerPair.thread_version, changed in the same transaction as every change to a thread:
reflections.thread_versions); the key adds the template, the reader, their language, time zone
and today's date (weeks are labelled relative to today). Changed data means a new key, so a
stale fragment is never served and nothing needs deleting: old fragments expire after
FRAGMENT_CACHE_SECONDS (0 turns the cache off). They are kept in a cache of their own
("fragments"), so they never push out the rate limits' counters. The versions live in the
database, so a cache per process (LocMemCache) is as correct as a shared one (Redis), only warm
less often.

What is new to a reader is part of what a thread's pages show: new entries and notes change the
version, so a fragment showing nothing new never hides what arrived since. Seeing them changes
only the reader's own version of the thread (reflections.models.ThreadSeen, in the thread page's
key; reflections.flows.mark_seen), and a rendering that marks something new is not stored where
the key does not change once it is seen (the entry page), so a fragment showing something as new
is not shown once it has been seen — and no other reader's fragments are rendered again.

The view checks who may read what before it asks for a fragment, on every request; a fragment
only spares rendering what that person may read already. CSRF tokens are never cached: a
fragment is rendered with a placeholder that each response replaces with a fresh token — random
for each rendering, so no one can write it into their text and have it replaced with a reader's
token.

A fragment that shows a thread's writing is stored under that thread's id as well, so when writing
is deleted, changed or made private, every rendering of the thread is deleted once the change
commits (forget_threads_on_commit): no copy of it stays in the cache's memory until it expires.
New writing only adds, and leaves the older renderings to expire under keys nobody asks for."""

import hashlib
import re
import secrets
import threading

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

# Changes when what a fragment is stored with changes, so a release never reads fragments that
# an earlier one stored in another form.
STORED_FORM = 2


def fragment_key(request, template_name, depends_on, *, thread=None):
    """The cache key of a fragment for this reader, or None when the cache is off. `thread`: the
    PeerPair whose writing it shows, so that its renderings can be found and deleted."""
    if not settings.FRAGMENT_CACHE_SECONDS:
        return None
    raw = repr(
        (
            STORED_FORM,
            template_name,
            request.user.pk,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
            depends_on,
        )
    )
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"{_thread_prefix(thread.pk)}{digest}" if thread is not None else f"fragment:{digest}"


def _thread_prefix(thread):
    return f"fragment:thread-{thread}:"


def _glob_escaped(text):
    """Text matched literally by a Redis MATCH pattern (a KEY_PREFIX may hold * ? [ ] or \\)."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def cached_fragment(request, key):
    """(html, facts) stored under the key, or None. `facts`: what the page learned while
    rendering the fragment and needs on every visit (e.g. whose writing it showed)."""
    found = caches["fragments"].get(key) if key else None
    if found is None:
        return None
    html, placeholder, facts = found
    return _with_token(request, html, placeholder), facts


def render_fragment(request, template_name, context, key=None, facts=None, *, thread=None):
    """Render the fragment; store it (with `facts`) when a key is given. `thread`: the PeerPair
    whose writing it shows, as read before rendering (with the thread_version in the key)."""
    placeholder = f"csrf{secrets.token_hex(16)}"
    html = render_to_string(template_name, {**context, "csrf_token": placeholder}, request)
    if key:
        cache = caches["fragments"]
        cache.set(key, (html, placeholder, facts), settings.FRAGMENT_CACHE_SECONDS)
        # Writing deleted while this rendering was made may have been forgotten already, before
        # it was stored: if the thread has moved on, take it back (else the change commits
        # after this check, and its forgetting finds this rendering).
        if thread is not None and not _still_current(thread):
            cache.delete(key)
    return _with_token(request, html, placeholder)


def _still_current(thread):
    return type(thread).objects.filter(pk=thread.pk, thread_version=thread.thread_version).exists()


def _with_token(request, html, placeholder):
    if placeholder in html:
        html = html.replace(placeholder, get_token(request))
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it


_pending = threading.local()  # each thread has its own database connection and transaction


def forget_threads_on_commit(pair_ids):
    """Once the current transaction commits, delete every cached rendering of these threads."""
    if not settings.FRAGMENT_CACHE_SECONDS:
        return
    ids = {pk for pk in pair_ids if pk is not None}
    if not ids:
        return
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    _pending.ids |= ids
    # One callback per change, but the first to run takes every pending id: deleting a whole
    # account forgets its threads in one pass. Ids left by a rolled-back transaction are
    # forgotten with the next commit's, which costs at most a rendering again.
    transaction.on_commit(_forget_pending, robust=True)  # a cache outage must not fail the change


def _forget_pending():
    ids, _pending.ids = getattr(_pending, "ids", set()), set()
    if ids:
        try:
            forget_threads(ids)
        except Exception:
            _pending.ids |= ids  # the cache did not answer: try again after the next change
            raise  # logged by on_commit(robust=True); the change itself stands


def forget_threads(pair_ids):
    """Delete the cached renderings of these threads, for every reader. Redis: a SCAN of the
    keys for each thread, matched by Redis itself (about 70 ms among 100,000 keys; deletions are
    rare and reads never pay for this); a cache in this process's memory: its keys, under its
    lock. Other backends keep them until they expire."""
    cache = caches["fragments"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        for pk in pair_ids:
            pattern = f"{_glob_escaped(cache.make_key(_thread_prefix(pk)))}*"
            doomed = list(client.scan_iter(match=pattern, count=10_000))
            for start in range(0, len(doomed), 500):
                client.delete(*doomed[start : start + 500])
    elif isinstance(cache, LocMemCache):
        prefixes = tuple(cache.make_key(_thread_prefix(pk)) for pk in pair_ids)
        with cache._lock:  # LocMemCache's own lock and store: it has no way to list keys
            for key in [key for key in cache._cache if key.startswith(prefixes)]:
                cache._delete(key)
