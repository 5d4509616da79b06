"""Feedback on shared journal entries: trainers write it; the trainee and the trainers reply."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, flows
from ..forms import FeedbackForm, FeedbackReplyForm
from .cohorts import trainee_journal
from .journal import day_detail


def _back_to(request, training_entry, anchor=None):
    url = training_entry.url_for(request.user)
    if anchor:
        url = f"{url.split('#')[0]}#{anchor}"
    return redirect(url)


def _page_with_errors(request, training_entry, errors):
    """Show the page the form was on again, with the message and the typed text (status 400)."""
    day = training_entry.day
    if training_entry.entry.author_id == request.user.pk:
        return day_detail(request, day.cohort_id, day.number, reply_errors=errors.get("reply"))
    return trainee_journal(request, day.cohort_id, training_entry.entry.author_id, errors=errors)


@require_POST
def feedback_create(request, pk):
    training_entry = access.entry_for_trainer(request.user, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _page_with_errors(request, training_entry, {"feedback": {training_entry.pk: form}})
    try:
        feedback = flows.give_feedback(training_entry, request.user, form.cleaned_data["body"])
    except ValidationError as error:  # unshared a moment ago
        messages.error(request, error.messages[0])
        return redirect(
            "training:trainee-journal", training_entry.day.cohort_id, training_entry.entry.author_id
        )
    messages.success(
        request,
        _("Your feedback is saved. %(name)s sees it on their day page and dashboard.")
        % {"name": training_entry.entry.author.name},
    )
    return _back_to(request, training_entry, f"feedback-{feedback.pk}")


def feedback_edit(request, pk):
    feedback = access.feedback_for_writing(request.user, pk)
    form = FeedbackForm(request.POST or None, instance=feedback)
    if request.method == "POST" and form.is_valid():
        flows.edit_feedback(feedback, form.cleaned_data["body"])
        messages.success(request, _("Your feedback is updated."))
        return _back_to(request, feedback.entry, f"feedback-{feedback.pk}")
    status = 400 if request.method == "POST" else 200
    cancel_url = f"{feedback.entry.url_for(request.user).split('#')[0]}#feedback-{feedback.pk}"
    context = {"form": form, "feedback": feedback, "training_entry": feedback.entry, "cancel_url": cancel_url}
    return render(request, "training/feedback_form.html", context, status=status)


@require_POST
def feedback_delete(request, pk):
    feedback = access.feedback_for_writing(request.user, pk)
    training_entry = feedback.entry
    feedback.delete()
    messages.success(request, _("Your feedback and its replies are deleted."))
    return _back_to(request, training_entry, f"entry-{training_entry.pk}")


@require_POST
def reply_create(request, pk):
    """The trainee and the cohort's trainers — everyone who can read the feedback — may reply."""
    feedback = access.feedback_for_reading(request.user, pk)
    form = FeedbackReplyForm(request.POST)
    if not form.is_valid():
        return _page_with_errors(request, feedback.entry, {"reply": {feedback.pk: form}})
    reply = flows.reply(feedback, request.user, form.cleaned_data["body"])
    messages.success(request, _("Your reply is added."))
    return _back_to(request, feedback.entry, f"reply-{reply.pk}")


@require_POST
def reply_delete(request, pk):
    reply = access.reply_for_writing(request.user, pk)
    training_entry = reply.feedback.entry
    reply.delete()
    messages.success(request, _("Your reply is deleted."))
    return _back_to(request, training_entry, f"feedback-{reply.feedback_id}")
