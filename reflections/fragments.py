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
token."""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

# Changes when what a fragment is stored with changes, so a release never reads fragments that
# an earlier one stored in another form.
STORED_FORM = 2


def fragment_key(request, template_name, depends_on):
    """The cache key of a fragment for this reader, or None when the cache is off."""
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
    return f"fragment:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_fragment(request, key):
    """(html, facts) stored under the key, or None. `facts`: what the page learned while
    rendering the fragment and needs on every visit (e.g. whose writing it showed)."""
    found = caches["fragments"].get(key) if key else None
    if found is None:
        return None
    html, placeholder, facts = found
    return _with_token(request, html, placeholder), facts


def render_fragment(request, template_name, context, key=None, facts=None):
    """Render the fragment; store it (with `facts`) when a key is given."""
    placeholder = f"csrf{secrets.token_hex(16)}"
    html = render_to_string(template_name, {**context, "csrf_token": placeholder}, request)
    if key:
        caches["fragments"].set(key, (html, placeholder, facts), settings.FRAGMENT_CACHE_SECONDS)
    return _with_token(request, html, placeholder)


def _with_token(request, html, placeholder):
    if placeholder in html:
        html = html.replace(placeholder, get_token(request))
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it
