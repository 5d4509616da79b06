"""Background work: one digest or one reminder for one person. Queued by
`send_due_notifications` (cron or a systemd timer) and run by `manage.py db_worker`."""

import datetime as dt

from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reflections.models import Task
from reflections.prompts import PROMPTS
from reflections.weeks import current_week

from . import emails
from .models import Notification, Preferences


@task
def send_digest(user_id):
    """One email about everything new the person has not read or been told of yet. Returns how
    many notifications it covered (0: nothing to say, no email)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or Preferences.for_user(user).digest == Preferences.Digest.OFF:
        return 0
    with transaction.atomic():
        pending = list(
            Notification.objects.for_recipient(user)
            .filter(read__isnull=True, emailed__isnull=True)
            .select_related("actor")
            .select_for_update(of=("self",))
            .order_by("created", "pk")
        )
        if not pending:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed=timezone.now())
        for notification in pending:
            notification.link = emails.absolute(reverse("notifications:open", args=[notification.pk]))
        # Inside the transaction: if the mail server refuses, nothing is marked as sent and the
        # next digest includes it (the failed task is in the task results).
        emails.send(
            user,
            "notifications/email/digest",
            {
                "notifications": pending,
                "weekly": Preferences.for_user(user).digest == Preferences.Digest.WEEKLY,
                "list_url": emails.absolute(reverse("notifications:list")),
            },
            unsubscribe=emails.DIGEST,
        )
    return len(pending)


def prompt_for(week):
    """A prompt for the week: the four tasks in turn, a different prompt each time round."""
    number = week.isocalendar().week + week.isocalendar().year * 53
    task_ = list(Task)[number % 4]
    prompts = PROMPTS[task_]
    return task_, prompts[(number // 4) % len(prompts)]


@task
def send_reminder(user_id):
    """The weekly invitation to reflect that the person asked for."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not Preferences.for_user(user).reminder:
        return False
    week = current_week(user)
    task_, prompt = prompt_for(week)
    emails.send(
        user,
        "notifications/email/reminder",
        {
            "task": task_,
            "prompt": prompt,
            "write_url": emails.absolute(reverse("reflections:entry-create")),
            "week_end": week + dt.timedelta(days=6),
        },
        unsubscribe=emails.REMINDER,
    )
    return True
