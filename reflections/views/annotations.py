import functools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db.models import Prefetch
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import flows as notices
from supervision.flows import reads_of, record_reads

from .. import access, flows
from ..forms import AnnotationEditForm, AnnotationForm, ReplyForm, ShareForm
from ..fragments import cached_fragment, fragment_key, render_fragment
from ..models import Reply


@functools.lru_cache(maxsize=8)
def _blank_note_fields(language):
    """The fields of an empty note form, the same for every reader in a language: rendered
    once per process instead of on every first visit (each field and widget is a template)."""
    with translation.override(language):
        return render_to_string(
            "reflections/entry_detail.html#note-fields", {"annotation_form": AnnotationForm()}
        )


def blank_note_fields():
    if settings.DEBUG:  # templates reload while someone develops them; a kept rendering would not
        _blank_note_fields.cache_clear()
    return _blank_note_fields(translation.get_language())


@receiver(setting_changed)
def _forget_blank_note_fields(setting, **kwargs):
    """A test that changes how templates or forms render gets its own rendering."""
    if setting in {"TEMPLATES", "FORM_RENDERER"}:  # DEBUG needs nothing: blank_note_fields asks it
        _blank_note_fields.cache_clear()


def entry_page_context(request, entry, annotation_form=None, reply_errors=None, **extra):
    """Everything the entry page shows: the entry, who can read it, its notes and replies.

    The entry with its notes is the page's heaviest part, cached per reader and thread version
    (reflections.fragments) unless a form in it shows errors."""
    user = request.user
    pair = entry.pair
    is_author = entry.author_id == user.pk
    is_peer = pair is not None and pair.has_member(user)
    partial = "reflections/entry_detail.html#annotated"
    # Private entries have no notes to spare; a form with errors is shown once, as typed.
    cacheable = pair is not None and annotation_form is None and not reply_errors
    key = fragment_key(request, partial, (entry.pk, pair.thread_version), thread=pair) if cacheable else None
    found = cached_fragment(request, key)
    if found:
        annotated, facts = found
    else:
        as_of = timezone.now()  # before the notes are read: a note arriving meanwhile stays new
        state = flows.notes_state(entry, user) if is_peer else {}
        seen, newest = state.get("seen"), state.get("newest_other")
        # Kept with the fragment: they change only with the thread's version.
        facts = {
            "others_wrote": state.get("others_wrote"),
            "supervisors": access.supervisors_of(pair) if pair is not None else [],
        }
        anything_new = newest is not None and (seen is None or newest > seen)
        notes = (
            sorted(
                entry.annotations.select_related("author", "resolved_by").prefetch_related(
                    Prefetch("replies", queryset=Reply.objects.select_related("author"))
                ),
                # Passages in text order, then notes on the whole entry, then orphaned ones.
                key=lambda n: (n.orphaned, n.start is None, n.start or 0, n.created),
            )
            if pair is not None
            else []
        )
        for note in notes:
            note.is_unread = (
                anything_new and note.author_id != user.pk and (seen is None or note.created > seen)
            )
            note.reply_form_with_errors = (reply_errors or {}).get(note.pk)
        context = {
            "entry": entry,
            "notes": notes,
            "can_annotate": is_peer and pair.is_active,
            "annotation_form": annotation_form,
            "blank_note_fields": blank_note_fields() if annotation_form is None else None,
        }
        # A rendering that shows notes as new is not stored: once seen they are not new, and
        # the key (the thread's version) stays the same (flows.mark_seen).
        marks_seen = is_peer and (anything_new or seen is None)
        annotated = render_fragment(
            request, partial, context, None if marks_seen else key, facts, thread=pair
        )
        if marks_seen:
            flows.mark_seen(user, [entry], as_of=as_of)
    if pair is not None and not is_author:
        record_reads(user, pair, [entry.week], entry=entry)
    return {
        "entry": entry,
        "is_author": is_author,
        "annotated": annotated,
        "share_form": ShareForm(user=user) if is_author and not entry.is_shared else None,
        "can_unshare": is_author and entry.is_shared and not facts["others_wrote"],
        "readers": access.readers_of(pair, facts["supervisors"]),
        "reads": reads_of(entry) if is_author and pair is not None else None,
        **extra,
    }


def _back_to(note):
    return redirect(f"{reverse('reflections:entry-detail', args=[note.entry_id])}#note-{note.pk}")


@require_POST
def annotation_create(request, pk):
    entry = access.entry_for_reading(request.user, pk)
    access.require_active_peer(request.user, entry.pair)
    form = AnnotationForm(request.POST)
    if form.is_valid():
        try:
            note = flows.annotate(entry, request.user, form)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, _("Your note is saved beside the passage."))
            return _back_to(note)
    context = entry_page_context(request, entry, annotation_form=form)
    return render(request, "reflections/entry_detail.html", context, status=400)


def annotation_edit(request, pk):
    note = access.note_for_writing(request.user, pk)
    form = AnnotationEditForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        note = form.save(commit=False)
        note.updated = timezone.now()
        note.save()
        messages.success(request, _("Your note is updated."))
        return _back_to(note)
    status = 400 if request.method == "POST" else 200
    return render(request, "reflections/annotation_form.html", {"form": form, "note": note}, status=status)


@require_POST
def annotation_delete(request, pk):
    note = access.note_for_writing(request.user, pk)
    entry_id = note.entry_id
    note.delete()
    messages.success(request, _("Your note and its replies are deleted."))
    return redirect("reflections:entry-detail", entry_id)


@require_POST
def annotation_resolve(request, pk):
    note = access.note_for_reading(request.user, pk)
    access.require_active_peer(request.user, note.entry.pair)
    flows.toggle_resolved(note, request.user)
    messages.success(request, _("Marked as resolved.") if note.resolved else _("Opened again."))
    return _back_to(note)


@require_POST
def reply_create(request, pk):
    note = access.note_for_reading(request.user, pk)
    access.require_active_peer(request.user, note.entry.pair)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        context = entry_page_context(request, note.entry, reply_errors={note.pk: form})
        return render(request, "reflections/entry_detail.html", context, status=400)
    reply = form.save(commit=False)
    reply.annotation = note
    reply.author = request.user
    reply.save()
    notices.reply_written(reply)
    messages.success(request, _("Your reply is added."))
    return _back_to(note)


def reply_edit(request, pk):
    reply = access.reply_for_writing(request.user, pk)
    form = ReplyForm(request.POST or None, instance=reply)
    if request.method == "POST" and form.is_valid():
        reply = form.save(commit=False)
        reply.updated = timezone.now()
        reply.save()
        messages.success(request, _("Your reply is updated."))
        return _back_to(reply.annotation)
    status = 400 if request.method == "POST" else 200
    return render(request, "reflections/reply_form.html", {"form": form, "reply": reply}, status=status)


@require_POST
def reply_delete(request, pk):
    reply = access.reply_for_writing(request.user, pk)
    note = reply.annotation
    reply.delete()
    messages.success(request, _("Your reply is deleted."))
    return _back_to(note)
