import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Digests go out at this hour of the person's own morning: a daily one every day, a weekly one on
# Mondays, each covering what happened before it.
DIGEST_HOUR = 8
# A reminder whose moment passed longer ago than this (the scheduler was down) is skipped rather
# than sent at an odd hour; next week's comes as usual.
REMINDER_GRACE = dt.timedelta(hours=6)


class Verb(models.TextChoices):
    SHARED = "shared", _("shared a reflection")
    ANNOTATED = "annotated", _("wrote a note")
    REPLIED = "replied", _("replied to a note")
    REVIEW_NOTE = "review_note", _("left a review note")
    REVIEW_REPLY = "review_reply", _("replied to a review note")
    FEEDBACK = "feedback", _("gave feedback")
    FEEDBACK_REPLY = "feedback_reply", _("replied to feedback")
    EXPORT_READY = "export_ready", _("export ready")


# What a notification says. Only names, tasks and weeks — never what anyone wrote, so nothing
# written reaches an email inbox, and a notification about writing that became private again
# (or a thread someone lost access to) reveals nothing of it.
MESSAGES = {
    Verb.SHARED: _("%(actor)s shared a reflection in your co-reflection thread."),
    Verb.ANNOTATED: _("%(actor)s wrote a note on a reflection in your thread."),
    Verb.REPLIED: _("%(actor)s replied to a note in your thread."),
    Verb.REVIEW_NOTE: _("%(actor)s left a review note on your thread."),
    Verb.REVIEW_REPLY: _("%(actor)s replied to a review note."),
    Verb.FEEDBACK: _("%(actor)s gave feedback on your training journal."),
    # Trainees and trainers both hear of replies: not "your" journal.
    Verb.FEEDBACK_REPLY: _("%(actor)s replied to feedback in a training journal."),
    Verb.EXPORT_READY: _("Your data export is ready to download."),
}


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user):
        """The person's notifications whose subject they may still read: the writing's kind
        (search.registry) decides, through the same `readable()` querysets as every page. One
        about an entry made private again, or a thread of a team they left, drops out."""
        from search import registry

        if not user.is_authenticated:
            return self.none()
        readable = Q(target_kind="")
        for kind in registry.kinds():
            readable |= Q(target_kind=kind.key, target_id__in=kind.readable(user).values("pk"))
        return self.filter(recipient=user).filter(readable)

    def unread(self):
        return self.filter(read__isnull=True)


class Notification(models.Model):
    """Something happened that concerns the recipient: a peer shared, a note, a review note."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    # Deleting the account of the person who did it takes the notification with it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=20, choices=Verb.choices)
    # The writing it is about, as a search.registry kind and id ("" when it is about no writing).
    target_kind = models.CharField(max_length=40, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    task = models.CharField(max_length=20, blank=True)
    week = models.DateField(null=True, blank=True)
    url = models.CharField(max_length=500)
    created = models.DateTimeField(default=timezone.now)
    read = models.DateTimeField(null=True, blank=True)
    emailed = models.DateTimeField(null=True, blank=True, help_text="When a digest included it.")

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            # The notifications page: a person's notifications, newest first.
            models.Index(fields=["recipient", "-created"], name="notifications_recipient"),
            # The header's unread count.
            models.Index(fields=["recipient"], condition=Q(read__isnull=True), name="notifications_unread"),
            # send_due_notifications: who has activity not yet read or sent in a digest.
            models.Index(
                fields=["recipient", "created"],
                condition=Q(read__isnull=True, emailed__isnull=True),
                name="notifications_undelivered",
            ),
        ]

    def __str__(self):
        return f"{self.get_verb_display()} → {self.recipient} ({self.created:%Y-%m-%d %H:%M})"

    @property
    def message(self):
        actor = self.actor.name if self.actor_id else ""
        return MESSAGES[self.verb] % {"actor": actor}

    @property
    def task_label(self):
        from reflections.models import Task

        return Task(self.task).label if self.task in Task.values else ""


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class Preferences(models.Model):
    """How a person hears from the journal: a digest of activity, and an opt-in weekly reminder
    at the day and hour they choose, in their own time zone."""

    class Digest(models.TextChoices):
        OFF = "off", _("No emails")
        DAILY = "daily", _("A daily digest")
        WEEKLY = "weekly", _("A weekly digest (Mondays)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, primary_key=True, related_name="notification_preferences"
    )
    digest = models.CharField(
        _("email about new activity"), max_length=10, choices=Digest.choices, default=Digest.DAILY
    )
    digest_sent = models.DateTimeField(null=True, blank=True, help_text="The digest moment last handled.")
    reminder = models.BooleanField(_("send me a weekly reminder to reflect"), default=False)
    reminder_day = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS, default=4)
    reminder_hour = models.PositiveSmallIntegerField(_("time"), choices=HOURS, default=16)
    reminder_sent = models.DateTimeField(null=True, blank=True, help_text="The reminder moment last handled.")

    class Meta:
        verbose_name_plural = "preferences"
        indexes = [
            # send_due_notifications: everyone who asked for a reminder.
            models.Index(fields=["reminder"], condition=Q(reminder=True), name="notifications_reminder_on"),
        ]

    def __str__(self):
        return f"Notification preferences of {self.user}"

    @classmethod
    def for_user(cls, user):
        """The person's preferences, or the defaults (unsaved) if they never changed them."""
        try:
            return user.notification_preferences
        except cls.DoesNotExist:
            return cls(user=user)

    def zone(self):
        try:
            return zoneinfo.ZoneInfo(self.user.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return dt.UTC

    def last_digest_moment(self, now):
        """The most recent digest moment at or before `now` (aware), or None when digests are off."""
        if self.digest == self.Digest.OFF:
            return None
        local = now.astimezone(self.zone())
        day = local.date()
        if self.digest == self.Digest.WEEKLY:
            day -= dt.timedelta(days=day.weekday())
        moment = dt.datetime.combine(day, dt.time(DIGEST_HOUR), self.zone())
        if moment > now:
            moment -= dt.timedelta(days=7 if self.digest == self.Digest.WEEKLY else 1)
            # Re-attach the zone so a change of clocks in between is respected.
            moment = dt.datetime.combine(moment.date(), dt.time(DIGEST_HOUR), self.zone())
        return moment

    def last_reminder_moment(self, now):
        """The most recent chosen weekday and hour, at or before `now`, in the person's zone."""
        local = now.astimezone(self.zone())
        day = local.date() - dt.timedelta(days=(local.weekday() - self.reminder_day) % 7)
        moment = dt.datetime.combine(day, dt.time(self.reminder_hour), self.zone())
        if moment > now:
            moment = dt.datetime.combine(day - dt.timedelta(days=7), dt.time(self.reminder_hour), self.zone())
        return moment

    def next_reminder_moment(self, now):
        last = self.last_reminder_moment(now)
        return dt.datetime.combine(
            last.date() + dt.timedelta(days=7), dt.time(self.reminder_hour), self.zone()
        )
