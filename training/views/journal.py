"""The trainee's side: one page per training day, the write page (the reflections write page,
with the day passed through), sharing with the trainers, the summary and the exports."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reflections.flows import EditConflict, edit_entry
from reflections.models import Draft, Task
from reflections.views.entries import _form_context, _stash_and_sign_in, _take_stash
from reflections.weeks import user_today

from .. import access, flows
from ..export import journal_markdown
from ..forms import FeedbackReplyForm, TrainingEntryForm
from ..models import DayVisit, Feedback, FeedbackReply, TrainerRead, TrainingEntry


def _day_url(day, entry_id=None):
    url = day.get_absolute_url()
    return f"{url}#entry-{entry_id}" if entry_id else url


def _draft_prefix(day):
    """Drafts autosaved from a day's write page carry the day in their key, so the day page can
    offer them again (reflections.Draft knows nothing of training days)."""
    return f"day{day.pk}-"


def _id_or_404(value):
    """An id from a query string: digits, or nothing is found (not a server error)."""
    if not (value.isascii() and value.isdigit()):
        raise Http404
    return int(value)


def _entries_with_feedback(queryset):
    return queryset.select_related("entry").prefetch_related(
        Prefetch(
            "feedback",
            queryset=Feedback.objects.select_related("author").prefetch_related(
                Prefetch("replies", queryset=FeedbackReply.objects.select_related("author"))
            ),
        )
    )


def journal(request, cohort_id):
    """The journal opens on today's training day (or the summary once the training is over)."""
    cohort = access.cohort_for_trainee(request.user, cohort_id)
    day = flows.current_day(list(cohort.days.all()), user_today(request.user))
    if day is None:
        return redirect("training:summary", cohort.pk)
    return redirect(day)


def day_detail(request, cohort_id, number, reply_errors=None):
    user = request.user
    cohort = access.cohort_for_trainee(user, cohort_id)
    days = list(cohort.days.all())
    day = next((d for d in days if d.number == number), None)
    if day is None:
        raise Http404(_("This cohort has no such training day."))
    today = user_today(user)
    counts = dict(
        TrainingEntry.objects.filter(day__cohort=cohort, entry__author=user)
        .values("day_id")
        .annotate(n=Count("pk"))
        .values_list("day_id", "n")
    )
    for d in days:
        d.my_count = counts.get(d.pk, 0)
    entries = list(
        _entries_with_feedback(TrainingEntry.objects.filter(day=day, entry__author=user)).order_by(
            "entry__created"
        )
    )
    seen = DayVisit.objects.filter(user=user, day=day).values_list("seen", flat=True).first()
    reads = {}
    shared_ids = [te.pk for te in entries if te.is_shared]
    if shared_ids:
        for row in (
            TrainerRead.objects.filter(entry_id__in=shared_ids)
            .values("entry_id", "reader__display_name", "reader__email")
            .annotate(last=Max("created"))
            .order_by("entry_id", "-last")
        ):
            reads.setdefault(row["entry_id"], []).append(row)
    reply_errors = reply_errors or {}
    for te in entries:
        te.read_by = reads.get(te.pk, [])
        te.can_unshare = te.is_shared and not te.feedback.all()
        for feedback in te.feedback.all():
            feedback.is_new = feedback.author_id != user.pk and (seen is None or feedback.created > seen)
            feedback.reply_with_errors = reply_errors.get(feedback.pk)
            for reply in feedback.replies.all():
                reply.is_new = reply.author_id != user.pk and (seen is None or reply.created > seen)
    flows.record_visit(user, day)
    context = {
        "cohort": cohort,
        "days": days,
        "day": day,
        "today": today,
        "is_today": day.date == today,
        "entries": entries,
        "drafts": Draft.objects.filter(author=user, entry=None, key__startswith=_draft_prefix(day)),
        "trainers": access.trainers_of(cohort),
        "reply_form": FeedbackReplyForm(),
        "previous": next((d for d in reversed(days) if d.number < day.number), None),
        "next": next((d for d in days if d.number > day.number), None),
    }
    return render(request, "training/day_detail.html", context, status=400 if reply_errors else 200)


