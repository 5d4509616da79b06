"""The trainer's side: their cohorts, the cohort page (trainees × days), inviting trainees,
adding trainers, re-dating and editing the days, and reading a trainee's shared entries."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, Min, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reflections.weeks import user_today

from .. import access, flows
from ..forms import (
    AddTrainerForm,
    CohortForm,
    CohortNameForm,
    DayFormSet,
    FeedbackForm,
    FeedbackReplyForm,
    InviteTraineesForm,
)
from ..models import Cohort, CohortMember, Feedback, FeedbackReply, TrainingEntry

Role = CohortMember.Role


def _with_dates(cohorts):
    return cohorts.select_related("team").annotate(
        start=Min("days__date"),
        end=Max("days__date"),
        trainee_count=Count("members", filter=Q(members__role=Role.TRAINEE), distinct=True),
    )


def home(request):
    """Training at a glance: the cohorts I train (and a form to start one), the journals I keep."""
    user = request.user
    form = CohortForm(request.POST or None, user=user)
    can_create = form.fields["team"].queryset.exists()
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied(_("Cohorts are started by a team’s trainers."))
        if form.is_valid():
            data = form.cleaned_data
            cohort = flows.create_cohort(
                user,
                data["team"],
                name=data["name"],
                start=data["start"],
                skip_weekends=data["skip_weekends"],
            )
            messages.success(
                request,
                _("%(cohort)s is ready, with the five days of the outline. Invite your trainees below.")
                % {"cohort": cohort.name},
            )
            return redirect("training:cohort-detail", cohort.pk)
    elif not form.is_bound:
        form.initial["start"] = user_today(user).isoformat()
    cohorts = list(_with_dates(Cohort.objects.for_trainer(user)).order_by("-start"))
    journals = list(_with_dates(Cohort.objects.for_trainee(user)).order_by("-start"))
    context = {
        "form": form,
        "can_create": can_create,
        "cohorts": cohorts,
        "journals": journals,
        "today": user_today(user),
    }
    return render(request, "training/home.html", context, status=400 if form.is_bound else 200)


def _grid(cohort, days, trainees):
    """rows: [(trainee, [cell per day])]; a cell is the trainee's entries that day with their
    feedback state. One query for all entries of the cohort, whatever its size."""
    entries = flows.with_feedback_state(
        TrainingEntry.objects.filter(day__cohort=cohort).annotate(author_id=F("entry__author_id"))
    )
    cells = {}
    for training_entry in entries:
        cells.setdefault((training_entry.author_id, training_entry.day_id), []).append(training_entry)
    rows = []
    for trainee in trainees:
        row = []
        for day in days:
            day_entries = cells.get((trainee.pk, day.pk), [])
            states = [flows.feedback_state(te) for te in day_entries]
            row.append(
                {
                    "day": day,
                    "written": len(day_entries),
                    "shared": sum(1 for te in day_entries if te.is_shared),
                    "awaiting": states.count(flows.FeedbackState.AWAITING),
                    "replied": states.count(flows.FeedbackState.REPLIED),
                    "given": states.count(flows.FeedbackState.GIVEN),
                }
            )
        rows.append((trainee, row))
    return rows


def cohort_detail(request, cohort_id, invite_form=None, trainer_form=None):
    """Trainees × days: who wrote, what they shared with the trainers, where feedback waits.
    A fixed number of queries however many trainees (tests/training/test_cohorts.py)."""
    # Queries: cohort; days; members; entries with feedback state; pending invitations;
    # the team's trainers not yet on the cohort (plus session, user and the navigation's roles).
    cohort = access.cohort_for_trainer(request.user, cohort_id)
    days = list(cohort.days.all())
    members = list(cohort.members.select_related("user").order_by("user__display_name", "user__email"))
    trainers = [m.user for m in members if m.role == Role.TRAINER]
    trainees = [m.user for m in members if m.role == Role.TRAINEE]
    trainer_form = trainer_form or AddTrainerForm(cohort=cohort)
    context = {
        "cohort": cohort,
        "days": days,
        "last_day": days[-1] if days else None,
        "today": user_today(request.user),
        "trainers": trainers,
        "trainees": trainees,
        "rows": _grid(cohort, days, trainees),
        "invitations": list(flows.pending_invitations(cohort)),
        "invite_form": invite_form or InviteTraineesForm(),
        "trainer_form": trainer_form,
        "other_trainers": list(trainer_form.fields["user"].queryset),
    }
    status = 400 if (invite_form or trainer_form.is_bound) else 200
    return render(request, "training/cohort_detail.html", context, status=status)


@require_POST
def trainee_invite(request, cohort_id):
    cohort = access.cohort_for_trainer(request.user, cohort_id)
    form = InviteTraineesForm(request.POST)
    if not form.is_valid():
        return cohort_detail(request, cohort_id, invite_form=form)
    invited, enrolled, skipped = flows.invite_trainees(request, cohort, form.cleaned_data["emails"])
    if invited:
        messages.success(
            request,
            ngettext(
                "An invitation is on its way to %(emails)s.",
                "Invitations are on their way to %(emails)s.",
                len(invited),
            )
            % {"emails": ", ".join(invited)},
        )
    if enrolled:
        messages.success(
            request,
            _("Already trainees of %(team)s, now in this cohort: %(emails)s.")
            % {"team": cohort.team.name, "emails": ", ".join(enrolled)},
        )
    if skipped:
        messages.info(
            request,
            _("Already in this cohort or invited to it: %(emails)s.") % {"emails": ", ".join(skipped)},
        )
    return redirect("training:cohort-detail", cohort.pk)


@require_POST
def invitation_revoke(request, cohort_id, invitation_id):
    cohort = access.cohort_for_trainer(request.user, cohort_id)
    link = get_object_or_404(flows.pending_invitations(cohort), invitation_id=invitation_id)
    invitation = link.invitation
    invitation.revoked = timezone.now()
    invitation.save(update_fields=["revoked"])
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("training:cohort-detail", cohort.pk)


@require_POST
def trainer_add(request, cohort_id):
    cohort = access.cohort_for_trainer(request.user, cohort_id)
    form = AddTrainerForm(request.POST, cohort=cohort)
    if not form.is_valid():
        return cohort_detail(request, cohort_id, trainer_form=form)
    flows.add_trainer(cohort, form.cleaned_data["user"])
    messages.success(
        request,
        _("%(name)s now trains this cohort too: they can read what trainees share and leave feedback.")
        % {"name": form.cleaned_data["user"].name},
    )
    return redirect("training:cohort-detail", cohort.pk)


def cohort_outline(request, cohort_id):
    """The cohort's name and its own copy of the outline: dates, titles, topics, prompts."""
    cohort = access.cohort_for_trainer(request.user, cohort_id)
    data = request.POST if request.method == "POST" else None
    name_form = CohortNameForm(data, instance=cohort, prefix="cohort")
    days = DayFormSet(data, queryset=cohort.days.all(), prefix="days")
    if data is not None and name_form.is_valid() and days.is_valid():
        name_form.save()
        flows.save_days(days.save(commit=False))
        messages.success(request, _("The days are saved. Trainees see the changes at once."))
        return redirect("training:cohort-detail", cohort.pk)
    status = 400 if data is not None else 200
    context = {"cohort": cohort, "name_form": name_form, "days": days}
    return render(request, "training/cohort_outline.html", context, status=status)


