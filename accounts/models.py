import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

INVITATION_LIFETIME = timedelta(days=14)


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. Email is the login; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("How your peers see you, e.g. “Maya R.”"),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", choices=time_zone_choices)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        ordering = ["display_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_from(self.display_name, self.email)

    @staticmethod
    def name_from(display_name, email):
        """The name shown for a person: for lists that fetch only these two fields."""
        return display_name or email.split("@")[0]

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name


class Role(models.TextChoices):
    PEER = "peer", _("Peer worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    TRAINER = "trainer", _("Trainer")
    TRAINEE = "trainee", _("Trainee")


class TeamQuerySet(models.QuerySet):
    def for_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()

    def supervised_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__role=Role.SUPERVISOR).distinct()


class Team(models.Model):
    """A group inside an organisation: a peer-run centre, a respite house, a training programme."""

    name = models.CharField(_("name"), max_length=120)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def supervisors(self):
        return User.objects.filter(memberships__team=self, memberships__role=Role.SUPERVISOR)


class MembershipQuerySet(models.QuerySet):
    def supervisors(self):
        return self.filter(role=Role.SUPERVISOR)


class Membership(models.Model):
    """A role a user holds in a team. One person may hold several roles, in one or many teams."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "role", "user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user", "role"], name="accounts_membership_unique"),
        ]
        indexes = [
            # Navigation and every access check: "which roles does this user hold, where?"
            models.Index(fields=["user", "role"], name="accounts_membership_user_role"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.team}"


def known_teams(user, role):
    """Ids of the teams where the user holds `role`, when this request has looked up their
    memberships (accounts.middleware.RequestMembershipsMiddleware); None when it has not, and
    the caller asks the database in a subquery instead."""
    known = getattr(user, "request_memberships", None)
    return None if known is None else known["teams"].get(role, [])


def teams_held(user, role):
    """The teams where the user holds `role`, for an access query's `team__in`: their ids when the
    request knows them (`[]`: none, so the caller can leave its branch out), else a subquery."""
    known = known_teams(user, role)
    if known is None:
        return Membership.objects.filter(user=user, role=role).values("team_id")
    return known


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted=None, revoked=None, expires__gt=timezone.now())


class Invitation(models.Model):
    """An emailed invitation to join a team in a role. Only a hash of the token is stored."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PEER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    accepted = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.email} → {self.team} ({self.get_role_display()})"

    def issue_token(self):
        """Give the invitation a fresh token; returns the token, which is never stored."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.expires = timezone.now() + INVITATION_LIFETIME
        return token

    @property
    def is_pending(self):
        return self.accepted is None and self.revoked is None and self.expires > timezone.now()

    def is_for(self, user):
        return user.emailaddress_set.filter(email__iexact=self.email, verified=True).exists()

    def awaits_confirmation_by(self, user):
        """The user added the invited address but has not confirmed it yet."""
        return user.emailaddress_set.filter(email__iexact=self.email, verified=False).exists()


def _export_path(instance, filename):
    # A random name: the file is only ever served through the owner's download view.
    return f"exports/{secrets.token_urlsafe(24)}.zip"


class DataExportQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=DataExport.Status.READY, expires__gt=timezone.now())


class DataExport(models.Model):
    """A zip of everything one person wrote, built on request and kept for a few days."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be prepared")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="exports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=_export_path, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)

    objects = DataExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [
            # The export page: a person's recent exports, newest first.
            models.Index(fields=["user", "-created"], name="accounts_export_user"),
        ]

    def __str__(self):
        return f"Export for {self.user} ({self.get_status_display()}, {self.created:%Y-%m-%d %H:%M})"

    @property
    def filename(self):
        return f"ips-journal-export-{timezone.localtime(self.created):%Y-%m-%d}.zip"

    @property
    def is_ready(self):
        return self.status == self.Status.READY and self.expires is not None and self.expires > timezone.now()
