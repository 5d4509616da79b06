import datetime as dt

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, known_teams, teams_held
from ips_journal.links import pk_url

from .rendering import render_markdown
from .thread_versions import new_version


class Task(models.TextChoices):
    """The four tasks of Intentional Peer Support, in their order."""

    CONNECTION = "connection", _("Connection")
    WORLDVIEW = "worldview", _("Worldview")
    MUTUALITY = "mutuality", _("Mutuality")
    MOVING_TOWARDS = "moving_towards", _("Moving Towards")


class PeerPairQuerySet(models.QuerySet):
    def for_member(self, user):
        """Pairs the user belongs to, in any state."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(inviter=user) | Q(invitee=user))

    def threads_for(self, user):
        """Pairs whose thread the user may read: their own (active or ended) and, read-only,
        those of teams they supervise."""
        if not user.is_authenticated:
            return self.none()
        mine = Q(inviter=user) | Q(invitee=user)
        # The supervised teams by id when the request knows them, else as a subquery — never a
        # join: OR-ed with a join through memberships, PostgreSQL had to visit every pair of
        # every team (48 ms with 5,000 pairs on each entry page). Even the subquery, OR-ed, made
        # it scan every pair (3 ms at 5,000) where ids let each condition use its own index.
        supervised_teams = teams_held(user, Role.SUPERVISOR)
        supervised = Q(team__in=supervised_teams) if supervised_teams != [] else Q()  # Q(): no branch
        return self.filter(status__in=[PeerPair.Status.ACTIVE, PeerPair.Status.ENDED]).filter(
            mine | supervised
        )

    def active(self):
        return self.filter(status=PeerPair.Status.ACTIVE)

    def with_seen_version(self, user):
        """Each pair's `seen_version`: the version of what the user has seen in it (ThreadSeen;
        None before they have seen anything), for the cache keys of what marks new things."""
        seen = ThreadSeen.objects.filter(user=user, pair=models.OuterRef("pk")).values("version")[:1]
        return self.annotate(seen_version=models.Subquery(seen))


class PeerPair(models.Model):
    """Two peer workers of one team who agreed to co-reflect. The pair owns one thread."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Invitation pending")
        ACTIVE = "active", _("Co-reflecting")
        DECLINED = "declined", _("Declined")
        ENDED = "ended", _("Ended")

    team = models.ForeignKey("accounts.Team", models.CASCADE, related_name="pairs")
    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="pairs_started")
    invitee = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="pairs_joined")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(_("a note with the invitation"), blank=True, max_length=1000)
    created = models.DateTimeField(default=timezone.now)
    responded = models.DateTimeField(null=True, blank=True)
    ended = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Changes (to a new random value) with every change to what the thread shows — entries, notes,
    # replies, reviews, names — in the same transaction (reflections.thread_versions); cached
    # fragments of the thread are keyed by it (reflections.fragments). Only ever set by an UPDATE,
    # never saved from memory: see save(). (0 for rows bulk-loaded by seed_scale.)
    thread_version = models.PositiveBigIntegerField(default=new_version, db_default=0, editable=False)

    objects = PeerPairQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        constraints = [
            # Two people have at most one open (pending or active) pair, whoever invited whom.
            models.UniqueConstraint(
                Least("inviter", "invitee"),
                Greatest("inviter", "invitee"),
                condition=Q(status__in=["pending", "active"]),
                name="reflections_peerpair_unique",
            ),
            models.CheckConstraint(
                condition=~Q(inviter=models.F("invitee")), name="reflections_peerpair_two_people"
            ),
        ]
        indexes = [
            # PeerPair.objects.for_member(): "my pairs", from either side.
            models.Index(fields=["inviter", "status"], name="reflections_pair_inviter"),
            models.Index(fields=["invitee", "status"], name="reflections_pair_invitee"),
        ]

    def __str__(self):
        return f"{self.inviter} & {self.invitee}"

    def save(self, *args, **kwargs):
        # A stale in-memory thread_version written back would bring back the key of fragments
        # rendered before later changes; so an update never writes it (post_save sets a new one).
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "thread_version"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return pk_url("reflections:thread-detail", self.pk)

    def get_week_url(self, week):
        """The thread's page that starts with `week` (a Monday), at that week."""
        return f"{self.get_absolute_url()}?before={(week + dt.timedelta(weeks=1)).isoformat()}#week-{week}"

    def other(self, user):
        return self.invitee if user.pk == self.inviter_id else self.inviter

    def has_member(self, user):
        return user.pk in (self.inviter_id, self.invitee_id)

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class EntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Entries the user may read: their own, those shared into their threads, and — read
        only — those shared into threads of teams they supervise, or (training journal) shared
        with the trainers of a cohort they train. Never anyone else's private entry."""
        if not user.is_authenticated:
            return self.none()
        shared_with_me = Q(pair__in=PeerPair.objects.threads_for(user).values("pk"))
        readable = Q(author=user) | shared_with_me
        if known_teams(user, Role.TRAINER) != []:  # trainers only (or not known yet)
            # training.TrainingEntry links an entry to a cohort day; looked up by name so this
            # app does not import the training app, which builds on it.
            trained = apps.get_model("training", "Cohort").objects.for_trainer(user).values("pk")
            readable |= Q(training__shared__isnull=False, training__day__cohort__in=trained)
        return self.filter(readable)

    def shared(self):
        return self.filter(pair__isnull=False)


