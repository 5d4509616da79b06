"""Training workflows that touch several models: creating a cohort from the default outline,
inviting and enrolling trainees, writing and sharing journal entries, feedback, visits and reads."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import flows as account_flows
from accounts.models import Membership
from accounts.models import Role as TeamRole
from notifications import flows as notices
from reflections import flows as reflection_flows
from reflections.models import Entry
from reflections.thread_versions import bump_threads
from reflections.weeks import week_start

from . import access
from .models import (
    Cohort,
    CohortDay,
    CohortInvitation,
    CohortMember,
    DayVisit,
    Feedback,
    FeedbackReply,
    OutlineDay,
    TrainerRead,
    TrainingEntry,
)

Role = CohortMember.Role


# Cohorts -------------------------------------------------------------------------------------
def training_dates(start, count, skip_weekends=False):
    """`count` training days from `start`: consecutive, or Monday to Friday only."""
    dates, day = [], start
    while len(dates) < count:
        if not (skip_weekends and day.weekday() >= 5):
            dates.append(day)
        day += dt.timedelta(days=1)
    return dates


@transaction.atomic
def create_cohort(user, team, *, name, start, skip_weekends=False):
    """A cohort with its own copy of the default outline, its creator as its first trainer."""
    cohort = Cohort.objects.create(team=team, name=name, created_by=user)
    CohortMember.objects.create(cohort=cohort, user=user, role=Role.TRAINER)
    outline = list(OutlineDay.objects.all())
    for day, date in zip(outline, training_dates(start, len(outline), skip_weekends), strict=True):
        CohortDay.objects.create(
            cohort=cohort,
            number=day.number,
            date=date,
            title=day.title,
            topics=day.topics,
            prompts=day.prompts,
            content_note=day.content_note,
        )
    return cohort


@transaction.atomic
def save_days(days):
    """Save edited days (dates, titles, topics, prompts). Entries follow their day to its new
    week, so "the week it reflects on" stays true when a day is re-dated."""
    for day in days:
        day.save()
        monday = week_start(day.date)
        linked = TrainingEntry.objects.filter(day=day).values("entry_id")
        moved = Entry.objects.filter(pk__in=linked).exclude(week=monday)
        bump_threads(moved.filter(pair__isnull=False).values("pair_id"))  # update() sends no signals
        moved.update(week=monday)


def add_trainer(cohort, user):
    member, _created = CohortMember.objects.get_or_create(cohort=cohort, user=user, role=Role.TRAINER)
    return member


def enrol(cohort, user):
    member, _created = CohortMember.objects.get_or_create(cohort=cohort, user=user, role=Role.TRAINEE)
    return member


def invite_trainees(request, cohort, emails):
    """Invite each address as a trainee of the cohort's team, through the team invitation flow.
    Someone who already is a trainee of the team joins the cohort at once. Returns
    (invited, enrolled, skipped) lists of addresses."""
    invited, enrolled, skipped = [], [], []
    # A team's trainees are few; compare addresses without regard to case.
    trainees = {
        m.user.email.lower(): m.user
        for m in Membership.objects.filter(team=cohort.team, role=TeamRole.TRAINEE).select_related("user")
    }
    already = {
        email.lower()
        for email in [
            *cohort.members.filter(role=Role.TRAINEE).values_list("user__email", flat=True),
            *pending_invitations(cohort).values_list("invitation__email", flat=True),
        ]
    }
    for email in emails:
        if email in already:
            skipped.append(email)
        elif email in trainees:
            enrol(cohort, trainees[email])
            enrolled.append(email)
        else:
            with transaction.atomic():
                invitation = account_flows.invite(request, cohort.team, email=email, role=TeamRole.TRAINEE)
                CohortInvitation.objects.create(invitation=invitation, cohort=cohort)
            invited.append(email)
    return invited, enrolled, skipped


def pending_invitations(cohort):
    return (
        CohortInvitation.objects.filter(cohort=cohort, invitation__in=cohort.team.invitations.pending())
        .select_related("invitation__invited_by")
        .order_by("invitation__email")
    )


def join_invited_cohort(invitation, user):
    """Called by accounts.flows.accept_invitation: an invitation sent for a cohort enrols the
    person who accepts it."""
    link = CohortInvitation.objects.filter(invitation=invitation).select_related("cohort").first()
    if link is not None:
        enrol(link.cohort, user)
    return link


# Days ----------------------------------------------------------------------------------------
def current_day(days, today):
    """The day the journal opens on: today's training day; between re-dated days (a weekend)
    the latest day so far; before the training, Day 1; after it, None (the summary)."""
    if not days:
        return None
    if today < days[0].date:
        return days[0]
    if today > days[-1].date:
        return None
    return [day for day in days if day.date <= today][-1]


# Entries -------------------------------------------------------------------------------------
def write_entry(author, day, data, *, share=False, draft_key=""):
    """A journal entry: an ordinary entry (reflections.flows) linked to its cohort day, private
    unless the trainee chose to share it with the cohort's trainers."""
    with transaction.atomic():
        entry = reflection_flows.create_entry(
            author, {**data, "week": week_start(day.date)}, draft_key=draft_key
        )
        TrainingEntry.objects.create(entry=entry, day=day, shared=timezone.now() if share else None)
    return entry


def share(training_entry):
    if training_entry.shared is None:
        training_entry.shared = timezone.now()
        training_entry.save(update_fields=["shared"])


