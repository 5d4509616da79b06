import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, flows
from ..forms import EntryForm, ShareForm, author_of, sign_author
from ..models import Draft, Entry, Task
from ..prompts import PROMPTS, SUMMARIES
from ..rendering import render_markdown
from ..weeks import current_week, week_label

STASH = "reflections.unsaved_entry"


def _id_or_404(value):
    """An object id from a query string or form field: digits, or the object is not found."""
    if not (value.isascii() and value.isdigit()):
        raise Http404
    return int(value)


def entry_list(request):
    entries = Entry.objects.filter(author=request.user).select_related(
        "pair__inviter", "pair__invitee", "training"
    )
    task = request.GET.get("task", "")
    if task in Task.values:
        entries = entries.filter(task=task)
    week = request.GET.get("week", "")
    try:
        week_date = dt.date.fromisoformat(week) if week else None
    except ValueError:
        week_date = None
    if week_date:
        entries = entries.filter(week=week_date - dt.timedelta(days=week_date.weekday()))
    page = Paginator(entries, 20).get_page(request.GET.get("page"))
    this_week = current_week(request.user)
    for entry in page:
        entry.week_label = week_label(entry.week, this_week)
        entry.peer = entry.pair.other(request.user) if entry.pair else None
    weeks = (
        Entry.objects.filter(author=request.user)
        .order_by("-week")
        .values_list("week", flat=True)
        .distinct()[:52]
    )
    context = {
        "page": page,
        "task": task,
        "week": week_date.isoformat() if week_date else "",
        "tasks": Task.choices,
        "weeks": [(w.isoformat(), week_label(w, this_week)) for w in weeks],
    }
    return render(request, "reflections/entry_list.html", context)


def _form_context(request, form, entry=None, **extra):
    chosen = form["task"].value() or ""
    return {
        "form": form,
        "entry": entry,
        "prompts": {task: PROMPTS[task] for task in Task},
        "summaries": SUMMARIES,
        "chosen_task": chosen if chosen in Task.values else "",
        "author_token": sign_author(request.user),
        "draft_key": form["draft_key"].value() or "",
        "readers": access.readers_of(entry.pair) if entry else None,
        **extra,
    }


def _stash_and_sign_in(request):
    """The session ended while the person was writing: keep exactly what they typed, tied to
    them by a signed token, and bring it back after they sign in again."""
    request.session[STASH] = {
        "path": request.path,
        "author": request.POST.get("author_token", ""),
        "data": {
            key: request.POST.get(key, "")
            for key in ["task", "title", "body", "week", "version", "draft_key"]
        },
    }
    return redirect_to_login(f"{request.path}?resume=1")


def _take_stash(request):
    stash = request.session.pop(STASH, None)
    if not stash or stash.get("path") != request.path:
        return None
    if author_of(stash.get("author", "")) != request.user.pk:
        return None  # someone else signed in on this browser: their text is not theirs to save
    return stash["data"]


@login_not_required
def entry_create(request):
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _stash_and_sign_in(request)
        return redirect_to_login(request.get_full_path())
    data = (
        request.POST
        if request.method == "POST"
        else _take_stash(request)
        if "resume" in request.GET
        else None
    )
    draft = None
    if data is None and request.GET.get("draft"):
        draft = get_object_or_404(
            Draft.objects.filter(author=request.user, entry=None), pk=_id_or_404(request.GET["draft"])
        )
    initial = {"task": request.GET.get("task", "")} if request.GET.get("task") in Task.values else {}
    if draft:
        initial = {"task": draft.task, "title": draft.title, "body": draft.body, "draft_key": draft.key}
        if draft.week:
            initial["week"] = draft.week.isoformat()
    form = EntryForm(data, user=request.user, initial=initial)
    if data is not None and form.is_valid():
        entry = flows.create_entry(
            request.user,
            {k: form.cleaned_data[k] for k in ["task", "title", "body", "week"]},
            draft_key=form.cleaned_data["draft_key"],
        )
        messages.success(
            request,
            _("Saved. Only you can read this entry until you share it."),
            extra_tags=f"clear-writing:{request.path}",
        )
        return redirect("reflections:entry-detail", entry.pk)
    if data is not None and request.method == "GET":
        messages.info(
            request, _("You were signed out before your text was saved. It is below — check it and save.")
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "reflections/entry_form.html", _form_context(request, form), status=status)


