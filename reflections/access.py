"""One way in per object: views fetch through these, so outsiders get 404 and readers who may
not write get 403 (healthchecks' _get_check_for_user / _get_rw_check_for_user)."""

from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import Role, User

from .models import Annotation, Entry, PeerPair, Reply


def entry_for_reading(user, pk):
    # "training": whether it is a training journal entry (training.TrainingEntry), in the same query.
    return get_object_or_404(
        Entry.objects.visible_to(user).select_related(
            "author", "pair__inviter", "pair__invitee", "pair__team", "training"
        ),
        pk=pk,
    )


def entry_for_writing(user, pk):
    entry = entry_for_reading(user, pk)
    if entry.author_id != user.pk:
        raise PermissionDenied(_("Only the author can change this entry."))
    return entry


def thread_for_reading(user, pk, *, with_seen_version=False):
    """`with_seen_version`: also the version of what the user has seen in it (ThreadSeen), in
    the same query, for the cache keys of pages that mark what is new to them."""
    threads = PeerPair.objects.threads_for(user).select_related("inviter", "invitee", "team")
    if with_seen_version:
        threads = threads.with_seen_version(user)
    return get_object_or_404(threads, pk=pk)


def require_active_peer(user, pair):
    """Annotating and replying belong to the two peers of an active pair."""
    if pair is None or not pair.has_member(user):
        raise PermissionDenied(_("Only the two peers of this thread write notes here."))
    require_open_thread(pair)


def require_open_thread(pair):
    """An ended pair's thread stays readable, and nothing new is written into it (notes, replies,
    review notes)."""
    if not pair.is_active:
        raise PermissionDenied(_("This pair has ended; its thread stays readable but closed to new notes."))


def note_for_reading(user, pk):
    return get_object_or_404(
        Annotation.objects.visible_to(user).select_related("entry__pair", "author"), pk=pk
    )


def note_for_writing(user, pk):
    note = note_for_reading(user, pk)
    if note.author_id != user.pk:
        raise PermissionDenied(_("Only the note’s author can change it."))
    require_active_peer(user, note.entry.pair)
    return note


def reply_for_writing(user, pk):
    reply = get_object_or_404(
        Reply.objects.filter(annotation__in=Annotation.objects.visible_to(user)).select_related(
            "annotation__entry__pair"
        ),
        pk=pk,
    )
    if reply.author_id != user.pk:
        raise PermissionDenied(_("Only the reply’s author can change it."))
    require_active_peer(user, reply.annotation.entry.pair)
    return reply


class Reader(NamedTuple):
    """A supervisor named in "who can read this": small, so a cached fragment can keep the list
    (reflections.fragments; a team's supervisors changing gives its threads a new version).
    Stored in the cache: a change to its fields needs a new fragments.STORED_FORM."""

    pk: int
    name: str


def supervisors_of(pair):
    """The supervisors of the pair's team, by name."""
    rows = (
        User.objects.filter(memberships__team_id=pair.team_id, memberships__role=Role.SUPERVISOR)
        .order_by("display_name")
        .values_list("pk", "display_name", "email")
    )
    return [Reader(pk, User.name_from(display_name, email)) for pk, display_name, email in rows]


def readers_of(pair, supervisors=None):
    """Who can read a thread's writing, by name and role: the two peers and the supervisors of
    the pair's team — exactly the people the visibility contract names. `supervisors`: the
    pair's supervisors_of() when the caller has them already (kept with a cached fragment)."""
    if pair is None:
        return {"peers": [], "supervisors": []}
    if supervisors is None:
        supervisors = supervisors_of(pair)
    return {"peers": [pair.inviter, pair.invitee], "supervisors": supervisors, "team": pair.team}
