from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reflections.rendering import render_markdown


class ReviewNote(models.Model):
    """A supervisor's note on one week of a pair's thread: dialogue, never a grade."""

    pair = models.ForeignKey("reflections.PeerPair", models.CASCADE, related_name="review_notes")
    week = models.DateField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="review_notes")
    body = models.TextField(_("review note"), max_length=20_000)
    body_html = models.TextField(editable=False)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created"]
        indexes = [
            # The thread page: a pair's notes for the weeks on screen.
            models.Index(fields=["pair", "week"], name="supervision_note_pair_week"),
        ]

    def __str__(self):
        return f"Review note by {self.author} on {self.pair}, week of {self.week}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class ReviewReply(models.Model):
    note = models.ForeignKey(ReviewNote, models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="review_replies")
    body = models.TextField(_("reply"), max_length=20_000)
    body_html = models.TextField(editable=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created"]
        verbose_name_plural = "review replies"

    def __str__(self):
        return f"Reply by {self.author}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class WeekReview(models.Model):
    """A supervisor has read (reviewed) one week of a pair's thread."""

    pair = models.ForeignKey("reflections.PeerPair", models.CASCADE, related_name="week_reviews")
    week = models.DateField()
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="week_reviews")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "week", "supervisor"], name="supervision_weekreview_unique"
            ),
        ]

    def __str__(self):
        return f"{self.supervisor} reviewed {self.pair}, week of {self.week}"


class ReadRecord(models.Model):
    """Someone other than the author opened shared writing: who, what, when — never the text.

    Written by the app only; nothing in the app edits or deletes a record."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    pair = models.ForeignKey("reflections.PeerPair", models.CASCADE, related_name="read_records")
    week = models.DateField()
    entry = models.ForeignKey(
        "reflections.Entry", models.CASCADE, null=True, blank=True, related_name="read_records"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]
        indexes = [
            # "Who read my writing": a thread's records by week, newest first.
            models.Index(fields=["pair", "week", "-created"], name="supervision_read_pair_week"),
        ]

    def __str__(self):
        what = f"entry {self.entry_id}" if self.entry_id else f"week of {self.week}"
        return f"{self.reader} read {what} at {self.created:%Y-%m-%d %H:%M}"
