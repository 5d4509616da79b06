"""The kinds of writing of the reflections and supervision apps (see `registry`)."""

import datetime as dt
from dataclasses import replace

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ips_journal.links import pk_url

from .registry import Keys, Kind, Presented, get, register, register_scope


def _when(moment):
    return moment.isoformat() if moment else None


def _thread_name(pair):
    return _("%(first)s & %(second)s") % {"first": pair.inviter.name, "second": pair.invitee.name}


def _thread_where(pair):
    if pair is None:
        return _("Private — only you")
    return _("Co-reflection thread of %(thread)s") % {"thread": _thread_name(pair)}


def _training(entry):
    """The training journal link of an entry (training.TrainingEntry), when that app is in use."""
    try:
        return getattr(entry, "training", None)
    except ObjectDoesNotExist:
        return None


def _review_note_url(note):
    """The thread page showing the note's week (the thread pages by week, newest first)."""
    before = (note.week + dt.timedelta(days=7)).isoformat()
    return f"{pk_url('reflections:thread-detail', note.pair_id)}?before={before}#review-note-{note.pk}"


# --- Entries ----------------------------------------------------------------------------------


def _entry_title(entry):
    return entry.title or _("Untitled %(task)s reflection") % {"task": entry.get_task_display()}


def _present_entry(entry, user):
    if entry.pair_id:
        where = _thread_where(entry.pair)
    elif (training := _training(entry)) is not None:
        where = (
            _("Training journal — shared with the trainers")
            if training.shared
            else _("Training journal — private")
        )
    else:
        where = _thread_where(None)
    return Presented(
        title=_entry_title(entry),
        url=pk_url("reflections:entry-detail", entry.pk),
        task=entry.task,
        where=where,
    )


def _shared_with_trainers(entry):
    """The cohort whose trainers read this (training journal) entry, if it is shared with them."""
    training = _training(entry)
    return training.day.cohort_id if training is not None and training.shared else None


def _entry_keys(entry):
    # Entry.visible_to: the author; the thread it is shared into; the cohort's trainers.
    return Keys(
        owner=entry.author_id, thread=entry.pair_id, cohort=_shared_with_trainers(entry), task=entry.task
    )


def _on_shared_entry_keys(entry, task):
    # Annotation.visible_to: as the entry, only while the entry is shared into a thread.
    return replace(_entry_keys(entry), task=task) if entry.pair_id is not None else Keys(task=task)


def _note_keys(note):
    return _on_shared_entry_keys(note.entry, note.task or note.entry.task)


def _reply_keys(reply):
    note = reply.annotation
    return _on_shared_entry_keys(note.entry, note.task or note.entry.task)


def _export_entry(entry):
    training = _training(entry)
    if entry.pair_id:
        peer = entry.pair.other(entry.author)
        shared = {
            "where": "thread",
            "thread_id": entry.pair_id,
            "with": peer.name,
            "team": entry.pair.team.name,
            "shared_at": _when(entry.shared),
        }
    elif training is not None:
        shared = {
            "where": "training_trainers" if training.shared else "training_private",
            "shared_at": _when(training.shared),
        }
    else:
        shared = None
    return {
        "id": entry.pk,
        "title": entry.title,
        "task": entry.task,
        "week": entry.week.isoformat(),
        "body": entry.body,
        "created": _when(entry.created),
        "updated": _when(entry.updated),
        "version": entry.version,
        "shared": shared,
        "revisions": [
            {
                "version": revision.version,
                "task": revision.task,
                "title": revision.title,
                "body": revision.body,
                "written": _when(revision.created),
            }
            for revision in entry.revisions.all()
        ],
    }


# --- Notes and replies --------------------------------------------------------------------------


def _present_note(note, user):
    entry = note.entry
    task = note.task or entry.task
    return Presented(
        title=_("Note on “%(title)s”") % {"title": _entry_title(entry)},
        url=f"{pk_url('reflections:entry-detail', entry.pk)}#note-{note.pk}",
        task=task,
        where=_thread_where(entry.pair),
    )


def _export_note(note):
    own_entry = note.entry.author_id == note.author_id
    return {
        "id": note.pk,
        "entry_id": note.entry_id,
        "on_own_entry": own_entry,
        # The quoted passage is the entry author's writing: kept only when the entry is yours.
        "quote": note.exact if own_entry else None,
        "body": note.body,
        "task": note.task or None,
        "created": _when(note.created),
        "updated": _when(note.updated),
        "resolved": _when(note.resolved),
    }


def _present_reply(reply, user):
    entry = reply.annotation.entry
    return Presented(
        title=_("Reply to a note on “%(title)s”") % {"title": _entry_title(entry)},
        url=f"{pk_url('reflections:entry-detail', entry.pk)}#reply-{reply.pk}",
        task=reply.annotation.task or entry.task,
        where=_thread_where(entry.pair),
    )


