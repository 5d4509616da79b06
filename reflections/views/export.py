"""A printable copy of a thread, for either of its two peers."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.flows import record_reads

from .. import access
from ..models import Annotation, Entry, Reply
from ..weeks import current_week, week_label


def thread_export(request, pk):
    """The pair's shared writing, oldest week first, each entry with its notes and replies, on one
    page made for printing (or saving as PDF). Five queries however long the thread."""
    pair = access.thread_for_reading(request.user, pk)
    if not pair.has_member(request.user):
        raise PermissionDenied(_("The printable copy of a thread is for its two peers."))
    notes = Annotation.objects.select_related("author").prefetch_related(
        Prefetch("replies", queryset=Reply.objects.select_related("author"))
    )
    entries = list(
        Entry.objects.filter(pair=pair)
        .select_related("author")
        .prefetch_related(Prefetch("annotations", queryset=notes))
        .order_by("week", "created")
    )
    this_week = current_week(request.user)
    weeks = []
    for entry in entries:
        entry.notes = sorted(
            entry.annotations.all(), key=lambda n: (n.orphaned, n.start is None, n.start or 0, n.created)
        )
        if not weeks or weeks[-1]["week"] != entry.week:
            weeks.append({"week": entry.week, "label": week_label(entry.week, this_week), "entries": []})
        weeks[-1]["entries"].append(entry)
    # Reading the copy is reading the peer's writing: recorded like the thread page.
    record_reads(request.user, pair, sorted({e.week for e in entries if e.author_id != request.user.pk}))
    context = {
        "pair": pair,
        "peer": pair.other(request.user),
        "weeks": weeks,
        "readers": access.readers_of(pair),
        "made": timezone.now(),
    }
    return render(request, "reflections/thread_print.html", context)