def _write_context(request, form, cohort, day, training_entry=None, **extra):
    entry = training_entry.entry if training_entry else None
    return _form_context(
        request,
        form,
        entry=entry,
        cohort=cohort,
        day=day,
        training_entry=training_entry,
        trainers=access.trainers_of(cohort),
        **extra,
    )


@login_not_required
def entry_create(request, cohort_id, number):
    """The reflections write page (task prompts, preview, autosave, nothing lost to an expired
    session) for one journal day, with the day's own prompts beside it."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _stash_and_sign_in(request)
        return redirect_to_login(request.get_full_path())
    user = request.user
    cohort = access.cohort_for_trainee(user, cohort_id)
    day = get_object_or_404(cohort.days, number=number)
    data = (
        request.POST
        if request.method == "POST"
        else _take_stash(request)
        if "resume" in request.GET
        else None
    )
    initial = {"draft_key": _draft_prefix(day) + uuid.uuid4().hex[:30]}
    if request.GET.get("task") in Task.values:
        initial["task"] = request.GET["task"]
    if data is None and request.GET.get("draft"):
        draft = get_object_or_404(
            Draft.objects.filter(author=user, entry=None, key__startswith=_draft_prefix(day)),
            pk=_id_or_404(request.GET["draft"]),
        )
        initial = {"task": draft.task, "title": draft.title, "body": draft.body, "draft_key": draft.key}
    form = TrainingEntryForm(data, user=user, initial=initial)
    if data is not None and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ["task", "title", "body"]}
        share = form.cleaned_data.get("share", False)
        entry = flows.write_entry(user, day, fields, share=share, draft_key=form.cleaned_data["draft_key"])
        if share:
            text = _("Saved on Day %(number)s and shared with your trainers.")
        else:
            text = _("Saved on Day %(number)s. Only you can read it.")
        messages.success(request, text % {"number": day.number}, extra_tags=f"clear-writing:{request.path}")
        return redirect(_day_url(day, entry.pk))
    if data is not None and request.method == "GET":
        messages.info(
            request, _("You were signed out before your text was saved. It is below — check it and save.")
        )
    status = 400 if request.method == "POST" else 200
    context = _write_context(request, form, cohort, day)
    return render(request, "training/entry_form.html", context, status=status)


@login_not_required
def entry_edit(request, pk):
    """Editing keeps the earlier version (reflections.flows.edit_entry) and detects an edit made
    on an out-of-date copy: both texts are shown, nothing is overwritten."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _stash_and_sign_in(request)
        return redirect_to_login(request.get_full_path())
    user = request.user
    training_entry = access.entry_for_trainee(user, pk)
    day, cohort, entry = training_entry.day, training_entry.day.cohort, training_entry.entry
    data = (
        request.POST
        if request.method == "POST"
        else _take_stash(request)
        if "resume" in request.GET
        else None
    )
    initial = {}
    if data is None and request.GET.get("draft"):
        draft = get_object_or_404(
            Draft.objects.filter(author=user, entry=entry), pk=_id_or_404(request.GET["draft"])
        )
        initial = {
            "task": draft.task or entry.task,
            "title": draft.title,
            "body": draft.body,
            "draft_key": draft.key,
        }
        if draft.base_version:
            initial["version"] = draft.base_version
    form = TrainingEntryForm(data, instance=entry, user=user, initial=initial)
    if data is not None and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ["task", "title", "body"]}
        try:
            edit_entry(entry.pk, user, fields, form.cleaned_data["version"], form.cleaned_data["draft_key"])
        except EditConflict as conflict:
            current = conflict.current
            form = TrainingEntryForm(
                {**dict(data.items()), "version": current.version}, instance=current, user=user
            )
            form.is_valid()
            training_entry.entry = current
            context = _write_context(request, form, cohort, day, training_entry, conflict=current)
            return render(request, "training/entry_form.html", context, status=409)
        messages.success(
            request,
            _("Saved. The earlier version is kept in the entry’s history."),
            extra_tags=f"clear-writing:{request.path}",
        )
        return redirect(_day_url(day, entry.pk))
    if data is not None and request.method == "GET":
        messages.info(
            request, _("You were signed out before your text was saved. It is below — check it and save.")
        )
    status = 400 if request.method == "POST" else 200
    context = _write_context(request, form, cohort, day, training_entry)
    return render(request, "training/entry_form.html", context, status=status)


