import datetime as dt

from django.db.models import Count, Q
from django.shortcuts import render

from supervision.flows import readers_of_my_writing, record_reads, week_reviews
from supervision.forms import ReviewNoteForm

from .. import access, flows
from ..models import Entry, Task
from ..weeks import current_week, week_label

WEEKS_PER_PAGE = 4


def thread_detail(request, pk):
    """A pair's shared entries week by week, newest first, both peers side by side.

    Paginated by week with a keyset (`?before=<monday>`), so the page costs the same queries
    however long the history."""
    pair = access.thread_for_reading(request.user, pk)
    user = request.user
    is_peer = pair.has_member(user)
    entries = Entry.objects.filter(pair=pair)
    task = request.GET.get("task", "")
    if task in Task.values:
        entries = entries.filter(task=task)
    else:
        task = ""
    try:
        before = dt.date.fromisoformat(request.GET["before"]) if request.GET.get("before") else None
    except ValueError:
        before = None
    week_qs = entries.order_by("-week").values_list("week", flat=True).distinct()
    if before:
        week_qs = week_qs.filter(week__lt=before)
    weeks = list(week_qs[: WEEKS_PER_PAGE + 1])
    has_more = len(weeks) > WEEKS_PER_PAGE
    weeks = weeks[:WEEKS_PER_PAGE]

    page_entries = list(
        flows.with_unread(entries.filter(week__in=weeks), user)
        .annotate(
            note_count=Count("annotations", distinct=True),
            open_notes=Count("annotations", filter=Q(annotations__resolved__isnull=True), distinct=True),
        )
        .select_related("author")
        .order_by("-week", "created")
    )
    if not is_peer:  # unread markers belong to the two peers; supervisors track reviewed weeks
        for entry in page_entries:
            entry.is_unread, entry.unread_notes = False, 0
    this_week = current_week(user)
    left, right = (user, pair.other(user)) if is_peer else (pair.inviter, pair.invitee)
    by_week = []
    for week in weeks:
        in_week = [e for e in page_entries if e.week == week]
        by_week.append(
            {
                "week": week,
                "label": week_label(week, this_week),
                "columns": [
                    {"person": left, "entries": [e for e in in_week if e.author_id == left.pk]},
                    {"person": right, "entries": [e for e in in_week if e.author_id == right.pk]},
                ],
            }
        )
    reviews = week_reviews(pair, weeks, user)
    for week in by_week:
        week.update(reviews[week["week"]])
    if is_peer:
        # A card shows a new entry, so seeing it here clears its "New"; but a card only counts
        # notes, so an entry with new notes stays unread until it is opened (entry page), and an
        # entry seen before keeps its seen time — new notes stay marked until read.
        flows.mark_seen(user, [e for e in page_entries if e.is_unread and not e.unread_notes])
    # A read of someone else's writing is recorded (weeks on screen that hold it), so authors
    # can see who read their writing and when.
    record_reads(user, pair, sorted({e.week for e in page_entries if e.author_id != user.pk}))
    draft = request.session.pop("review_note_draft", None)
    context = {
        "pair": pair,
        "is_peer": is_peer,
        "peer": pair.other(user) if is_peer else None,
        "weeks": by_week,
        "task": task,
        "tasks": Task.choices,
        "next_before": weeks[-1].isoformat() if has_more and weeks else "",
        "readers": access.readers_of(pair),
        "reads": readers_of_my_writing(pair, user) if is_peer else None,
        "is_supervisor": not is_peer,
        "review_draft": draft if draft and draft.get("pair") == pair.pk else None,
        "review_form": ReviewNoteForm(),
    }
    return render(request, "reflections/thread_detail.html", context)
