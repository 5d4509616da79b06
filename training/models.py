"""The five-day training journal: cohorts run by trainers, one page per training day, entries
shared (or not) with the cohort's trainers, and the trainers' feedback.

A training entry is an ordinary `reflections.Entry` (task, Markdown, revisions, drafts) plus a
one-to-one `TrainingEntry` row saying which cohort day it belongs to and whether the trainee shared
it with the cohort's trainers. Everything training-specific lives here, so `reflections` stays
unaware of training except for one clause in `Entry.objects.visible_to()`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role as TeamRole
from accounts.models import teams_held
from reflections.rendering import render_markdown


def _lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


class DayContent(models.Model):
    """What one training day is about: its title, topics and prompts (our own words)."""

    number = models.PositiveSmallIntegerField(_("day"))
    title = models.CharField(_("title"), max_length=120)
    topics = models.TextField(_("topics"), blank=True, max_length=4000, help_text=_("One topic per line."))
    prompts = models.TextField(
        _("prompts"), blank=True, max_length=4000, help_text=_("One prompt per line; the first is the day’s.")
    )
    content_note = models.TextField(
        _("content note"),
        blank=True,
        max_length=1000,
        help_text=_("A gentle note shown before the day’s topics, for days that touch on painful subjects."),
    )

    class Meta:
        abstract = True

    @property
    def topic_list(self):
        return _lines(self.topics)

    @property
    def prompt_list(self):
        return _lines(self.prompts)


class OutlineDay(DayContent):
    """The default outline a new cohort starts from (loaded by a data migration; editable in the
    admin). Each cohort keeps its own copy, which its trainers edit."""

    class Meta:
        ordering = ["number"]
        verbose_name = _("default outline day")
        verbose_name_plural = _("default outline")
        constraints = [models.UniqueConstraint(fields=["number"], name="training_outlineday_unique")]

    def __str__(self):
        return f"Day {self.number} — {self.title}"


class CohortQuerySet(models.QuerySet):
    def for_trainer(self, user):
        """Cohorts the user trains: named as one of its trainers *and* still a trainer of its team."""
        if not user.is_authenticated:
            return self.none()
        teams = teams_held(user, TeamRole.TRAINER)
        if teams == []:
            return self.none()
        trains = CohortMember.objects.filter(user=user, role=CohortMember.Role.TRAINER).values("cohort")
        return self.filter(pk__in=trains, team__in=teams)

    def for_trainee(self, user):
        """Cohorts whose journal the user keeps. The journal stays theirs whatever their role in
        the team becomes later (a trainee usually goes on to be a peer worker)."""
        if not user.is_authenticated:
            return self.none()
        keeps = CohortMember.objects.filter(user=user, role=CohortMember.Role.TRAINEE).values("cohort")
        return self.filter(pk__in=keeps)


class Cohort(models.Model):
    """One run of the five-day core training, for one team."""

    team = models.ForeignKey("accounts.Team", models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("training:cohort-detail", args=[self.pk])


class CohortMember(models.Model):
    """A trainer or a trainee of a cohort."""

    class Role(models.TextChoices):
        TRAINER = "trainer", _("Trainer")
        TRAINEE = "trainee", _("Trainee")

    cohort = models.ForeignKey(Cohort, models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="cohort_memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user", "role"], name="training_cohortmember_unique"),
        ]
        indexes = [
            # Cohort.objects.for_trainer()/for_trainee(): "which cohorts does this user train/keep?"
            models.Index(fields=["user", "role"], name="training_member_user_role"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.cohort}"


class CohortDay(DayContent):
    """One training day of a cohort: the cohort's own copy of the outline, with its date."""

    cohort = models.ForeignKey(Cohort, models.CASCADE, related_name="days")
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["cohort", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="training_cohortday_unique"),
        ]

    def __str__(self):
        return f"{self.cohort} — Day {self.number}"

    def get_absolute_url(self):
        return reverse("training:day", args=[self.cohort_id, self.number])


