"""Telling people what happened. Other apps call `notify()` from their own flows (or one of the
small helpers below, which know who should hear about what).

Notifications are rows, created in the same transaction as the writing they are about; nothing
is emailed here. `send_due_notifications` turns unread ones into one digest per person, on the
schedule they chose.
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from search import registry

from .models import Notification, Verb

__all__ = ["Verb", "notify"]


def notify(recipients, *, verb, actor=None, target=None, url="", task="", week=None):
    """Tell each recipient (but never the actor) that `actor` did `verb`, about `target`.

    `target` is a piece of writing of a registered kind (search.registry): the notification is
    shown only while the recipient may read it. `url` is where it leads: a string, or a
    function of the recipient (the training journal links trainers and trainees differently).
    Returns the notifications created.
    """
    kind = registry.kind_of(target) if target is not None else None
    if target is not None and kind is None:
        raise ValueError(f"{target._meta.label} is not a registered kind of writing (search.registry).")
    now = timezone.now()
    seen, rows = set(), []
    for person in recipients:
        if person is None or person.pk in seen or (actor is not None and person.pk == actor.pk):
            continue
        seen.add(person.pk)
        rows.append(
            Notification(
                recipient=person,
                actor=actor,
                verb=verb,
                target_kind=kind.key if kind else "",
                target_id=target.pk if target is not None else None,
                task=task or "",
                week=week,
                url=url(person) if callable(url) else url,
                created=now,
            )
        )
    return Notification.objects.bulk_create(rows)


def _entry_url(entry, anchor=""):
    return reverse("reflections:entry-detail", args=[entry.pk]) + anchor


def entry_shared(entry):
    """The author shared an entry into a thread: their peer hears of it."""
    notify(
        [entry.pair.other(entry.author)],
        verb=Verb.SHARED,
        actor=entry.author,
        target=entry,
        url=_entry_url(entry),
        task=entry.task,
        week=entry.week,
    )


def note_written(note):
    """A note on a shared entry: the other peer of the thread hears of it."""
    entry, pair = note.entry, note.entry.pair
    notify(
        [pair.inviter, pair.invitee],
        verb=Verb.ANNOTATED,
        actor=note.author,
        target=note,
        url=_entry_url(entry, f"#note-{note.pk}"),
        task=note.task or entry.task,
        week=entry.week,
    )


def reply_written(reply):
    note = reply.annotation
    entry, pair = note.entry, note.entry.pair
    notify(
        [pair.inviter, pair.invitee],
        verb=Verb.REPLIED,
        actor=reply.author,
        target=reply,
        url=_entry_url(entry, f"#reply-{reply.pk}"),
        task=note.task or entry.task,
        week=entry.week,
    )


def _review_url(note):
    before = (note.week + dt.timedelta(days=7)).isoformat()
    return (
        f"{reverse('reflections:thread-detail', args=[note.pair_id])}?before={before}#review-note-{note.pk}"
    )


def review_note_written(note):
    """A supervisor's review note: both peers hear of it."""
    notify(
        [note.pair.inviter, note.pair.invitee],
        verb=Verb.REVIEW_NOTE,
        actor=note.author,
        target=note,
        url=_review_url(note),
        week=note.week,
    )


def review_reply_written(reply):
    """A reply to a review note: the note's author and both peers (except whoever replied)."""
    note = reply.note
    notify(
        [note.author, note.pair.inviter, note.pair.invitee],
        verb=Verb.REVIEW_REPLY,
        actor=reply.author,
        target=reply,
        url=_review_url(note),
        week=note.week,
    )


def mark_read(user, notifications=None):
    """Mark the user's unread notifications (or these ones) read; returns how many."""
    queryset = Notification.objects.filter(recipient=user, read__isnull=True)
    if notifications is not None:
        queryset = queryset.filter(pk__in=[n.pk for n in notifications])
    return queryset.update(read=timezone.now())