@login_not_required
def entry_edit(request, pk):
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _stash_and_sign_in(request)
        return redirect_to_login(request.get_full_path())
    entry = access.entry_for_writing(request.user, pk)
    data = (
        request.POST
        if request.method == "POST"
        else _take_stash(request)
        if "resume" in request.GET
        else None
    )
    initial = {}
    draft = None
    if data is None and request.GET.get("draft"):
        draft = get_object_or_404(
            Draft.objects.filter(author=request.user, entry=entry), pk=_id_or_404(request.GET["draft"])
        )
        initial = {
            "task": draft.task or entry.task,
            "title": draft.title,
            "body": draft.body,
            "draft_key": draft.key,
        }
        if draft.base_version:
            initial["version"] = draft.base_version
    form = EntryForm(data, instance=entry, user=request.user, initial=initial)
    if data is not None and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ["task", "title", "body", "week"]}
        try:
            entry = flows.edit_entry(
                entry.pk, request.user, fields, form.cleaned_data["version"], form.cleaned_data["draft_key"]
            )
        except flows.EditConflict as conflict:
            # Both texts are shown; what they typed stays in the form, now based on the newer
            # version, so saving again is a deliberate choice.
            current = conflict.current
            form = EntryForm(
                {**dict(data.items()), "version": current.version}, instance=current, user=request.user
            )
            form.is_valid()
            context = _form_context(request, form, entry=current, conflict=current)
            return render(request, "reflections/entry_form.html", context, status=409)
        messages.success(
            request,
            _("Saved. The earlier version is kept in the entry’s history."),
            extra_tags=f"clear-writing:{request.path}",
        )
        return redirect("reflections:entry-detail", entry.pk)
    if data is not None and request.method == "GET":
        messages.info(
            request, _("You were signed out before your text was saved. It is below — check it and save.")
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "reflections/entry_form.html", _form_context(request, form, entry=entry), status=status
    )


@require_POST
def entry_preview(request):
    """The Markdown preview, rendered by the same one function as everything else."""
    return HttpResponse(
        render_markdown(request.POST.get("body", "")), content_type="text/html; charset=utf-8"
    )


@require_POST
def draft_save(request):
    """Autosave: called by the write page's script a few seconds after typing stops."""
    key = request.POST.get("draft_key", "")[:40]
    if not key:
        return JsonResponse({"error": _("Missing draft key.")}, status=400)
    entry = None
    if request.POST.get("entry"):
        entry = access.entry_for_writing(request.user, _id_or_404(request.POST["entry"]))
    week = None
    try:
        week = dt.date.fromisoformat(request.POST.get("week", ""))
    except ValueError:
        pass
    task = request.POST.get("task", "")
    version = request.POST.get("version", "")
    draft = flows.save_draft(
        request.user,
        key,
        {
            "entry": entry,
            "task": task if task in Task.values else "",
            "title": request.POST.get("title", "")[:200],
            "body": request.POST.get("body", "")[:100_000],
            "week": week,
            "base_version": int(version) if version.isdigit() else None,
        },
    )
    return JsonResponse({"saved": draft.updated.isoformat(), "draft": draft.pk})


@require_POST
def draft_delete(request, pk):
    draft = get_object_or_404(Draft.objects.filter(author=request.user), pk=pk)
    draft.delete()
    messages.success(request, _("The unsaved writing is discarded."))
    return redirect("reflections:dashboard")


def entry_detail(request, pk):
    from .annotations import entry_page_context

    entry = access.entry_for_reading(request.user, pk)
    if hasattr(entry, "training"):
        # A training journal entry is read on its journal page, which says who can read it (the
        # trainee; the cohort's trainers once shared) and carries the trainers' feedback.
        return redirect(entry.training.url_for(request.user))
    return render(request, "reflections/entry_detail.html", entry_page_context(request, entry))


def entry_revisions(request, pk):
    entry = access.entry_for_writing(request.user, pk)
    revisions = entry.revisions.all()
    for revision in revisions:
        revision.body_html = render_markdown(revision.body)
    return render(request, "reflections/entry_revisions.html", {"entry": entry, "revisions": revisions})


@require_POST
def entry_share(request, pk):
    entry = access.entry_for_writing(request.user, pk)
    form = ShareForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, form.errors["pair"][0])
        return redirect("reflections:entry-detail", entry.pk)
    pair = form.cleaned_data["pair"]
    try:
        flows.share_entry(entry, pair)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("reflections:entry-detail", entry.pk)
    messages.success(
        request,
        _("Shared into your thread with %(name)s. They and your team’s supervisors can read it now.")
        % {"name": pair.other(request.user).name},
    )
    return redirect("reflections:entry-detail", entry.pk)


@require_POST
def entry_unshare(request, pk):
    entry = access.entry_for_writing(request.user, pk)
    try:
        flows.unshare_entry(entry)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The entry is private again: only you can read it."))
    return redirect("reflections:entry-detail", entry.pk)


def entry_delete(request, pk):
    entry = access.entry_for_writing(request.user, pk)
    if request.method == "POST":
        entry.delete()
        messages.success(request, _("The entry and its notes are deleted."))
        return redirect("reflections:entry-list")
    context = {
        "entry": entry,
        "note_count": entry.annotations.count(),
        "revision_count": entry.revisions.count(),
    }
    return render(request, "reflections/entry_confirm_delete.html", context)