class CohortInvitation(models.Model):
    """A team invitation (accounts.Invitation, role trainee) sent for a cohort: whoever accepts
    it joins the cohort too (accounts.flows.accept_invitation calls training.flows)."""

    invitation = models.OneToOneField("accounts.Invitation", models.CASCADE, related_name="cohort_link")
    cohort = models.ForeignKey(Cohort, models.CASCADE, related_name="invitations")

    class Meta:
        ordering = ["-invitation__created"]

    def __str__(self):
        return f"{self.invitation.email} → {self.cohort}"


class TrainingEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The trainee's own training entries, and — for the cohort's trainers — those the trainee
        shared with them. Never an unshared entry of someone else."""
        if not user.is_authenticated:
            return self.none()
        trained = Cohort.objects.for_trainer(user).values("pk")
        return self.filter(Q(entry__author=user) | Q(shared__isnull=False, day__cohort__in=trained))

    def shared(self):
        return self.filter(shared__isnull=False)


class TrainingEntry(models.Model):
    """Links an entry to a cohort day. Its primary key is the entry's, so URLs agree."""

    entry = models.OneToOneField(
        "reflections.Entry", models.CASCADE, primary_key=True, related_name="training"
    )
    # Deleting a cohort (admin only) removes the link, never the trainee's writing.
    day = models.ForeignKey(CohortDay, models.CASCADE, related_name="entries")
    shared = models.DateTimeField(
        _("shared with the trainers"), null=True, blank=True, help_text=_("Empty: only the trainee reads it.")
    )

    objects = TrainingEntryQuerySet.as_manager()

    class Meta:
        ordering = ["day__number", "entry__created"]
        verbose_name = _("training entry")
        verbose_name_plural = _("training entries")
        indexes = [
            # The cohort page: a day's entries, shared or not (counts per trainee and day).
            models.Index(fields=["day", "shared"], name="training_entry_day_shared"),
        ]

    def __str__(self):
        return f"{self.entry} ({self.day})"

    @property
    def is_shared(self):
        return self.shared is not None

    def url_for(self, user, anchor=""):
        """Where this entry is read: the trainee's day page, or the trainer's journal page; at the
        entry, or at `anchor` on that page (`feedback-<pk>`, `reply-<pk>`)."""
        day = self.day
        if self.entry.author_id == user.pk:
            url = reverse("training:day", args=[day.cohort_id, day.number])
        else:
            url = reverse("training:trainee-journal", args=[day.cohort_id, self.entry.author_id])
        return f"{url}#{anchor or f'entry-{self.pk}'}"


class Feedback(models.Model):
    """A trainer's feedback on a shared training entry: dialogue, never a grade."""

    entry = models.ForeignKey(TrainingEntry, models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="training_feedback")
    body = models.TextField(_("feedback"), max_length=20_000)
    body_html = models.TextField(editable=False)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created"]
        verbose_name_plural = _("feedback")
        indexes = [
            # The day page and the trainer's journal page: an entry's feedback in order.
            models.Index(fields=["entry", "created"], name="training_feedback_entry"),
        ]

    def __str__(self):
        return f"Feedback by {self.author} on {self.entry_id}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)


class FeedbackReply(models.Model):
    """A reply in a feedback conversation, by the trainee or one of the cohort's trainers."""

    feedback = models.ForeignKey(Feedback, models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="training_replies")
    body = models.TextField(_("reply"), max_length=20_000)
    body_html = models.TextField(editable=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created"]
        verbose_name_plural = _("feedback replies")

    def __str__(self):
        return f"Reply by {self.author}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class DayVisit(models.Model):
    """When a trainee last opened a day page: feedback and replies newer than that are new."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    day = models.ForeignKey(CohortDay, models.CASCADE, related_name="visits")
    seen = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-seen"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="training_dayvisit_unique")]

    def __str__(self):
        return f"{self.user} saw {self.day} at {self.seen}"


class TrainerRead(models.Model):
    """A trainer opened a shared training entry: who and when, never the text. The trainee sees
    these records beside the entry (design.md: reads of shared writing are recorded)."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    entry = models.ForeignKey(TrainingEntry, models.CASCADE, related_name="reads")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]
        indexes = [
            # The day page: "read by your trainers", per entry, newest first.
            models.Index(fields=["entry", "-created"], name="training_read_entry"),
        ]

    def __str__(self):
        return f"{self.reader} read {self.entry_id} at {self.created:%Y-%m-%d %H:%M}"
