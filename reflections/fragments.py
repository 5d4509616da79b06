"""Rendered parts of pages, cached per viewer under keys that change with what they show.

The caller lists in the key what the fragment depends on — above all the versions of the threads
it shows (PeerPair.thread_version, raised in the same transaction as every change to a thread:
reflections.thread_versions); this module adds the template, the viewer, their language, time
zone and today's date (weeks are labelled relative to today). Changed data means a new key, so a
stale fragment is never served and nothing needs deleting: old fragments expire after
FRAGMENT_CACHE_SECONDS (0 turns the cache off). The versions live in the database, so a cache
per process (LocMemCache) is as correct as a shared one (Redis), only warm less often.

The view checks who may read what before it asks for a fragment, on every request; a fragment
only spares rendering what that person may already read. CSRF tokens are never cached: a
fragment is rendered with a placeholder that each response replaces with a fresh token."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

CSRF_PLACEHOLDER = "csrfTokenOfThisResponse"


def fragment_key(request, template_name, depends_on):
    raw = repr(
        (
            template_name,
            request.user.pk,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
            depends_on,
        )
    )
    return f"fragment:{hashlib.sha256(raw.encode()).hexdigest()}"


def render_fragment(request, template_name, depends_on, get_context):
    """The fragment's HTML: from the cache when its key is there, else rendered from
    get_context() (called only then) and stored."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    key = fragment_key(request, template_name, depends_on) if seconds else None
    html = cache.get(key) if key else None
    if html is None:
        html = render_to_string(template_name, {**get_context(), "csrf_token": CSRF_PLACEHOLDER}, request)
        if key:
            cache.set(key, html, seconds)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it
