"""Links reversed once per URL configuration and script prefix, for the links a page builds by
the dozen.

reverse() matches the route's pattern again for every link (about 50 µs each); an entry with 20
notes has some 60 links that differ only in an id. pk_url() reverses each route once with a
marker id and puts each link's id in the marker's place: the same string reverse() gives
(tests/reflections/test_journal_tags.py checks every route with one id). Templates use it as
`{% load journal %}{% pk_url "reflections:entry-detail" entry.pk %}`."""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# An id no route has in its fixed text, so it is found in the reversed URL exactly once.
MARKER = "8264019735"


def url_context():
    """What reverse() depends on besides the route and its arguments here: (script prefix,
    URLconf). Not the language: the app has no i18n_patterns (with them, add get_language())."""
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


@lru_cache(maxsize=1024)  # bounded: the script prefix comes from the server (SCRIPT_NAME)
def _around_marker(prefix, urlconf, name):
    """(text before the id, text after it) of the route's URL."""
    url = reverse(name, urlconf=urlconf, args=[MARKER])
    if url.count(MARKER) != 1:
        raise ValueError(f"{name}: the id marker is not found exactly once in {url}")
    before, _, after = url.partition(MARKER)
    return before, after


def pk_url(name, pk):
    """reverse(name, args=[pk]) for a route whose one argument is an integer id; NoReverseMatch,
    as reverse() raises, for anything else (None, a negative number, a bool, text with more)."""
    text = str(pk) if type(pk) is int or isinstance(pk, str) else ""
    if not (text.isascii() and text.isdigit()):
        raise NoReverseMatch(f"{name}: {pk!r} is not an id")
    before, after = _around_marker(*url_context(), name)
    return f"{before}{text}{after}"
