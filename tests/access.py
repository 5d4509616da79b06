"""The access table: for every URL pattern, what each persona gets.

`tests/test_access.py` turns every row into one test per (method, persona): it builds the
`scenario` (a small realistic world), signs in as the persona, sends the request, and checks the
status (and, for a redirect, where it goes). When the outcome is not a write, it also checks that
no row of `SNAPSHOT_MODELS` changed. A gate fails the suite when a URL pattern has no row.

How to add a row (a new view `reflections:entry-detail`, say):

1. If the view needs an object, create it in `build_scenario()` and keep it on the world:
   `world.entry = Entry.objects.create(author=author, ...)`. Add its model to `SNAPSHOT_MODELS`.
2. Add a `Row` to `TABLE`:

       Row(
           "reflections:entry-detail",
           kwargs=lambda w: {"pk": w.entry.pk},
           get=expect(NOT_FOUND, author=OK),          # every persona but the author: 404
           post=expect(NOT_ALLOWED),                  # only if the view takes POST at all
           data=lambda w: {"body": "…"},              # the POST payload (minimal, realistic)
       )

   `expect(default, **overrides)` gives every persona `default` except anonymous people, who are
   sent to sign in (LOGIN) unless you say otherwise. Outcomes: OK, LOGIN, FORBIDDEN, NOT_FOUND,
   NOT_ALLOWED, `redirect(to)` (302 elsewhere, nothing written) and `saved(to)` (302 after a
   successful write: the test then checks that data did change, which proves the payload is real).
   `to` is a URL name or `lambda w: url`, evaluated after the request.
3. Foreign ids get their own row with a `variant`: the same URL name, another team's object in
   this team's URL (`variant="another team's entry"`), expected NOT_FOUND for everyone.
4. If the pattern is listed in `NO_ROW_YET`, take it out. A page anyone may open without signing
   in goes into `PUBLIC` (and its view gets `@login_not_required`).
5. The scenario is rebuilt for every case, so a successful POST cannot leak into the next one.

Our own apps' rows state every persona in `PERSONAS`. Third-party pages (allauth, admin) use the
compact policies at the bottom: `public()`, `signed_in()`, `admin_page()`, `admin_model()`.
Run one row alone with `pytest tests/test_access.py -k "entry-detail"`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.totp.internal.auth import TOTP
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import resolve_url
from django.tasks import TaskResultStatus
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.demo import ensure_person
from accounts.models import Invitation, Membership, Role, Team

PASSWORD = "tidal-lantern-4821"

# Everyone a row of our own apps must state an outcome for.
PERSONAS = ("anonymous", "stranger", "author", "peer", "supervisor", "other_supervisor", "trainer", "trainee")
# A site administrator (staff and superuser), tried on the admin's pages only.
STAFF = "staff"
ALL_PERSONAS = (*PERSONAS, STAFF)

# Pages anyone may open without signing in (marked `login_not_required`); every other view sits
# behind LoginRequiredMiddleware. test_access checks this set against the URLconf both ways.
PUBLIC = {
    "healthz",
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_email_verification_sent",
    "account_reset_password",
    "account_confirm_login_code",
    "account_confirm_email",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_reset_password_done",
    "mfa_authenticate",
    # Public for Django; allauth's secure_admin_login sends anonymous people to our sign-in page.
    "admin:login",
    # The unsubscribe link in digest and reminder emails: its signed token is the permission.
    "notifications:unsubscribe",
}

# Marked `login_not_required` because the view handles anonymous people itself (it keeps the text
# of a save made after the session expired, then sends them to sign in). A GET still goes to LOGIN.
SIGNS_IN_ITSELF = {
    "reflections:entry-create",
    "reflections:entry-edit",
    "training:entry-create",
    "training:entry-edit",
}

# URL patterns committed before this table existed. Their owners replace each entry by rows; the
# gate fails when an entry gets a row or no longer exists, so this set only shrinks. Until then
# test_access still proves that each of them sends anonymous people to sign in.
NO_ROW_YET = {
    # search, notifications, export and leaving: rows in tests/notifications/access_rows.py, hooked
    # in with the table's next version
    "search:results",
    "notifications:unsubscribe",
    "notifications:list",
    "notifications:mark-all-read",
    "notifications:open",
    "notifications:preferences",
    "accounts:export",
    "accounts:export-download",
    "accounts:delete",
    "reflections:thread-export",
    # training: rows in tests/training/access_rows.py, hooked in with the table's next version
    "training:home",
    "training:cohort-detail",
    "training:trainee-invite",
    "training:invitation-revoke",
    "training:trainer-add",
    "training:cohort-outline",
    "training:trainee-journal",
    "training:journal",
    "training:day",
    "training:entry-create",
    "training:summary",
    "training:export-markdown",
    "training:export-print",
    "training:entry-edit",
    "training:entry-share",
    "training:entry-unshare",
    "training:entry-delete",
    "training:feedback-create",
    "training:feedback-edit",
    "training:feedback-delete",
    "training:reply-create",
    "training:reply-delete",
    "admin:training_outlineday_changelist",
    "admin:training_outlineday_add",
    "admin:training_outlineday_history",
    "admin:training_outlineday_delete",
    "admin:training_outlineday_change",
    "admin/training/outlineday/<path:object_id>/",
    "admin:training_cohort_changelist",
    "admin:training_cohort_add",
    "admin:training_cohort_history",
    "admin:training_cohort_delete",
    "admin:training_cohort_change",
    "admin/training/cohort/<path:object_id>/",
    # reflections: pairs, threads, entries, drafts, notes and replies
    "reflections:pair-list",
    "reflections:pair-invite",
    "reflections:pair-respond",
    "reflections:pair-end",
    "reflections:thread-detail",
    "reflections:entry-list",
    "reflections:entry-create",
    "reflections:entry-preview",
    "reflections:entry-detail",
    "reflections:entry-edit",
    "reflections:entry-delete",
    "reflections:entry-share",
    "reflections:entry-unshare",
    "reflections:entry-revisions",
    "reflections:draft-save",
    "reflections:draft-delete",
    "reflections:annotation-create",
    "reflections:annotation-edit",
    "reflections:annotation-delete",
    "reflections:annotation-resolve",
    "reflections:reply-create",
    "reflections:reply-edit",
    "reflections:reply-delete",
    # supervision: team page and reviews
    "supervision:review-home",
    "supervision:team-detail",
    "supervision:review-note-create",
    "supervision:week-reviewed",
    "supervision:review-reply-create",
    "supervision:review-note-delete",
    # their admin pages (add with admin_model(), once the scenario has a pair, an entry, a read)
    "admin:reflections_peerpair_changelist",
    "admin:reflections_peerpair_add",
    "admin:reflections_peerpair_history",
    "admin:reflections_peerpair_delete",
    "admin:reflections_peerpair_change",
    "admin/reflections/peerpair/<path:object_id>/",
    "admin:reflections_entry_changelist",
    "admin:reflections_entry_add",
    "admin:reflections_entry_history",
    "admin:reflections_entry_delete",
    "admin:reflections_entry_change",
    "admin/reflections/entry/<path:object_id>/",
    "admin:supervision_readrecord_changelist",
    "admin:supervision_readrecord_add",
    "admin:supervision_readrecord_history",
    "admin:supervision_readrecord_delete",
    "admin:supervision_readrecord_change",
    "admin/supervision/readrecord/<path:object_id>/",
}

# The tables a refused request must leave untouched: app labels, compared by row count and by a
# hash of every row's values. Add your models here when your views write to them.
SNAPSHOT_MODELS = [
    "accounts.User",
    "account.EmailAddress",
    "accounts.Team",
    "accounts.Membership",
    "accounts.Invitation",
    "mfa.Authenticator",
]


# --- Outcomes ---------------------------------------------------------------------------------

_LOGIN = object()  # the sign-in page, whatever LOGIN_URL says


@dataclass(frozen=True)
class Outcome:
    status: int
    # Where a 302 goes: _LOGIN (sign-in page with ?next=<this URL>), a URL name, or world -> URL.
    to: str | Callable[[World], str] | None = None
    # The request is meant to change data (a successful POST); everything else must change nothing.
    writes: bool = False

    def __str__(self):
        if self.status != 302:
            return str(self.status)
        target = "login" if self.to == _LOGIN else ("…" if callable(self.to) else self.to)
        return f"302→{target}" + (" (writes)" if self.writes else "")


OK = Outcome(200)
LOGIN = Outcome(302, to=_LOGIN)
FORBIDDEN = Outcome(403)
NOT_FOUND = Outcome(404)
NOT_ALLOWED = Outcome(405)


def redirect(to):
    """302 to `to` (a URL name or world -> URL); nothing may change."""
    return Outcome(302, to=to)


def saved(to):
    """A successful write followed by a 302 to `to` (POST-redirect-GET)."""
    return Outcome(302, to=to, writes=True)


Expect = dict[str, Outcome]


def expect(default: Outcome, *, anonymous: Outcome = LOGIN, **overrides: Outcome) -> Expect:
    """Every persona in PERSONAS gets `default`, anonymous people LOGIN, unless overridden."""
    unknown = set(overrides) - set(ALL_PERSONAS)
    if unknown:
        raise ValueError(f"Unknown persona(s): {sorted(unknown)}")
    outcomes = {persona: overrides.get(persona, default) for persona in PERSONAS}
    outcomes["anonymous"] = anonymous
    outcomes.update(overrides)
    return outcomes


def team_supervisors(outcome: Outcome) -> Expect:
    """A page of `scenario.team` that only its supervisors use: other members are refused (403),
    outsiders are not told the team exists (404)."""
    return expect(FORBIDDEN, stranger=NOT_FOUND, other_supervisor=NOT_FOUND, supervisor=outcome)


# A @require_POST view opened with GET: anonymous people are sent to sign in first (the middleware
# runs before the view), everyone else gets 405.
POST_ONLY = expect(NOT_ALLOWED)


# --- Rows -------------------------------------------------------------------------------------


def _value(value, world):
    return value(world) if callable(value) else value


@dataclass(frozen=True)
class Row:
    # The URL name ("accounts:team-members"), or for an unnamed pattern its full route as the gate
    # prints it (then give `path`, since it cannot be reversed).
    name: str
    get: Expect | None = None
    post: Expect | None = None
    kwargs: dict | Callable[[World], dict] = field(default_factory=dict)
    data: dict | Callable[[World], dict] = field(default_factory=dict)  # POST payload
    query: dict | Callable[[World], dict] = field(default_factory=dict)  # GET query string
    path: Callable[[World], str] | None = None
    variant: str = ""

    @property
    def id(self):
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    def methods(self) -> dict[str, Expect]:
        return {method: outcomes for method, outcomes in (("GET", self.get), ("POST", self.post)) if outcomes}

    def url(self, world) -> str:
        if self.path is not None:
            return self.path(world)
        return reverse(self.name, kwargs=_value(self.kwargs, world))

    def send(self, client, method, world):
        """Send the request; returns (the URL with its query string, the response)."""
        url = self.url(world)
        query = _value(self.query, world)
        if query:
            url = f"{url}?{urlencode(query)}"
        if method == "GET":
            return url, client.get(url)
        return url, client.post(url, _value(self.data, world))


# --- The world the table runs in ----------------------------------------------------------------


class World(SimpleNamespace):
    def user(self, persona):
        return None if persona == "anonymous" else getattr(self, persona)


def _pending_invitation(team, email, role, invited_by):
    invitation = Invitation(team=team, email=email, role=role, invited_by=invited_by)
    token = invitation.issue_token()
    invitation.save()
    return invitation, token


def build_scenario(
    *, team, other_team, author, peer, supervisor, other_supervisor, trainer, trainee, stranger
):
    """A small, realistic world: Riverside (author and peer as peer workers, a supervisor, a
    trainer, a trainee), Harbour Street with its own supervisor, a stranger with no team, a site
    administrator, and a pending invitation in each team."""
    world = World(
        team=team,
        other_team=other_team,
        author=author,
        peer=peer,
        supervisor=supervisor,
        other_supervisor=other_supervisor,
        trainer=trainer,
        trainee=trainee,
        stranger=stranger,
    )
    world.peer_membership = Membership.objects.get(team=team, user=peer, role=Role.PEER)
    world.other_membership = Membership.objects.get(team=other_team, user=other_supervisor)
    # Riverside invites the stranger; Harbour Street invites someone of its own.
    world.invitation, world.invitation_token = _pending_invitation(
        team, stranger.email, Role.PEER, supervisor
    )
    world.other_invitation, world.other_invitation_token = _pending_invitation(
        other_team, "nadia.haddad@harbourstreet.example.org", Role.PEER, other_supervisor
    )
    # The trainee has added a second address and not confirmed it yet. (Not the stranger: allauth
    # refuses to turn on MFA while an address is unverified, which would hide its MFA pages.)
    world.unverified_email = EmailAddress.objects.create(
        user=trainee, email="leah.brennan@mailbox.example.net", verified=False, primary=False
    )

    # The site administrator, with TOTP on (as an administrator should), and what the admin lists.
    world.staff = ensure_person("ngozi.adeyemi@ipsjournal.example.org", "Ngozi Adeyemi", password=PASSWORD)
    world.staff.is_staff = world.staff.is_superuser = True
    world.staff.save(update_fields=["is_staff", "is_superuser"])
    world.authenticator = TOTP.activate(world.staff, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").instance
    world.group = Group.objects.create(name="Support desk")
    world.user_session = UserSession.objects.create(
        user=author, session_key="k" * 32, ip="192.0.2.10", user_agent="Mozilla/5.0 (X11; Linux x86_64)"
    )
    world.email_address = EmailAddress.objects.get(user=author)
    world.task_result = DBTaskResult.objects.create(
        status=TaskResultStatus.SUCCESSFUL,
        args_kwargs={"args": [], "kwargs": {"invitation_id": world.invitation.pk}},
        task_path="accounts.tasks.send_invitation",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    return world


# --- Snapshots ----------------------------------------------------------------------------------


def snapshot(models=None) -> dict[str, tuple[int, str]]:
    """{app_label.Model: (row count, sha256 of every row's values)} for the given models."""
    result = {}
    for label in models or SNAPSHOT_MODELS:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = list(model._default_manager.order_by("pk").values_list(*fields))
        digest = hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
        result[label] = (len(rows), digest)
    return result


def changed(before, after) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]


# --- Checking one response ----------------------------------------------------------------------


def describe(response) -> str:
    location = response.get("Location")
    return f"{response.status_code}" + (f" → {location}" if location else "")


def check(outcome: Outcome, response, url: str, world, client=None) -> None:
    """Assert the response is the outcome. LOGIN means: sent to our sign-in page (directly, or for
    the admin's site-wide pages through the admin login), which then brings the person back."""
    assert response.status_code == outcome.status, f"expected {outcome}, got {describe(response)}"
    if outcome.status != 302:
        return
    location = urlsplit(response["Location"])
    if outcome.to == _LOGIN:
        if location.path == reverse("admin:login") and client is not None:
            # The admin's own pages send people to its login first, which allauth hands on to ours.
            assert parse_qs(location.query).get("next") == [url], f"sign-in should come back to {url}"
            response = client.get(response["Location"])
            assert response.status_code == 302, (
                f"the admin login should hand on to ours, got {describe(response)}"
            )
            location = urlsplit(response["Location"])
        assert location.path == resolve_url(settings.LOGIN_URL), (
            f"expected the sign-in page, got {describe(response)}"
        )
        assert parse_qs(location.query).get("next") == [url], f"sign-in should come back to {url}"
        return
    target = urlsplit(outcome.to(world) if callable(outcome.to) else reverse(outcome.to))
    assert location.path == target.path, f"expected a redirect to {target.path}, got {describe(response)}"
    if target.query:
        assert parse_qs(location.query) == parse_qs(target.query), describe(response)


# --- Walking the URLconf ------------------------------------------------------------------------


def walk_urlconf(patterns=None, prefix="", namespace=None) -> Iterator[tuple[str, str, Any]]:
    """(key, route, view) for every pattern, nested includes and namespaces too. The key is the
    namespaced URL name, or for an unnamed pattern its full route."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk_urlconf(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = route
            yield key, route, pattern.callback


def made_up_path(route):
    """A URL for a route with every parameter set to 1: enough to meet the sign-in check, which
    runs before the view looks anything up."""
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)


# --- Compact policies for third-party pages ------------------------------------------------------


def public(name, *, anonymous=OK, stranger=OK, **row) -> Row:
    """An allauth page anyone may open; tried anonymously and signed in as the stranger."""
    return Row(name, get={"anonymous": anonymous, "stranger": stranger}, **row)


def signed_in(name, *, stranger=OK, **row) -> Row:
    """An allauth page for the signed-in person: anonymous people are sent to sign in."""
    return Row(name, get={"anonymous": LOGIN, "stranger": stranger}, **row)


# A signed-in person who is not staff is sent to the admin's login, which allauth refuses (403).
NOT_STAFF = redirect("admin:login")


def admin_page(name, *, staff=OK, **row) -> Row:
    """A Django admin page: staff only. Anonymous people go to our sign-in page."""
    return Row(name, get={"anonymous": LOGIN, "stranger": NOT_STAFF, STAFF: staff}, **row)


def admin_model(app_label, model_name, obj: Callable[[World], Any], **staff: Outcome) -> list[Row]:
    """The six admin patterns of one registered model, opened on a real object `obj(world)`.
    `staff` overrides what the administrator gets, by view: `add=FORBIDDEN` for a read-only admin."""
    base = f"admin:{app_label}_{model_name}"

    def object_id(w):
        return {"object_id": obj(w).pk}

    return [
        admin_page(f"{base}_changelist", staff=staff.get("changelist", OK)),
        admin_page(f"{base}_add", staff=staff.get("add", OK)),
        admin_page(f"{base}_history", kwargs=object_id, staff=staff.get("history", OK)),
        # GET only: the confirmation page, nothing is deleted.
        admin_page(f"{base}_delete", kwargs=object_id, staff=staff.get("delete", OK)),
        admin_page(f"{base}_change", kwargs=object_id, staff=staff.get("change", OK)),
        # /admin/<app>/<model>/<id>/ is an old URL form that redirects to the change page.
        admin_page(
            f"admin/{app_label}/{model_name}/<path:object_id>/",
            path=lambda w: f"/admin/{app_label}/{model_name}/{obj(w).pk}/",
            staff=redirect(lambda w: reverse(f"{base}_change", kwargs=object_id(w))),
        ),
    ]


# --- The table ----------------------------------------------------------------------------------


def _members_page(w):
    return reverse("accounts:team-members", args=[w.team.pk])


def _newest_team_members_page(w):
    return reverse("accounts:team-members", args=[Team.objects.latest("pk").pk])


def _team(w):
    return {"team_id": w.team.pk}


TABLE: list[Row] = [
    # --- ips_journal ---
    Row("healthz", get=expect(OK, anonymous=OK)),
    # --- reflections ---
    Row("reflections:dashboard", get=expect(OK)),
    # --- accounts: profile and teams ---
    Row(
        "accounts:profile",
        get=expect(OK),
        post=expect(saved("accounts:profile")),
        data={"display_name": "Jordan Ellis", "time_zone": "Europe/Lisbon"},
    ),
    Row(
        "accounts:team-list",
        get=expect(OK),
        # Anyone signed in may start a team (and becomes its supervisor).
        post=expect(saved(_newest_team_members_page)),
        data={"name": "Northside Crisis Line", "organisation": "Northside Collective"},
    ),
    Row("accounts:team-members", kwargs=_team, get=team_supervisors(OK)),
    Row(
        "accounts:team-members",
        variant="another team",
        kwargs=lambda w: {"team_id": w.other_team.pk},
        get=expect(NOT_FOUND, other_supervisor=OK),
    ),
    Row(
        "accounts:invitation-create",
        kwargs=_team,
        get=POST_ONLY,
        post=team_supervisors(saved(_members_page)),
        data={"email": "jordan.ellis@riverside.example.org", "role": Role.PEER},
    ),
    Row(
        "accounts:invitation-revoke",
        kwargs=lambda w: {"team_id": w.team.pk, "invitation_id": w.invitation.pk},
        get=POST_ONLY,
        post=team_supervisors(saved(_members_page)),
    ),
    Row(
        "accounts:invitation-revoke",
        variant="another team's invitation",
        kwargs=lambda w: {"team_id": w.team.pk, "invitation_id": w.other_invitation.pk},
        post=team_supervisors(NOT_FOUND),
    ),
    Row(
        "accounts:membership-role",
        kwargs=lambda w: {"team_id": w.team.pk, "membership_id": w.peer_membership.pk},
        get=POST_ONLY,
        post=team_supervisors(saved(_members_page)),
        data={"role": Role.TRAINER},
    ),
    Row(
        "accounts:membership-role",
        variant="another team's membership",
        kwargs=lambda w: {"team_id": w.team.pk, "membership_id": w.other_membership.pk},
        post=team_supervisors(NOT_FOUND),
        data={"role": Role.PEER},
    ),
    Row(
        "accounts:membership-remove",
        kwargs=lambda w: {"team_id": w.team.pk, "membership_id": w.peer_membership.pk},
        get=POST_ONLY,
        post=team_supervisors(saved(_members_page)),
    ),
    Row(
        "accounts:membership-remove",
        variant="another team's membership",
        kwargs=lambda w: {"team_id": w.team.pk, "membership_id": w.other_membership.pk},
        post=team_supervisors(NOT_FOUND),
    ),
    Row(
        "accounts:invitation-accept",
        # The invitation is for the stranger's address. Anyone holding the link sees what it is;
        # only its addressee can accept (others get the page again with a clear message).
        kwargs=lambda w: {"token": w.invitation_token},
        get=expect(OK),
        post=expect(OK, stranger=saved("reflections:dashboard")),
    ),
    Row(
        "accounts:invitation-accept",
        variant="unknown token",
        kwargs={"token": "d2VsbC10cmllZC1idXQtbm90LWEtcmVhbC10b2tlbg"},
        get=expect(NOT_FOUND),
        post=expect(NOT_FOUND),
    ),
    # --- allauth: account ---
    public("account_login", stranger=redirect("reflections:dashboard")),
    public("account_logout", anonymous=redirect("reflections:dashboard")),
    public("account_inactive"),
    public("account_signup", stranger=redirect("reflections:dashboard")),
    signed_in("account_reauthenticate"),
    signed_in("account_email"),
    public("account_email_verification_sent"),
    signed_in("account_change_password"),
    signed_in("account_set_password", stranger=redirect("account_change_password")),
    public("account_reset_password"),
    # Sign-in by code is off: there is no code to confirm.
    public(
        "account_confirm_login_code",
        anonymous=redirect("account_login"),
        stranger=redirect("reflections:dashboard"),
    ),
    public(
        "account_confirm_email",
        kwargs=lambda w: {"key": EmailConfirmationHMAC(w.unverified_email).key},
    ),
    public("account_reset_password_from_key_done"),
    public(
        "account_reset_password_from_key",
        variant="stale key",
        kwargs=lambda w: {"uidb36": user_pk_to_url_str(w.author), "key": "cr4a1b-0f2e9d8c7b6a5f4e3d2c"},
    ),
    public(
        "account_reset_password_from_key",
        kwargs=lambda w: {
            "uidb36": user_pk_to_url_str(w.author),
            "key": default_token_generator.make_token(w.author),
        },
        # allauth moves the key into the session and redirects to a URL without it.
        anonymous=redirect(
            lambda w: reverse(
                "account_reset_password_from_key",
                kwargs={"uidb36": user_pk_to_url_str(w.author), "key": "set-password"},
            )
        ),
        stranger=redirect(
            lambda w: reverse(
                "account_reset_password_from_key",
                kwargs={"uidb36": user_pk_to_url_str(w.author), "key": "set-password"},
            )
        ),
    ),
    public("account_reset_password_done"),
    # --- allauth: MFA and sessions ---
    signed_in("mfa_index"),
    # The second step of signing in: without a first step there is nothing to authenticate.
    public(
        "mfa_authenticate", anonymous=redirect("account_login"), stranger=redirect("reflections:dashboard")
    ),
    # Without MFA, re-authenticating means the password.
    signed_in("mfa_reauthenticate", stranger=redirect("account_reauthenticate")),
    signed_in("mfa_activate_totp", stranger=redirect("account_reauthenticate")),
    signed_in("mfa_deactivate_totp", stranger=NOT_FOUND),
    signed_in("mfa_view_recovery_codes", stranger=NOT_FOUND),
    signed_in("mfa_generate_recovery_codes", stranger=redirect("account_reauthenticate")),
    signed_in("mfa_download_recovery_codes", stranger=NOT_FOUND),
    signed_in("usersessions_list"),
    # --- Django admin ---
    admin_page("admin:index"),
    Row(
        "admin:login",
        get={
            "anonymous": LOGIN,
            # allauth's secure_admin_login: a signed-in person who is not staff is refused.
            "stranger": FORBIDDEN,
            STAFF: redirect("admin:index"),
        },
    ),
    Row(
        "admin:logout",
        # Signing out is POST only; someone who is not staff is simply sent to the admin's index.
        get={"anonymous": LOGIN, "stranger": redirect("admin:index"), STAFF: NOT_ALLOWED},
    ),
    admin_page("admin:password_change"),
    admin_page("admin:password_change_done"),
    admin_page(
        "admin:autocomplete",
        query={"app_label": "accounts", "model_name": "membership", "field_name": "user", "term": "maya"},
    ),
    admin_page("admin:jsi18n"),
    admin_page(
        "admin:view_on_site",
        kwargs=lambda w: {
            "content_type_id": ContentType.objects.get_for_model(Team).pk,
            "object_id": w.team.pk,
        },
        staff=NOT_FOUND,  # teams have no public page
    ),
    admin_page("admin:app_list", kwargs={"app_label": "accounts"}),
    admin_page("admin/(?P<url>.*)$", path=lambda w: "/admin/no-such-page/", staff=NOT_FOUND),
    admin_page("admin:auth_user_password_change", kwargs=lambda w: {"id": w.author.pk}),
    *admin_model("accounts", "user", lambda w: w.author),
    *admin_model("accounts", "team", lambda w: w.team),
    *admin_model("accounts", "invitation", lambda w: w.invitation),
    *admin_model("auth", "group", lambda w: w.group),
    *admin_model("account", "emailaddress", lambda w: w.email_address),
    *admin_model("mfa", "authenticator", lambda w: w.authenticator),
    *admin_model("usersessions", "usersession", lambda w: w.user_session),
    # Task results are read-only in the admin: no adding, no deleting.
    *admin_model(
        "django_tasks_database", "dbtaskresult", lambda w: w.task_result, add=FORBIDDEN, delete=FORBIDDEN
    ),
]