@require_POST
def entry_share(request, pk):
    training_entry = access.entry_for_trainee(request.user, pk)
    flows.share(training_entry)
    messages.success(
        request, _("Shared with your trainers. They can read this entry now and leave feedback.")
    )
    return redirect(_day_url(training_entry.day, training_entry.pk))


@require_POST
def entry_unshare(request, pk):
    training_entry = access.entry_for_trainee(request.user, pk)
    try:
        flows.unshare(training_entry)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The entry is private again: only you can read it."))
    return redirect(_day_url(training_entry.day, training_entry.pk))


def entry_delete(request, pk):
    training_entry = access.entry_for_trainee(request.user, pk)
    day = training_entry.day
    if request.method == "POST":
        training_entry.entry.delete()
        messages.success(
            request, _("The entry is deleted, with its earlier versions and any feedback on it.")
        )
        return redirect(day)
    context = {
        "training_entry": training_entry,
        "entry": training_entry.entry,
        "day": day,
        "cohort": day.cohort,
        "feedback_count": training_entry.feedback.count(),
        "revision_count": training_entry.entry.revisions.count(),
    }
    return render(request, "training/entry_confirm_delete.html", context)


# Summary and export ----------------------------------------------------------------------------
def _journal(user, cohort):
    """[(day, [training entries with feedback])] for the whole journal, in three queries."""
    days = list(cohort.days.all())
    entries = _entries_with_feedback(
        TrainingEntry.objects.filter(day__cohort=cohort, entry__author=user)
    ).order_by("day__number", "entry__created")
    by_day = {}
    for training_entry in entries:
        by_day.setdefault(training_entry.day_id, []).append(training_entry)
    return [(day, by_day.get(day.pk, [])) for day in days]


def _journal_context(request, cohort_id):
    user = request.user
    cohort = access.cohort_for_trainee(user, cohort_id)
    days = _journal(user, cohort)
    all_entries = [te for _day, entries in days for te in entries]
    tasks = [{"task": task, "count": sum(1 for te in all_entries if te.entry.task == task)} for task in Task]
    last_day = days[-1][0] if days else None
    for day, entries in days:
        day.my_count = len(entries)
    return {
        "cohort": cohort,
        "days": days,
        "days_only": [day for day, _entries in days],
        "entry_count": len(all_entries),
        "shared_count": sum(1 for te in all_entries if te.is_shared),
        "feedback_count": sum(len(te.feedback.all()) for te in all_entries),
        "tasks": tasks,
        "unwritten_tasks": [t["task"].label for t in tasks if not t["count"]],
        "last_day": last_day,
        "closing_prompt": _("What one practice will I carry into my first co-reflection?"),
        "trainers": access.trainers_of(cohort),
        "today": user_today(user),
    }


def summary(request, cohort_id):
    context = _journal_context(request, cohort_id)
    finished = context["last_day"] is not None and context["today"] > context["last_day"].date
    return render(request, "training/summary.html", {**context, "finished": finished})


def export_print(request, cohort_id):
    return render(request, "training/journal_print.html", _journal_context(request, cohort_id))


def export_markdown(request, cohort_id):
    cohort = access.cohort_for_trainee(request.user, cohort_id)
    text = journal_markdown(request.user, cohort, _journal(request.user, cohort))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    filename = f"training-journal-{slugify(cohort.name) or cohort.pk}.md"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