def _export_reply(reply):
    return {
        "id": reply.pk,
        "note_id": reply.annotation_id,
        "entry_id": reply.annotation.entry_id,
        "body": reply.body,
        "created": _when(reply.created),
        "updated": _when(reply.updated),
    }


# --- Review notes -------------------------------------------------------------------------------


def _week_name(week):
    from reflections.weeks import week_label

    return week_label(week)


def _present_review_note(note, user):
    return Presented(
        title=_("Review note on %(week)s") % {"week": _week_name(note.week)},
        url=_review_note_url(note),
        where=_thread_where(note.pair),
    )


def _export_review_note(note):
    return {
        "id": note.pk,
        "thread_id": note.pair_id,
        "week": note.week.isoformat(),
        "body": note.body,
        "created": _when(note.created),
        "updated": _when(note.updated),
    }


def _present_review_reply(reply, user):
    note = reply.note
    return Presented(
        title=_("Reply to a review note on %(week)s") % {"week": _week_name(note.week)},
        url=_review_note_url(note),
        where=_thread_where(note.pair),
    )


def _export_review_reply(reply):
    return {
        "id": reply.pk,
        "review_note_id": reply.note_id,
        "body": reply.body,
        "created": _when(reply.created),
    }


def register_builtin_kinds():
    if get("entry") is not None:
        return
    from django.apps import apps

    from reflections.models import Annotation, Entry, PeerPair, Reply
    from supervision.models import ReviewNote, ReviewReply

    threads = PeerPair.objects.threads_for
    # Whoever may read a thread reads what is in it (Keys.thread).
    register_scope("thread", lambda user: threads(user).values_list("pk", flat=True))
    entry_related = ("pair__inviter", "pair__invitee", "pair__team", "author")
    note_related = ("entry__pair__inviter", "entry__pair__invitee", "author")
    reply_related = ("annotation__entry__pair__inviter", "annotation__entry__pair__invitee", "author")
    if apps.is_installed("training"):
        entry_related += ("training__day",)
        note_related += ("entry__training__day",)
        reply_related += ("annotation__entry__training__day",)

    register(
        Kind(
            key="entry",
            model="reflections.Entry",
            label=gettext_lazy("Reflection"),
            count_label=lambda n: ngettext("%(n)s reflection", "%(n)s reflections", n) % {"n": n},
            readable=lambda user: Entry.objects.visible_to(user),
            present=_present_entry,
            export=_export_entry,
            keys=_entry_keys,
            # The notes on an entry follow its thread and task.
            rekey=lambda entry: [
                ("annotation", Annotation.objects.filter(entry=entry)),
                ("reply", Reply.objects.filter(annotation__entry=entry)),
            ],
            select_related=entry_related,
            prefetch=("revisions",),
            index_fields=frozenset({"title", "body", "author", "created", "pair", "task"}),
            export_order=("week", "created", "pk"),
        )
    )
    register(
        Kind(
            key="annotation",
            model="reflections.Annotation",
            label=gettext_lazy("Note"),
            count_label=lambda n: (
                ngettext("%(n)s note on a reflection", "%(n)s notes on reflections", n) % {"n": n}
            ),
            readable=lambda user: Annotation.objects.visible_to(user),
            present=_present_note,
            export=_export_note,
            keys=_note_keys,
            rekey=lambda note: [("reply", Reply.objects.filter(annotation=note))],
            select_related=note_related,
            index_fields=frozenset({"body", "author", "created", "task"}),
        )
    )
    register(
        Kind(
            key="reply",
            model="reflections.Reply",
            label=gettext_lazy("Reply"),
            count_label=lambda n: ngettext("%(n)s reply to a note", "%(n)s replies to notes", n) % {"n": n},
            readable=lambda user: Reply.objects.filter(annotation__in=Annotation.objects.visible_to(user)),
            present=_present_reply,
            export=_export_reply,
            keys=_reply_keys,
            select_related=reply_related,
        )
    )
    register(
        Kind(
            key="review_note",
            model="supervision.ReviewNote",
            label=gettext_lazy("Review note"),
            count_label=lambda n: ngettext("%(n)s review note", "%(n)s review notes", n) % {"n": n},
            readable=lambda user: ReviewNote.objects.filter(pair__in=threads(user).values("pk")),
            present=_present_review_note,
            export=_export_review_note,
            keys=lambda note: Keys(thread=note.pair_id),
            select_related=("pair__inviter", "pair__invitee", "author"),
        )
    )
    register(
        Kind(
            key="review_reply",
            model="supervision.ReviewReply",
            label=gettext_lazy("Reply to a review note"),
            count_label=lambda n: (
                ngettext("%(n)s reply to a review note", "%(n)s replies to review notes", n) % {"n": n}
            ),
            readable=lambda user: ReviewReply.objects.filter(note__pair__in=threads(user).values("pk")),
            present=_present_review_reply,
            export=_export_review_reply,
            keys=lambda reply: Keys(thread=reply.note.pair_id),
            select_related=("note__pair__inviter", "note__pair__invitee", "author"),
        )
    )
