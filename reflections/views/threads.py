import datetime as dt

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from supervision.flows import readers_of_my_writing, record_reads, week_reviews

from .. import access, flows
from ..fragments import cached_fragment, fragment_key, render_fragment
from ..models import Entry, Task
from ..weeks import current_week, week_label

WEEKS_PER_PAGE = 4


def thread_detail(request, pk):
    """A pair's shared entries week by week, newest first, both peers side by side.

    Paginated by week with a keyset (`?before=<monday>`), so the page costs the same queries
    however long the history. The weeks on screen are cached per reader and thread version
    and the version of what they have seen in it (reflections.fragments); a review note sent
    back to finish is shown without the cache."""
    pair = access.thread_for_reading(request.user, pk, with_seen_version=True)
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
    # A review note or reply that could not be saved (supervision.views._keep_draft) comes back
    # into its week's form, once: it is taken only by a page of its own thread that shows its
    # week, so another thread, or another page of this one, opened meanwhile keeps it.
    draft = request.session.get("review_note_draft")
    review_draft = draft if draft and draft.get("pair") == pair.pk else None
    draft_elsewhere = None

    partial = "reflections/thread_detail.html#weeks"
    key = (
        None
        if review_draft
        else fragment_key(
            request, partial, (pair.pk, pair.thread_version, pair.seen_version, task, before), thread=pair
        )
    )
    found = cached_fragment(request, key)
    if found:
        weeks_html, facts = found
    else:
        as_of = timezone.now()  # before the weeks are read: what arrives meanwhile stays new
        page_entries, weeks, has_more = _weeks_on_page(entries, before, user, is_peer)
        by_week = _by_week(pair, page_entries, weeks, user, is_peer)
        if review_draft:
            review_draft, draft_elsewhere = _draft_on_page(
                request, pair, review_draft, by_week, before, task, is_peer
            )
        # Kept with the fragment: they change only with the thread's version.
        facts = {
            "others_weeks": sorted({e.week for e in page_entries if e.author_id != user.pk}),
            "supervisors": access.supervisors_of(pair),
        }
        context = {
            "pair": pair,
            "is_peer": is_peer,
            "is_supervisor": not is_peer,
            "weeks": by_week,
            "task": task,
            "next_before": weeks[-1].isoformat() if has_more and weeks else "",
            "review_draft": review_draft,
        }
        # A card shows a new entry, so seeing it here clears its "New" and gives the reader a new
        # ThreadSeen version (this fragment's key): the rendering is not stored, it would never
        # be asked for again. A card only counts notes, so an entry with new notes stays unread
        # until it is opened (entry page), and an entry seen before keeps its seen time.
        seen_now = [e for e in page_entries if e.is_unread and not e.unread_notes]
        weeks_html = render_fragment(request, partial, context, None if seen_now else key, facts, thread=pair)
        flows.mark_seen(user, seen_now, as_of=as_of)
    # A read of someone else's writing is recorded (weeks on screen that hold it), so authors
    # can see who read their writing and when.
    record_reads(user, pair, facts["others_weeks"])
    context = {
        "pair": pair,
        "is_peer": is_peer,
        "peer": pair.other(user) if is_peer else None,
        "weeks_html": weeks_html,
        "task": task,
        "tasks": Task.choices,
        "readers": access.readers_of(pair, facts["supervisors"]),
        "reads": readers_of_my_writing(pair, user) if is_peer else None,
        "draft_elsewhere": draft_elsewhere,
    }
    return render(request, "reflections/thread_detail.html", context)


def _draft_on_page(request, pair, draft, by_week, before, task, is_peer):
    """(the draft to show in its form, or None; what to say about it otherwise).

    A draft whose form is on screen is taken into it. One whose week is on another page is kept,
    and this page links to that week. A draft whose week is here — or would be: its own page,
    unfiltered — but with no form for it any more (the pair ended, the note it answers was
    deleted, the week's writing was unshared) is taken and shown as typed, to copy."""
    week = dt.date.fromisoformat(draft["week"])
    here = next((shown for shown in by_week if shown["week"] == week), None)
    about = {"week": week, "url": pair.get_week_url(week), "body": None}
    if here is None and (task or before != week + dt.timedelta(weeks=1)):
        return None, about
    request.session.pop("review_note_draft")
    reply_to = draft.get("reply_to")
    has_form = (
        here is not None
        and pair.is_active
        and (any(note.pk == reply_to for note in here["notes"]) if reply_to else not is_peer)
    )
    return (draft, None) if has_form else (None, {**about, "body": draft["body"]})


def _weeks_on_page(entries, before, user, is_peer):
    """The entries of the WEEKS_PER_PAGE newest weeks (before `before`) that hold any, those
    weeks, and whether older ones follow — in one query: the weeks are a subquery, one more than
    a page, so the entries of the week after the page tell whether there is one."""
    weeks_with_entries = entries.order_by("-week").values("week").distinct()
    if before:
        weeks_with_entries = weeks_with_entries.filter(week__lt=before)
    fetched = list(
        flows.with_unread(entries.filter(week__in=weeks_with_entries[: WEEKS_PER_PAGE + 1]), user)
        .annotate(
            note_count=Count("annotations", distinct=True),
            open_notes=Count("annotations", filter=Q(annotations__resolved__isnull=True), distinct=True),
        )
        .select_related("author")
        .order_by("-week", "created")
    )
    weeks = sorted({e.week for e in fetched}, reverse=True)
    has_more = len(weeks) > WEEKS_PER_PAGE
    weeks = weeks[:WEEKS_PER_PAGE]
    page_entries = [e for e in fetched if e.week in weeks]
    if not is_peer:
        for entry in page_entries:
            entry.is_unread, entry.unread_notes = False, 0
    return page_entries, weeks, has_more


def _by_week(pair, page_entries, weeks, user, is_peer):
    """The weeks with both peers' entries side by side and the week's review."""
    this_week = current_week(user)
    left, right = (user, pair.other(user)) if is_peer else (pair.inviter, pair.invitee)
    reviews = week_reviews(pair, weeks, user)
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
                **reviews[week],
            }
        )
    return by_week
