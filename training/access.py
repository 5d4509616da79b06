"""One way in per object, as in reflections/access.py: people who may not know an object exists
get 404; people who may read it but not do this get 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User

from .models import Cohort, CohortMember, Feedback, FeedbackReply, TrainingEntry


def cohort_for_trainer(user, cohort_id):
    """A cohort the user trains. Everyone else — trainees, other trainers, supervisors — gets 404:
    a trainer sees only their own cohorts."""
    return get_object_or_404(Cohort.objects.for_trainer(user).select_related("team"), pk=cohort_id)


def cohort_for_trainee(user, cohort_id):
    """A cohort whose journal the user keeps (404 for everyone else, trainers included: they have
    no journal of their own there)."""
    return get_object_or_404(Cohort.objects.for_trainee(user).select_related("team"), pk=cohort_id)


def trainee_of(cohort, user_id):
    return get_object_or_404(
        User.objects.filter(
            cohort_memberships__cohort=cohort, cohort_memberships__role=CohortMember.Role.TRAINEE
        ),
        pk=user_id,
    )


def _training_entries(user):
    return TrainingEntry.objects.visible_to(user).select_related("entry__author", "day__cohort")


def entry_for_trainee(user, pk):
    """The trainee's own training entry; a trainer who may read it gets 403."""
    training_entry = get_object_or_404(_training_entries(user), pk=pk)
    if training_entry.entry.author_id != user.pk:
        raise PermissionDenied(_("Only the trainee who wrote this entry can change it."))
    return training_entry


def entry_for_trainer(user, pk):
    """A shared entry of a cohort the user trains; its author gets 403 (feedback is the
    trainers' to give)."""
    training_entry = get_object_or_404(_training_entries(user), pk=pk)
    if training_entry.entry.author_id == user.pk or not training_entry.is_shared:
        raise PermissionDenied(_("Feedback is written by the cohort’s trainers."))
    return training_entry


def feedback_for_reading(user, pk):
    return get_object_or_404(
        Feedback.objects.filter(entry__in=TrainingEntry.objects.visible_to(user)).select_related(
            "entry__entry__author", "entry__day"
        ),
        pk=pk,
    )


def feedback_for_writing(user, pk):
    feedback = feedback_for_reading(user, pk)
    if feedback.author_id != user.pk:
        raise PermissionDenied(_("Only the trainer who wrote this feedback can change it."))
    return feedback


def reply_for_writing(user, pk):
    reply = get_object_or_404(
        FeedbackReply.objects.filter(
            feedback__entry__in=TrainingEntry.objects.visible_to(user)
        ).select_related("feedback__entry__entry", "feedback__entry__day"),
        pk=pk,
    )
    if reply.author_id != user.pk:
        raise PermissionDenied(_("Only the reply’s author can change it."))
    return reply


def trainers_of(cohort):
    """Who, besides the trainee, can read what the trainee shares: the cohort's trainers who
    still train in its team — exactly the people Entry.objects.visible_to() lets in."""
    team_trainers = Membership.objects.filter(team=cohort.team_id, role=Role.TRAINER).values("user")
    return list(
        User.objects.filter(
            cohort_memberships__cohort=cohort,
            cohort_memberships__role=CohortMember.Role.TRAINER,
            pk__in=team_trainers,
        ).order_by("display_name")
    )
