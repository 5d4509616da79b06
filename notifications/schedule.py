"""What is due now: digests and reminders, each person on their own clock.

`send_due(now)` is run every few minutes (`manage.py send_due_notifications`). It claims each due
digest or reminder by moving the person's `digest_sent`/`reminder_sent` to the moment it is due
with a conditional UPDATE — only one run can win that, so overlapping runs never send twice — and
then queues the email as a task for the worker.
"""

from django.db import IntegrityError, transaction
from django.db.models import Min

from accounts.models import User

from .models import REMINDER_GRACE, Notification, Preferences
from .tasks import send_digest, send_reminder


def _claim(prefs, field, moment):
    """Move prefs.<field> from its current value to `moment`, unless another run did it first."""
    if prefs._state.adding:
        try:
            with transaction.atomic():
                Preferences.objects.create(user=prefs.user, **{field: moment})
        except IntegrityError:
            return False
        return True
    current = getattr(prefs, field)
    claimed = Preferences.objects.filter(
        pk=prefs.pk, **{field: current} if current else {f"{field}__isnull": True}
    )
    return claimed.update(**{field: moment}) == 1


def due_digests(now):
    """People whose digest moment has come, with unread activity from before it not yet emailed."""
    oldest = dict(
        Notification.objects.filter(read__isnull=True, emailed__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(oldest=Min("created"))
        .values_list("recipient", "oldest")
    )
    if not oldest:
        return []
    people = User.objects.filter(pk__in=oldest, is_active=True).select_related("notification_preferences")
    due = []
    for person in people:
        prefs = Preferences.for_user(person)
        moment = prefs.last_digest_moment(now)
        if moment is None or oldest[person.pk] > moment:
            continue
        if prefs.digest_sent is not None and prefs.digest_sent >= moment:
            continue
        due.append((prefs, moment))
    return due


def due_reminders(now):
    due = []
    for prefs in Preferences.objects.filter(reminder=True, user__is_active=True).select_related("user"):
        moment = prefs.last_reminder_moment(now)
        if prefs.reminder_sent is not None and prefs.reminder_sent >= moment:
            continue
        if now - moment > REMINDER_GRACE:
            continue  # missed (the scheduler was down): next week's comes as usual
        due.append((prefs, moment))
    return due


def send_due(now):
    """Queue every digest and reminder that is due; returns (digests, reminders) queued."""
    digests = reminders = 0
    # Claim and queue together: with the database queue both commit, or neither does.
    for prefs, moment in due_digests(now):
        with transaction.atomic():
            if _claim(prefs, "digest_sent", moment):
                send_digest.enqueue(prefs.user_id)
                digests += 1
    for prefs, moment in due_reminders(now):
        with transaction.atomic():
            if _claim(prefs, "reminder_sent", moment):
                send_reminder.enqueue(prefs.user_id)
                reminders += 1
    return digests, reminders
