"""Search, notifications, “Export my data”, “Delete my account” and the printable thread: their
part of the access table (tests/access.py imports it, and calls `build_world`).

The world adds: an unread notice for every signed-in persona (so “mark all as read” changes
something for each), a ready export of Maya's, and an unsubscribe link from Maya's digest.
"""

from __future__ import annotations

from django.urls import reverse

from accounts import export as exports
from notifications.emails import DIGEST, unsubscribe_token
from notifications.flows import Verb, notify
from tests.access import (
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    OK,
    PERSONAS,
    POST_ONLY,
    READ,
    Row,
    expect,
    harbour_street,
    redirect,
    saved,
)

SNAPSHOT = ["notifications.Notification", "notifications.Preferences", "accounts.DataExport"]


def build_world(w):
    for persona in PERSONAS:
        if persona != "anonymous":
            notify([w.user(persona)], verb=Verb.EXPORT_READY, url=reverse("accounts:export"))
    w.notice = w.author.notifications.latest("pk")
    w.export, _queued = exports.start(w.author)
    w.unsubscribe_token = unsubscribe_token(w.author, DIGEST)


def _unsubscribe_page(w):
    return reverse("notifications:unsubscribe", args=[w.unsubscribe_token])


SEARCH_THREAD = lambda w: {"q": "noticed", "thread": w.pair.pk, "order": "newest"}  # noqa: E731

ROWS = [
    # --- search ---
    # Anyone signed in may search; what they find is only what they may read (the leak check
    # holds every persona to the scenario's list of who may read each phrase).
    Row("search:results", get=expect(OK), query={"q": "noticed"}),
    Row("search:results", variant="no query", get=expect(OK)),
    Row(
        "search:results",
        variant="filtered to a thread",
        # A thread that is not theirs to read is not among the choices: the form says so (400).
        get=expect(INVALID, author=OK, peer=OK, supervisor=OK),
        query=SEARCH_THREAD,
    ),
    Row(
        "search:results",
        variant="filtered to another team's thread",
        get=expect(INVALID, other_supervisor=OK, dual_role=OK),
        query=lambda w: {"q": "keys", "thread": w.other_pair.pk},
    ),
    # --- notifications ---
    Row("notifications:list", get=expect(OK)),
    Row(
        "notifications:open",
        kwargs=lambda w: {"pk": w.notice.pk},
        # Opening it marks it read, then goes where it points; it is nobody else's to open.
        get=expect(NOT_FOUND, author=saved("accounts:export")),
    ),
    Row("notifications:mark-all-read", get=POST_ONLY, post=expect(saved("notifications:list"))),
    Row(
        "notifications:preferences",
        get=expect(OK),
        post=expect(saved("notifications:preferences")),
        data={"digest": "weekly", "reminder": "on", "reminder_day": "2", "reminder_hour": "18"},
    ),
    # The unsubscribe link works signed out, for whoever holds it: it stops Maya's digest only.
    Row(
        "notifications:unsubscribe",
        kwargs=lambda w: {"token": w.unsubscribe_token},
        get=expect(OK, anonymous=OK),
        post=expect(saved(_unsubscribe_page), anonymous=saved(_unsubscribe_page)),
    ),
    Row(
        "notifications:unsubscribe",
        variant="forged token",
        kwargs={"token": "eyJ1IjoxLCJ3IjoiZGlnZXN0In0:1tXyZa:forged-signature-0000000000"},
        get=expect(NOT_FOUND, anonymous=NOT_FOUND),
        post=expect(NOT_FOUND, anonymous=NOT_FOUND),
    ),
    # --- export my data ---
    Row("accounts:export", get=expect(OK), post=expect(saved("accounts:export"))),
    Row("accounts:export-download", kwargs=lambda w: {"pk": w.export.pk}, get=expect(NOT_FOUND, author=OK)),
    # --- delete my account: the page explains; deleting first asks for the password again ---
    Row(
        "accounts:delete",
        get=expect(OK),
        post=expect(redirect("account_reauthenticate")),
        data={"confirm": "on"},
    ),
    # --- the printable thread: for its two peers; supervisors read the thread but get no copy ---
    Row(
        "reflections:thread-export",
        kwargs=lambda w: {"pk": w.pair.pk},
        get=expect(NOT_FOUND, author=READ, peer=READ, supervisor=FORBIDDEN),
    ),
    Row(
        "reflections:thread-export",
        variant="an ended thread",
        kwargs=lambda w: {"pk": w.ended_pair.pk},
        get=expect(NOT_FOUND, author=READ, supervisor=FORBIDDEN),
    ),
    Row(
        "reflections:thread-export",
        variant="another team's thread",
        kwargs=lambda w: {"pk": w.other_pair.pk},
        get=harbour_street(FORBIDDEN),
    ),
]
