"""The training journal's kinds of writing: trainers' feedback and the replies under it (see
`search.registry`). Training entries themselves are reflections entries, already a kind.

Who reads feedback is who reads the entry it answers, as on the training pages
(`access.feedback_for_reading`): the trainee, on their own shared entries, and the cohort's
trainers who still train in its team. Feedback only exists on shared entries (unsharing is refused
once there is feedback), and only shared entries' feedback is ever shown, so `readable` asks for
shared entries too: search never shows more than the day page does.
"""

from django.db.models.signals import post_save
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from search import index
from search.registry import Keys, Kind, Presented, get, register, register_scope

from .models import Cohort, Feedback, FeedbackReply, TrainingEntry


def _when(moment):
    return moment.isoformat() if moment else None


def _shared_entries(user):
    return TrainingEntry.objects.visible_to(user).shared().values("pk")


def _feedback_keys(training_entry):
    # TrainingEntry.visible_to(user).shared(): while the entry is shared, the trainee and the
    # cohort's trainers; once it is private again, nobody finds the conversation.
    if training_entry.shared is None:
        return Keys(task=training_entry.entry.task)
    return Keys(
        owner=training_entry.entry.author_id,
        cohort=training_entry.day.cohort_id,
        task=training_entry.entry.task,
    )


def _sharing_changed(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """Sharing with the trainers (or not) changes who reads the entry and its feedback."""
    if raw or (update_fields is not None and "shared" not in update_fields):
        return
    entry = instance.entry
    entry.training = instance  # the entry's keys read its training link: this one, as saved
    index.update(get("entry"), entry, rekey=False)
    if not created:
        index.update_many(get("training_feedback"), Feedback.objects.filter(entry=instance))
        index.update_many(
            get("training_feedback_reply"), FeedbackReply.objects.filter(feedback__entry=instance)
        )


def _entry_name(training_entry):
    entry = training_entry.entry
    return entry.title or entry.get_task_display()


def _where(training_entry, user):
    cohort, trainee = training_entry.day.cohort, training_entry.entry.author
    if trainee.pk == user.pk:
        return _("Your training journal — %(cohort)s") % {"cohort": cohort.name}
    return _("Training journal of %(trainee)s — %(cohort)s") % {
        "trainee": trainee.name,
        "cohort": cohort.name,
    }


def _presented(training_entry, user, *, title, anchor):
    entry = training_entry.entry
    return Presented(
        title=title,
        url=training_entry.url_for(user, anchor=anchor),
        task=entry.task,
        where=_where(training_entry, user),
    )


# --- Feedback -----------------------------------------------------------------------------------


def _present_feedback(feedback, user):
    training_entry = feedback.entry
    title = _("Feedback from %(name)s on Day %(number)s: “%(entry)s”") % {
        "name": feedback.author.name,
        "number": training_entry.day.number,
        "entry": _entry_name(training_entry),
    }
    return _presented(training_entry, user, title=title, anchor=f"feedback-{feedback.pk}")


def _export_feedback(feedback):
    training_entry = feedback.entry
    return {
        "id": feedback.pk,
        "entry_id": feedback.entry_id,
        "cohort": training_entry.day.cohort.name,
        "day": training_entry.day.number,
        # Whose entry it answers: their name, never their writing.
        "trainee": training_entry.entry.author.name,
        "body": feedback.body,
        "created": _when(feedback.created),
        "updated": _when(feedback.updated),
    }


# --- Replies --------------------------------------------------------------------------------------


def _present_reply(reply, user):
    feedback = reply.feedback
    training_entry = feedback.entry
    title = _("Reply to feedback from %(name)s on Day %(number)s: “%(entry)s”") % {
        "name": feedback.author.name,
        "number": training_entry.day.number,
        "entry": _entry_name(training_entry),
    }
    return _presented(training_entry, user, title=title, anchor=f"reply-{reply.pk}")


def _export_reply(reply):
    training_entry = reply.feedback.entry
    return {
        "id": reply.pk,
        "feedback_id": reply.feedback_id,
        "entry_id": training_entry.pk,
        "cohort": training_entry.day.cohort.name,
        "day": training_entry.day.number,
        "body": reply.body,
        "created": _when(reply.created),
    }


def register_training_kinds():
    if get("training_feedback") is not None:
        return
    # A cohort's trainers read what is shared with them (Keys.cohort).
    register_scope("cohort", lambda user: Cohort.objects.for_trainer(user).values_list("pk", flat=True))
    post_save.connect(
        _sharing_changed, sender=TrainingEntry, weak=False, dispatch_uid="search-training-sharing"
    )
    register(
        Kind(
            key="training_feedback",
            model="training.Feedback",
            label=gettext_lazy("Trainer feedback"),
            count_label=lambda n: (
                ngettext("%(n)s piece of trainer feedback", "%(n)s pieces of trainer feedback", n) % {"n": n}
            ),
            readable=lambda user: Feedback.objects.filter(entry__in=_shared_entries(user)),
            present=_present_feedback,
            export=_export_feedback,
            keys=lambda feedback: _feedback_keys(feedback.entry),
            select_related=("author", "entry__entry__author", "entry__day__cohort"),
            index_fields=frozenset({"body", "author", "created"}),
        )
    )
    register(
        Kind(
            key="training_feedback_reply",
            model="training.FeedbackReply",
            label=gettext_lazy("Reply to trainer feedback"),
            count_label=lambda n: (
                ngettext("%(n)s reply to trainer feedback", "%(n)s replies to trainer feedback", n) % {"n": n}
            ),
            readable=lambda user: FeedbackReply.objects.filter(feedback__entry__in=_shared_entries(user)),
            present=_present_reply,
            export=_export_reply,
            keys=lambda reply: _feedback_keys(reply.feedback.entry),
            select_related=(
                "author",
                "feedback__author",
                "feedback__entry__entry__author",
                "feedback__entry__day__cohort",
            ),
            index_fields=frozenset({"body", "author", "created"}),
        )
    )