def can_unshare(training_entry):
    """Unsharing is possible until a trainer has written feedback on the entry."""
    return training_entry.is_shared and not training_entry.feedback.exists()


@transaction.atomic
def unshare(training_entry):
    # The entry's row is locked, as give_feedback() locks it: feedback cannot slip in between
    # the check and the unsharing.
    TrainingEntry.objects.select_for_update().filter(pk=training_entry.pk).first()
    if not can_unshare(training_entry):
        raise ValidationError(
            _("Your trainers have already written feedback on this entry, so it stays shared with them.")
        )
    training_entry.shared = None
    training_entry.save(update_fields=["shared"])


# Feedback ------------------------------------------------------------------------------------
@transaction.atomic
def give_feedback(training_entry, author, body):
    """A trainer's feedback on a shared entry; the trainee hears of it (in the same transaction)."""
    locked = TrainingEntry.objects.select_for_update().filter(pk=training_entry.pk, shared__isnull=False)
    if locked.first() is None:
        raise ValidationError(_("This entry is no longer shared with the trainers."))
    now = timezone.now()
    feedback = Feedback.objects.create(
        entry=training_entry, author=author, body=body, created=now, updated=now
    )
    _tell([training_entry.entry.author], notices.Verb.FEEDBACK, author, feedback, training_entry, "feedback")
    return feedback


def _tell(recipients, verb, actor, target, training_entry, anchor):
    """Notify about feedback or a reply, each recipient linked to their own page at `target`."""
    entry = training_entry.entry
    notices.notify(
        recipients,
        verb=verb,
        actor=actor,
        target=target,
        url=lambda person: training_entry.url_for(person, anchor=f"{anchor}-{target.pk}"),
        task=entry.task,
        week=entry.week,
    )


def conversation_of(feedback):
    """Who takes part in a feedback conversation and may still read it: the trainee, the trainer
    who wrote the feedback and whoever replied — trainers only while they train the cohort."""
    training_entry = feedback.entry
    trainee = training_entry.entry.author
    trainers = {user.pk: user for user in access.trainers_of(training_entry.day.cohort)}
    spoke = {feedback.author_id, *feedback.replies.values_list("author", flat=True)}
    return [trainee, *(trainers[pk] for pk in sorted(spoke) if pk in trainers and pk != trainee.pk)]


@transaction.atomic
def reply(feedback, author, body):
    """A reply under feedback: everyone else in the conversation hears of it, each with the link
    to their own page (the trainee's day page, the trainers' page of the trainee's journal)."""
    made = FeedbackReply.objects.create(feedback=feedback, author=author, body=body)
    _tell(conversation_of(feedback), notices.Verb.FEEDBACK_REPLY, author, made, feedback.entry, "reply")
    return made


def edit_feedback(feedback, body):
    feedback.body = body
    feedback.updated = timezone.now()
    feedback.save(update_fields=["body", "updated"])
    return feedback


# Visits and reads ----------------------------------------------------------------------------
def record_visit(user, day):
    """The trainee opened a day page: its feedback is no longer new to them (one upsert)."""
    DayVisit.objects.bulk_create(
        [DayVisit(user=user, day=day, seen=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "day"],
        update_fields=["seen"],
    )


def record_reads(reader, training_entries):
    """A trainer read these shared entries: the trainee sees who and when (one insert)."""
    now = timezone.now()
    TrainerRead.objects.bulk_create(
        [TrainerRead(reader=reader, entry=te, created=now) for te in training_entries]
    )


def new_feedback_for(user):
    """Feedback and replies by others on the user's training entries that they have not seen
    yet (newer than their last visit of that day's page)."""
    visit = DayVisit.objects.filter(user=user, day=OuterRef("entry__day"), seen__gte=OuterRef("created"))
    reply_visit = DayVisit.objects.filter(
        user=user, day=OuterRef("feedback__entry__day"), seen__gte=OuterRef("created")
    )
    feedback = Feedback.objects.filter(entry__entry__author=user).exclude(author=user).filter(~Exists(visit))
    replies = (
        FeedbackReply.objects.filter(feedback__entry__entry__author=user)
        .exclude(author=user)
        .filter(~Exists(reply_visit))
    )
    return feedback, replies


class FeedbackState:
    """Where the conversation on a shared entry stands, from the trainers' side."""

    AWAITING = "awaiting"  # shared, no feedback yet
    REPLIED = "replied"  # the trainee answered last
    GIVEN = "given"  # a trainer spoke last


def with_feedback_state(training_entries):
    """Annotate what feedback_state() needs, in the same query (Max ignores join duplicates)."""
    by_author = Q(feedback__replies__author=F("entry__author"))
    return training_entries.annotate(
        feedback_count=Count("feedback", distinct=True),
        last_feedback=Max("feedback__created"),
        last_trainer_reply=Max("feedback__replies__created", filter=~by_author),
        last_trainee_reply=Max("feedback__replies__created", filter=by_author),
    )


def feedback_state(training_entry):
    if not training_entry.is_shared:
        return None
    if not training_entry.feedback_count:
        return FeedbackState.AWAITING
    trainers = max(t for t in [training_entry.last_feedback, training_entry.last_trainer_reply] if t)
    trainee = training_entry.last_trainee_reply
    return FeedbackState.REPLIED if trainee and trainee > trainers else FeedbackState.GIVEN
