import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.context_processors import memberships_of
from accounts.models import Role, Team
from notifications import flows as notices
from reflections import access
from reflections.fragments import cached_fragment, fragment_key, render_fragment
from reflections.models import Annotation, Entry, PeerPair, Task
from reflections.weeks import current_week, week_label

from . import flows
from .charts import task_balance
from .forms import ReviewNoteForm, ReviewReplyForm
from .models import ReviewNote, WeekReview

WEEK_CHOICES = [8, 16, 26]


def _supervised_team(user, team_id):
    """The team and every team the user supervises (from the lookup of their memberships): other
    members get 403, outsiders 404."""
    teams = _supervised_teams(user)
    for team in teams:
        if team.pk == team_id:
            return team, teams
    get_object_or_404(Team.objects.for_member(user), pk=team_id)
    raise PermissionDenied(_("The team page is for the team’s supervisors."))


def _supervised_teams(user):
    """The teams the user supervises, by name, from the lookup of their memberships (the
    request's, shared with the navigation), which holds each team's id and name: the other
    fields of those Team objects are deferred — reading one costs a query per team, so the page
    shows names only (or add them to the lookup)."""
    db = router.db_for_read(Team)
    supervised = [m for m in memberships_of(user)["memberships"] if m["role"] == Role.SUPERVISOR]
    return [Team.from_db(db, ["id", "name"], [m["team_id"], m["team"]]) for m in supervised]


def _thread_for_supervisor(user, pair_id):
    pair = access.thread_for_reading(user, pair_id)
    if not pair.team.memberships.filter(user=user, role=Role.SUPERVISOR).exists():
        raise PermissionDenied(_("Only the team’s supervisors review threads."))
    return pair


DRAFT_KEPT_CHARACTERS = 100_000  # five times the longest note or reply


def _keep_draft(request, form, pair, week, reply_to=None):
    """A note or reply that could not be saved goes back to the thread as typed, with the
    reason (reflections.views.threads.thread_detail shows it in its form)."""
    request.session["review_note_draft"] = {
        "pair": pair.pk,
        "week": week.isoformat(),
        "reply_to": reply_to,
        # Kept as typed, however far past the limit, up to a size no one types (the session
        # is no place for megabytes).
        "body": request.POST.get("body", "")[:DRAFT_KEPT_CHARACTERS],
    }
    messages.error(request, (form.errors.get("body") or form.non_field_errors())[0])


def review_home(request):
    teams = _supervised_teams(request.user)
    if not teams:
        raise PermissionDenied(_("The team page is for supervisors."))
    return redirect("supervision:team-detail", teams[0].pk)


def team_detail(request, team_id):
    """Pairs × recent weeks: who shared, open notes, whether I reviewed; the task balance; and
    the weeks waiting for my review. A fixed number of queries however many pairs and weeks."""
    team, teams = _supervised_team(request.user, team_id)
    user = request.user
    try:
        week_count = int(request.GET.get("weeks", 8))
    except ValueError:
        week_count = 8
    week_count = week_count if week_count in WEEK_CHOICES else 8
    this_week = current_week(user)
    weeks = [this_week - dt.timedelta(weeks=n) for n in range(week_count)]
    first = weeks[-1]

    shown = PeerPair.objects.filter(team=team).filter(
        Q(status=PeerPair.Status.ACTIVE) | Q(status=PeerPair.Status.ENDED, ended__date__gte=first)
    )
    # The grid, the queue and the chart change only when a pair shown changes (its thread_version)
    # or the list of pairs does: rendered once per change, not per visit (reflections.fragments).
    versions = sorted(shown.values_list("pk", "thread_version"))
    partial = "supervision/team_detail.html#team-weeks"
    key = fragment_key(request, partial, (team.pk, week_count, this_week, versions))
    found = cached_fragment(request, key)
    if found:
        weeks_html, _facts = found
    else:
        context = _team_weeks(team, shown, user, weeks, this_week, week_count)
        weeks_html = render_fragment(request, partial, context, key)
    context = {"team": team, "teams": teams, "team_weeks": weeks_html}
    return render(request, "supervision/team_detail.html", context)


