"""The training panel on the dashboard: a trainee's journal (today's day, new feedback) and a
trainer's cohorts (what waits for feedback). One query for people with no training at all."""

from django import template
from django.db.models import Max, Min

from reflections.weeks import user_today

from .. import flows
from ..models import Cohort, CohortMember

register = template.Library()

NEW_FEEDBACK_SHOWN = 3


@register.inclusion_tag("training/_dashboard.html", takes_context=True)
def training_panel(context):
    user = context["request"].user
    # Queries: my cohort memberships (always); then, for a journal, its days and new feedback; for
    # cohorts I train, what waits for feedback.
    memberships = list(
        CohortMember.objects.filter(user=user).order_by("-cohort__created").values_list("cohort_id", "role")
    )
    if not memberships:
        return {"journals": [], "cohorts": []}
    today = user_today(user)
    journal_ids = [cohort_id for cohort_id, role in memberships if role == CohortMember.Role.TRAINEE]
    trained_ids = [cohort_id for cohort_id, role in memberships if role == CohortMember.Role.TRAINER]
    cohorts = {
        cohort.pk: cohort
        for cohort in Cohort.objects.filter(pk__in=journal_ids + trained_ids)
        .select_related("team")
        .prefetch_related("days")
        .annotate(start=Min("days__date"), end=Max("days__date"))
    }
    journals = []
    if journal_ids:
        feedback, replies = flows.new_feedback_for(user)
        new_items = []
        for item in feedback.select_related("author", "entry__entry", "entry__day"):
            item.training_entry, item.anchor, item.is_reply = item.entry, f"feedback-{item.pk}", False
            new_items.append(item)
        for item in replies.select_related("author", "feedback__entry__entry", "feedback__entry__day"):
            item.training_entry, item.anchor, item.is_reply = item.feedback.entry, f"reply-{item.pk}", True
            new_items.append(item)
        new_items.sort(key=lambda item: item.created, reverse=True)
        for cohort_id in journal_ids:
            cohort = cohorts[cohort_id]
            days = list(cohort.days.all())
            mine = [item for item in new_items if item.training_entry.day.cohort_id == cohort_id]
            journals.append(
                {
                    "cohort": cohort,
                    "today_day": flows.current_day(days, today),
                    "finished": bool(days) and today > days[-1].date,
                    "not_started": bool(days) and today < days[0].date,
                    "new": mine[:NEW_FEEDBACK_SHOWN],
                    "new_count": len(mine),
                }
            )
    trained = []
    trained_cohorts = [cohorts[i] for i in trained_ids if i in cohorts]
    allowed = set(Cohort.objects.for_trainer(user).filter(pk__in=trained_ids).values_list("pk", flat=True))
    if allowed:
        waiting = {}
        for training_entry in flows.with_feedback_state(
            flows.TrainingEntry.objects.filter(day__cohort__in=allowed, shared__isnull=False)
        ).select_related("day"):
            if flows.feedback_state(training_entry) != flows.FeedbackState.GIVEN:
                waiting[training_entry.day.cohort_id] = waiting.get(training_entry.day.cohort_id, 0) + 1
        trained = [
            {"cohort": cohort, "waiting": waiting.get(cohort.pk, 0)}
            for cohort in trained_cohorts
            if cohort.pk in allowed
        ]
    return {"journals": journals, "cohorts": trained, "today": today}