def trainee_journal(request, cohort_id, user_id, errors=None):
    """What one trainee shared with the trainers, day by day, with the feedback conversation.
    Never their unshared entries. Opening it records a read of each entry shown."""
    cohort = access.cohort_for_trainer(request.user, cohort_id)
    trainee = access.trainee_of(cohort, user_id)
    days = list(cohort.days.all())
    shared = list(
        TrainingEntry.objects.filter(day__cohort=cohort, entry__author=trainee, shared__isnull=False)
        .select_related("entry")
        .prefetch_related(
            Prefetch(
                "feedback",
                queryset=Feedback.objects.select_related("author").prefetch_related(
                    Prefetch("replies", queryset=FeedbackReply.objects.select_related("author"))
                ),
            )
        )
        .order_by("day__number", "entry__created")
    )
    errors = errors or {}
    by_day = {}
    for training_entry in shared:
        by_day.setdefault(training_entry.day_id, []).append(training_entry)
        training_entry.form_with_errors = errors.get("feedback", {}).get(training_entry.pk)
        for feedback in training_entry.feedback.all():
            feedback.reply_with_errors = errors.get("reply", {}).get(feedback.pk)
    flows.record_reads(request.user, shared)
    context = {
        "cohort": cohort,
        "trainee": trainee,
        "days": [(day, by_day.get(day.pk, [])) for day in days],
        "shared_count": len(shared),
        "trainers": access.trainers_of(cohort),
        "feedback_form": FeedbackForm(),
        "reply_form": FeedbackReplyForm(),
        "today": user_today(request.user),
    }
    status = 400 if errors else 200
    return render(request, "training/trainee_journal.html", context, status=status)