class Entry(models.Model):
    """A reflection. Private to its author until shared into one of their pair threads."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="entries")
    task = models.CharField(_("task"), max_length=20, choices=Task.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("reflection"), max_length=100_000)
    body_html = models.TextField(editable=False)
    week = models.DateField(_("week"), help_text=_("The Monday of the ISO week the entry reflects on."))
    pair = models.ForeignKey(
        PeerPair, models.SET_NULL, null=True, blank=True, related_name="entries", verbose_name=_("thread")
    )
    shared = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-week", "-created"]
        verbose_name_plural = "entries"
        indexes = [
            # The thread page: a pair's entries, week by week, newest first.
            models.Index(fields=["pair", "-week", "created"], name="reflections_entry_thread"),
            # "My entries" and the dashboard: an author's entries by week.
            models.Index(fields=["author", "-week"], name="reflections_entry_author_week"),
        ]

    def __str__(self):
        # Never the title or text: the admin (object names, checkbox labels, delete pages) and
        # logs show this, and private writing stays private from administrators too.
        return f"{self.get_task_display()} entry #{self.pk} — week of {self.week:%d %b %Y}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        entry = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        # The thread the entry was in when loaded: unsharing changes that thread too
        # (reflections.thread_versions).
        if "pair_id" in entry.__dict__:
            entry.loaded_pair_id = entry.pair_id
        return entry

    @property
    def is_shared(self):
        return self.pair_id is not None


class Revision(models.Model):
    """An earlier version of an entry, kept when the author edits it."""

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    task = models.CharField(max_length=20, choices=Task.choices)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created = models.DateTimeField(help_text=_("When this version was written."))

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "version"], name="reflections_revision_unique"),
        ]

    def __str__(self):
        return f"{self.entry} (version {self.version})"


class Draft(models.Model):
    """Autosaved writing not yet saved as an entry (or an unsaved edit of one)."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="drafts")
    key = models.CharField(max_length=40, help_text=_("Identifies one writing session's form."))
    entry = models.ForeignKey(Entry, models.CASCADE, null=True, blank=True, related_name="drafts")
    task = models.CharField(max_length=20, choices=Task.choices, blank=True)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True, max_length=100_000)
    week = models.DateField(null=True, blank=True)
    base_version = models.PositiveIntegerField(null=True, blank=True)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated"]
        constraints = [
            models.UniqueConstraint(fields=["author", "key"], name="reflections_draft_unique"),
        ]

    def __str__(self):
        return self.title or _("Unsaved writing")


class AnnotationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(entry__in=Entry.objects.visible_to(user).shared().values("pk"))


class Annotation(models.Model):
    """A note on a passage of a shared entry (or on the whole entry).

    The passage is stored as a W3C Web Annotation TextQuoteSelector (exact, prefix, suffix)
    and a TextPositionSelector (start, end) over the entry's rendered text.
    """

    CONTEXT = 32  # characters of prefix and suffix kept around the quote

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="annotations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="annotations")
    body = models.TextField(_("note"), max_length=20_000)
    body_html = models.TextField(editable=False)
    task = models.CharField(_("task"), max_length=20, choices=Task.choices, blank=True)
    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    orphaned = models.BooleanField(default=False)
    resolved = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["start", "created"]
        indexes = [
            # The entry page: an entry's notes in text order.
            models.Index(fields=["entry", "start"], name="reflections_annotation_entry"),
        ]

    def __str__(self):
        return f"Note by {self.author} on {self.entry}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    @property
    def is_anchored(self):
        return bool(self.exact) and not self.orphaned

    @property
    def is_whole_entry(self):
        return not self.exact


class Reply(models.Model):
    annotation = models.ForeignKey(Annotation, models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="annotation_replies")
    body = models.TextField(_("reply"), max_length=20_000)
    body_html = models.TextField(editable=False)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created"]
        verbose_name_plural = "replies"

    def __str__(self):
        return f"Reply by {self.author}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class EntryView(models.Model):
    """When a person last saw an entry: what is newer is unread for them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    entry = models.ForeignKey(Entry, models.CASCADE, related_name="views")
    seen = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-seen"]
        constraints = [
            models.UniqueConstraint(fields=["user", "entry"], name="reflections_entryview_unique"),
        ]

    def __str__(self):
        return f"{self.user} saw {self.entry} at {self.seen}"


class ThreadSeen(models.Model):
    """A version of what a person has seen in a thread. Their own pages of the thread mark what
    is new to them, so those pages are cached under this version as well as the thread's
    (reflections.fragments); it changes when they open something new. Changing the thread's own
    version instead would render every reader's pages of the thread again — the supervisors'
    team page too — each time one peer read something."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    pair = models.ForeignKey(PeerPair, models.CASCADE, related_name="+")
    version = models.PositiveBigIntegerField(default=new_version)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "pair"], name="reflections_threadseen_unique"),
        ]

    def __str__(self):
        return f"{self.user} in {self.pair}: seen version {self.version}"