def _team_weeks(team, shown, user, weeks, this_week, week_count):
    """What the team page's grid, queue and chart show: who shared in each pair and week, open
    notes, the weeks I reviewed, the task balance — a fixed number of queries however many pairs
    and weeks."""
    first = weeks[-1]
    pairs = list(shown.select_related("inviter", "invitee").order_by("status", "inviter__display_name"))
    # Who shared in each pair-week and the task balance per week, from one grouped query.
    # Only the pairs shown, whose versions key the cached grid (an ended pair's late edit would
    # otherwise change the chart under the same key).
    shared = Entry.objects.filter(pair__in=shown, week__gte=first)
    authors, task_counts = {}, {}
    for row in shared.values("pair_id", "week", "author_id", "task").annotate(n=Count("id")).order_by():
        authors.setdefault((row["pair_id"], row["week"]), set()).add(row["author_id"])
        key = (row["week"], row["task"])
        task_counts[key] = task_counts.get(key, 0) + row["n"]
    open_notes = {
        (row["entry__pair_id"], row["entry__week"]): row["n"]
        for row in Annotation.objects.filter(
            entry__pair__in=shown, entry__week__gte=first, resolved__isnull=True
        )
        .values("entry__pair_id", "entry__week")
        .annotate(n=Count("id"))
    }
    reviewed = set(
        WeekReview.objects.filter(pair__team=team, supervisor=user, week__gte=first).values_list(
            "pair_id", "week"
        )
    )

    # Labels, links and the screen-reader text of each cell are made once per week and pair here,
    # not per cell in the template: the grid has pairs × weeks cells and the queue one row per
    # unread week, so per-cell date formatting and URL reversing made this the slowest page.
    labels = {week: week_label(week, this_week) for week in weeks}
    rows, queue = [], []
    for pair in pairs:
        pair.url = pair.get_absolute_url()
        says = {
            "both": _("both shared"),
            "inviter": _("%(name)s shared") % {"name": pair.inviter.name},
            "invitee": _("%(name)s shared") % {"name": pair.invitee.name},
            "none": _("nothing shared"),
        }
        cells = []
        for week in weeks:
            who = authors.get((pair.pk, week), set())
            both = {pair.inviter_id, pair.invitee_id} <= who
            notes = open_notes.get((pair.pk, week), 0)
            cell = {
                "week": week,
                "shared_by": len(who),
                "both": both,
                "inviter": pair.inviter_id in who,
                "invitee": pair.invitee_id in who,
                "open_notes": notes,
                "reviewed": (pair.pk, week) in reviewed,
                "state": "both" if both else "one" if who else "none",
                "mark": "●●" if both else "●○" if who else "○○",
            }
            cell["says"] = says[
                "both" if both else "inviter" if cell["inviter"] else "invitee" if cell["invitee"] else "none"
            ]
            if notes:
                cell["open_label"] = ngettext("%(n)s open note", "%(n)s open notes", notes) % {"n": notes}
                cell["open_short"] = ngettext("%(n)s open", "%(n)s open", notes) % {"n": notes}
            cells.append(cell)
            if who and not cell["reviewed"]:
                queue.append(
                    {
                        "pair": pair,
                        "week": week,
                        "url": pair.get_week_url(week),
                        "label": labels[week],
                        "cell": cell,
                    }
                )
        rows.append({"pair": pair, "cells": cells})
    queue.sort(key=lambda item: (item["week"], item["pair"].pk))

    return {
        "weeks": [{"date": w, "label": labels[w], "short": w.strftime("%-d %b")} for w in weeks],
        "rows": rows,
        "queue": queue,
        "week_count": week_count,
        "week_choices": WEEK_CHOICES,
        "chart": task_balance(weeks, task_counts),
        "tasks": Task,
    }


def _week_from(value):
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day - dt.timedelta(days=day.weekday())


def _back_to_week(pair, week):
    return redirect(pair.get_week_url(week))


@require_POST
def review_note_create(request, pair_id, week):
    pair = _thread_for_supervisor(request.user, pair_id)
    access.require_open_thread(pair)
    monday = _week_from(week)
    if monday is None:
        messages.error(request, _("That week could not be found."))
        return redirect(pair.get_absolute_url())
    form = ReviewNoteForm(request.POST)
    if form.is_valid():
        note = form.save(commit=False)
        note.pair, note.week, note.author = pair, monday, request.user
        note.save()
        notices.review_note_written(note)
        messages.success(request, _("Your note is on the thread. Both peers can read it and reply."))
    else:
        _keep_draft(request, form, pair, monday)
    return _back_to_week(pair, monday)


@require_POST
def week_reviewed(request, pair_id, week):
    pair = _thread_for_supervisor(request.user, pair_id)
    monday = _week_from(week)
    if monday is None:
        messages.error(request, _("That week could not be found."))
        return redirect(pair.get_absolute_url())
    now_reviewed = flows.toggle_week_reviewed(pair, monday, request.user)
    messages.success(
        request, _("Marked as reviewed.") if now_reviewed else _("No longer marked as reviewed.")
    )
    if request.POST.get("next") == "team":
        return redirect("supervision:team-detail", pair.team_id)
    return _back_to_week(pair, monday)


@require_POST
def review_reply_create(request, note_id):
    note = get_object_or_404(
        ReviewNote.objects.filter(pair__in=PeerPair.objects.threads_for(request.user)).select_related("pair"),
        pk=note_id,
    )
    access.require_open_thread(note.pair)
    form = ReviewReplyForm(request.POST)
    if form.is_valid():
        reply = form.save(commit=False)
        reply.note, reply.author = note, request.user
        reply.save()
        notices.review_reply_written(reply)
        messages.success(request, _("Your reply is added."))
    else:
        _keep_draft(request, form, note.pair, note.week, reply_to=note.pk)
    return _back_to_week(note.pair, note.week)


@require_POST
def review_note_delete(request, note_id):
    note = get_object_or_404(
        ReviewNote.objects.filter(pair__in=PeerPair.objects.threads_for(request.user)).select_related("pair"),
        pk=note_id,
    )
    if note.author_id != request.user.pk:
        raise PermissionDenied(_("Only the note’s author can delete it."))
    note.delete()
    messages.success(request, _("Your review note is deleted."))
    return _back_to_week(note.pair, note.week)
