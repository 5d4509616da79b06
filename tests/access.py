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
   NOT_ALLOWED, INVALID (400: the form again with a message), `redirect(to)` (302 elsewhere,
   nothing written) and `saved(to)` (302 after a successful write: the test then checks that data
   did change, which proves the payload is real). `to` is a URL name or `lambda w: url`,
   evaluated after the request. READ is a 200 that may record the read (who read shared writing,
   what is unread) and nothing else; WROTE a 200 after a write (the autosave answers with JSON).
3. Foreign ids get their own row with a `variant`: the same URL name, another team's object in
   this team's URL (`variant="another team's entry"`), expected NOT_FOUND for everyone.
4. If the pattern is listed in `NO_ROW_YET`, take it out. A page anyone may open without signing
   in goes into `PUBLIC` (and its view gets `@login_not_required`).
5. The scenario is rebuilt for every case, so a successful POST cannot leak into the next one.
6. Writing you add to the scenario goes into `world.writing` with the personas who may read it
   (`wrote(...)`): every response of every row is searched for it, so a page that shows it to
   anyone else fails, whatever its status. Pick a phrase without quotes or Markdown in it.

Our own apps' rows state every persona in `PERSONAS`. Third-party pages (allauth, admin) use the
compact policies at the bottom: `public()`, `signed_in()`, `admin_page()`, `admin_model()`.
Run one row alone with `pytest tests/test_access.py -k "entry-detail"`.
"""

from __future__ import annotations

import datetime as dt
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
from reflections import flows as reflections_flows
from reflections.anchoring import quote_at, rendered_text, utf16_offset
from reflections.forms import AnnotationForm
from reflections.models import Draft, Entry, PeerPair, Reply, Task
from reflections.weeks import current_week
from supervision.flows import record_reads
from supervision.models import ReadRecord, ReviewNote

PASSWORD = "tidal-lantern-4821"

# Everyone a row of our own apps must state an outcome for.
# dual_role is Priya Natarajan: a supervisor at Harbour Street and a peer worker at Riverside, so
# a role in one team must not lend her anything in the other.
PERSONAS = (
    "anonymous",
    "stranger",
    "author",
    "peer",
    "supervisor",
    "other_supervisor",
    "dual_role",
    "trainer",
    "trainee",
)
# A site administrator (staff and superuser), tried on the admin's pages only.
STAFF = "staff"
# Personas only the training journal's rows state (tests/training/access_rows.py): the other
# trainee of the same cohort, and a trainer of the same team who runs another cohort.
TRAINING_PERSONAS = ("co_trainee", "other_trainer")
ALL_PERSONAS = (*PERSONAS, *TRAINING_PERSONAS, STAFF)

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
# of a save made after the session expired, then sends them to sign in). A GET still goes to LOGIN;
# a POST goes to LOGIN_KEEPING_TEXT.
SIGNS_IN_ITSELF = {
    "reflections:entry-create",
    "reflections:entry-edit",
    "training:entry-create",
    "training:entry-edit",
}

# URL patterns committed before this table existed. Their owners replace each entry by rows; the
# gate fails when an entry gets a row or no longer exists, so this set only shrinks. Until then
# test_access still proves that each of them sends anonymous people to sign in.
NO_ROW_YET: set[str] = set()

# The tables a refused request must leave untouched: app labels, compared by row count and by a
# hash of every row's values. Add your models here when your views write to them.
SNAPSHOT_MODELS = [
    "accounts.User",
    "account.EmailAddress",
    "accounts.Team",
    "accounts.Membership",
    "accounts.Invitation",
    "mfa.Authenticator",
    "reflections.PeerPair",
    "reflections.Entry",
    "reflections.Revision",
    "reflections.Draft",
    "reflections.Annotation",
    "reflections.Reply",
    "reflections.EntryView",
    "reflections.ThreadSeen",
    "supervision.ReviewNote",
    "supervision.ReviewReply",
    "supervision.WeekReview",
    "supervision.ReadRecord",
]

# What a permitted read may write: that the person saw an entry (unread markers, and with them the
# version of what they have seen in its thread) and, for shared writing, that they read it (the
# authors see who read what). Refused requests write neither.
READ_LOG = frozenset({"reflections.EntryView", "reflections.ThreadSeen", "supervision.ReadRecord"})


# --- Outcomes ---------------------------------------------------------------------------------

_LOGIN = object()  # the sign-in page, whatever LOGIN_URL says
_LOGIN_RESUME = object()  # the sign-in page, coming back to this URL with ?resume=1


@dataclass(frozen=True)
class Outcome:
    status: int
    # Where a 302 goes: _LOGIN (sign-in page with ?next=<this URL>), a URL name, or world -> URL.
    to: str | Callable[[World], str] | None = None
    # The request is meant to change data (a successful POST); everything else must change nothing.
    writes: bool = False
    # Tables a permitted read may still write to (READ_LOG): reading is recorded, not a change.
    records: frozenset[str] = frozenset()

    def __str__(self):
        if self.status != 302:
            return str(self.status) + (" (writes)" if self.writes else "")
        if self.to in (_LOGIN, _LOGIN_RESUME):
            target = "login"
        else:
            target = "…" if callable(self.to) else self.to
        return f"302→{target}" + (" (writes)" if self.writes else "")


OK = Outcome(200)
# A 200 that may record the read (who read shared writing; what is no longer unread).
READ = Outcome(200, records=READ_LOG)
# A 200 after a successful write: the autosave answers its script with JSON, not a redirect.
WROTE = Outcome(200, writes=True)
# The form again, with a message saying why (a choice that is not theirs to make): nothing changed.
INVALID = Outcome(400)
LOGIN = Outcome(302, to=_LOGIN)
# A save sent after the session ended: the text is kept, and signing in brings the writer back
# to it (?resume=1). Nothing is written until then.
LOGIN_KEEPING_TEXT = Outcome(302, to=_LOGIN_RESUME)
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
    administrator, and a pending invitation in each team. Priya (dual_role) supervises Harbour
    Street and is a peer worker at Riverside. Then the co-reflection of both teams: see
    `_co_reflection`."""
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
    _co_reflection(world)
    _training(world)
    _find_keep_leave(world)
    return world


def _find_keep_leave(world):
    """Search, notifications, export and leaving: tests/notifications/access_rows.py."""
    from tests.notifications.access_rows import build_world

    build_world(world)


def _training(world):
    """The training journal's cohorts, journals and feedback: tests/training/access_rows.py."""
    from tests.training.access_rows import build_training_world

    build_training_world(world)


# Writing in the scenario. Each phrase is plain text (no quotes, no Markdown) so that a page which
# shows the writing shows the phrase exactly; `wrote()` records who may read it.
ENTRY_BODY = (
    "On Tuesday D. and I sat on the bench by the allotment for almost an hour. I noticed I stopped "
    "watching the clock once she started talking about her runner beans.\n\n"
    "The moment I felt most *connected* was when she laughed at my failed courgettes. "
    "Something loosened between us right then.\n\n"
    "> What would it be like to stay curious a little longer?"
)
PASSAGE = "Something loosened between us right then."
PRIVATE_BODY = (
    "A conversation on the night shift stirred up my own story about hospital. I want to sit "
    "with how it coloured what I heard before I talk it through."
)


def _passage(entry, passage):
    """The selectors the entry page's script sends for `passage` (TextQuote + TextPosition)."""
    text = rendered_text(entry.body_html)
    index = text.index(passage)
    quote = quote_at(text, utf16_offset(text, index), utf16_offset(text, index + len(passage)))
    return {
        "exact": quote.exact,
        "prefix": quote.prefix,
        "suffix": quote.suffix,
        "start": quote.start,
        "end": quote.end,
    }


def _note(entry, author, body, passage="", task=""):
    """A note through the real flow, as the view saves it."""
    form = AnnotationForm({"body": body, "task": task, **(_passage(entry, passage) if passage else {})})
    assert form.is_valid(), form.errors
    return reflections_flows.annotate(entry, author, form)


def _entry(author, task, title, body, week, pair=None):
    entry = Entry.objects.create(author=author, task=task, title=title, body=body, week=week)
    if pair is not None:
        reflections_flows.share_entry(entry, pair)
    return entry


def _co_reflection(world):
    """Riverside: Maya (author) and Sam (peer) co-reflect; Maya's thread with Tariq has ended;
    Priya (dual_role) has invited Maya. Harbour Street: Kofi and Hana co-reflect, and Dev
    (other_supervisor) reviews them. Every piece of writing is recorded with who may read it."""
    w = world
    w.writing = {}

    def wrote(phrase, *readers):
        w.writing[phrase] = frozenset(readers)

    thread = ("author", "peer", "supervisor")  # both peers, and Rosa who supervises Riverside
    harbour = ("other_supervisor", "dual_role")  # Harbour Street's supervisors (its peers are no persona)
    this_week = current_week(w.author)
    weeks_ago = lambda n: this_week - dt.timedelta(weeks=n)  # noqa: E731
    long_ago = timezone.now() - dt.timedelta(weeks=10)

    # Priya: a supervisor at Harbour Street, a peer worker at Riverside.
    w.dual_role = ensure_person(
        "priya.natarajan@harbourstreet.example.org", "Priya Natarajan", password=PASSWORD
    )
    Membership.objects.create(team=w.other_team, user=w.dual_role, role=Role.SUPERVISOR)
    Membership.objects.create(team=w.team, user=w.dual_role, role=Role.PEER)
    tariq = ensure_person("tariq.hassan@riverside.example.org", "Tariq Hassan", password=PASSWORD)
    w.tariq_membership = Membership.objects.create(team=w.team, user=tariq, role=Role.PEER)

    # Maya and Sam's thread: a shared entry with Sam's note on a passage and Maya's reply, a
    # second shared entry nobody has written on yet, and Rosa's review note on the week.
    w.pair = PeerPair.objects.create(
        team=w.team,
        inviter=w.author,
        invitee=w.peer,
        status=PeerPair.Status.ACTIVE,
        message="Would you like to co-reflect on Thursdays after handover?",
        created=long_ago,
        responded=long_ago + dt.timedelta(hours=5),
    )
    w.entry = _entry(w.author, Task.CONNECTION, "Tea on the allotment bench", ENTRY_BODY, this_week, w.pair)
    wrote("Tea on the allotment bench", *thread)
    wrote("talking about her runner beans", *thread)
    wrote("Something loosened between us right then", *thread)
    w.note = _note(
        w.entry,
        w.peer,
        "I felt that shift when you told me about it on Thursday. What do you think made it *possible*?",
        passage=PASSAGE,
        task=Task.CONNECTION,
    )
    wrote("I felt that shift when you told me about it on Thursday", *thread)
    w.reply = Reply.objects.create(
        annotation=w.note, author=w.author, body="I think it was that I stopped trying to steer the talk."
    )
    wrote("I stopped trying to steer the talk", *thread)
    w.fresh_entry = _entry(
        w.author,
        Task.MOVING_TOWARDS,
        "Mornings by the river",
        "T. talked less about what he wants to stop and more about mornings by the river, which he wants more of.",
        this_week,
        w.pair,
    )
    wrote("Mornings by the river", *thread)
    wrote("what he wants to stop and more about mornings", *thread)
    w.review_note = ReviewNote.objects.create(
        pair=w.pair,
        week=this_week,
        author=w.supervisor,
        body="Reading your week side by side, I noticed how both of you slowed down. What helped?",
    )
    wrote("I noticed how both of you slowed down", *thread)
    record_reads(w.peer, w.pair, [this_week], entry=w.entry)
    w.read_record = ReadRecord.objects.get(reader=w.peer, entry=w.entry)

    # Maya's own: a private entry and an autosaved draft. Hers alone.
    w.private_entry = _entry(w.author, Task.WORLDVIEW, "Not ready to share yet", PRIVATE_BODY, this_week)
    wrote("Not ready to share yet", "author")
    wrote("stirred up my own story about hospital", "author")
    w.draft = Draft.objects.create(
        author=w.author,
        key="tab-7c1e",
        task=Task.MOVING_TOWARDS,
        title="Half a thought about the house meeting",
        body="What would it look like if the house meeting started with hopes?",
        week=this_week,
    )
    wrote("Half a thought about the house meeting", "author")
    wrote("if the house meeting started with hopes", "author")

    # Maya's earlier thread with Tariq, which Tariq ended: readable, closed to new notes.
    w.ended_pair = PeerPair.objects.create(
        team=w.team,
        inviter=tariq,
        invitee=w.author,
        status=PeerPair.Status.ACTIVE,
        created=long_ago,
        responded=long_ago + dt.timedelta(days=1),
    )
    w.ended_entry = _entry(
        tariq,
        Task.WORLDVIEW,
        "Words I inherit at handover",
        "Handover called R. resistant. From his side he was saying no to being decided for.",
        weeks_ago(3),
        w.ended_pair,
    )
    wrote("Words I inherit at handover", "author", "supervisor")
    wrote("saying no to being decided for", "author", "supervisor")
    w.ended_note = _note(w.ended_entry, w.author, "I inherit those words too. Shall we keep a list of them?")
    wrote("Shall we keep a list of them", "author", "supervisor")
    reflections_flows.end_pair(w.ended_pair, tariq)

    # Priya has invited Maya; Maya has not answered yet.
    w.pending_pair = PeerPair.objects.create(
        team=w.team, inviter=w.dual_role, invitee=w.author, message="Shall we try Monday mornings?"
    )
    wrote("Shall we try Monday mornings", "author", "dual_role")

    # Harbour Street: Kofi and Hana's thread, reviewed by Dev.
    kofi = ensure_person("kofi.boateng@harbourstreet.example.org", "Kofi Boateng", password=PASSWORD)
    hana = ensure_person("hana.kobayashi@harbourstreet.example.org", "Hana Kobayashi", password=PASSWORD)
    w.other_peer_membership = Membership.objects.create(team=w.other_team, user=kofi, role=Role.PEER)
    Membership.objects.create(team=w.other_team, user=hana, role=Role.PEER)
    w.other_pair = PeerPair.objects.create(
        team=w.other_team,
        inviter=kofi,
        invitee=hana,
        status=PeerPair.Status.ACTIVE,
        created=long_ago,
        responded=long_ago + dt.timedelta(hours=2),
    )
    w.other_entry = _entry(
        hana,
        Task.MUTUALITY,
        "Keys to the quiet room",
        "Where power showed up this week: I was holding the keys, and I only noticed when K. asked.",
        weeks_ago(1),
        w.other_pair,
    )
    wrote("Keys to the quiet room", *harbour)
    wrote("I was holding the keys", *harbour)
    w.other_note = _note(
        w.other_entry, kofi, "I noticed that too. Can we talk about who holds keys on Friday?"
    )
    wrote("who holds keys on Friday", *harbour)
    w.other_reply = Reply.objects.create(
        annotation=w.other_note, author=hana, body="Yes, Friday after lunch suits me."
    )
    wrote("Friday after lunch suits me", *harbour)
    w.other_review_note = ReviewNote.objects.create(
        pair=w.other_pair,
        week=weeks_ago(1),
        author=w.other_supervisor,
        body="The keys came up in both your entries this month. What do they mean for you?",
    )
    wrote("The keys came up in both your entries", *harbour)
    w.co_reflection_writing = list(w.writing)


# --- Writing and who may read it ----------------------------------------------------------------


def leaks(world, persona, response) -> list[str]:
    """The scenario's writing that `persona` may not read, yet the response shows."""
    if getattr(response, "streaming", False):
        return []
    text = response.content.decode(errors="replace")
    return [phrase for phrase, readers in world.writing.items() if persona not in readers and phrase in text]


# --- Snapshots ----------------------------------------------------------------------------------


def snapshot(models=None) -> dict[str, tuple[int, str]]:
    """{app_label.Model: (row count, sha256 of every row's values)} for the given models."""
    result = {}
    for label in models or SNAPSHOT_MODELS:
        model = apps.get_model(label)
        # A thread's version is the key of its cached pages (reflections.fragments), changed
        # when someone sees what was new to them: bookkeeping, not anyone's data.
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "thread_version"]
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
    if outcome.to == _LOGIN_RESUME:
        assert location.path == resolve_url(settings.LOGIN_URL), (
            f"expected the sign-in page, got {describe(response)}"
        )
        back = f"{url}?resume=1"
        assert parse_qs(location.query).get("next") == [back], f"sign-in should come back to {back}"
        return
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


# --- Co-reflection and supervision: who gets what -------------------------------------------------
# Personas (see PERSONAS): Maya is the author, Sam her peer, Rosa supervises Riverside, Dev
# Harbour Street, and Priya (dual_role) supervises Harbour Street while doing peer work at
# Riverside. Outsiders are never told that someone else's writing exists (404); people who can
# read it but may not do this get 403 (conventions.md).


def in_the_thread(peers, supervisor=FORBIDDEN, **overrides) -> Expect:
    """Maya and Sam's thread: both peers get `peers`; Rosa, who supervises their team, reads but
    does not write in it (403 on writes); everyone else 404."""
    return expect(NOT_FOUND, **{"author": peers, "peer": peers, "supervisor": supervisor, **overrides})


def authors_own(outcome, **overrides) -> Expect:
    """Maya's shared entry: she alone changes it; Sam and Rosa, who read it, get 403."""
    return expect(NOT_FOUND, **{"author": outcome, "peer": FORBIDDEN, "supervisor": FORBIDDEN, **overrides})


def harbour_street(outcome, **overrides) -> Expect:
    """Kofi and Hana's thread at Harbour Street: its supervisors (Dev and Priya) get `outcome`;
    nobody at Riverside is told it exists."""
    return expect(NOT_FOUND, **{"other_supervisor": outcome, "dual_role": outcome, **overrides})


def _pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def _entry_page(attr):
    return lambda w: reverse("reflections:entry-detail", args=[getattr(w, attr).pk])


def _thread_page(attr):
    return lambda w: reverse("reflections:thread-detail", args=[getattr(w, attr).pk])


def _newest_entry_page(w):
    return reverse("reflections:entry-detail", args=[Entry.objects.latest("pk").pk])


def _this_week(w):
    return current_week(w.author).isoformat()


def _pair_week(attr):
    """The review URLs' pair and week: the week of the pair's most recent entry."""

    def kwargs(w):
        pair = getattr(w, attr)
        return {"pair_id": pair.pk, "week": pair.entries.latest("week").week.isoformat()}

    return kwargs


def _new_entry(w):
    return {
        "task": Task.MUTUALITY,
        "title": "What J. taught me about buses",
        "body": "J. showed me how she plans her whole week around the **bus timetable**.\n\n"
        "I told her I had learned something from her, and she looked surprised, then pleased.",
        "week": _this_week(w),
        "draft_key": "tab-41d2",
    }


def _edit_of(attr):
    def data(w):
        entry = getattr(w, attr)
        return {
            "task": entry.task,
            "title": entry.title,
            "body": entry.body + "\n\nLooking back, the laughing mattered more than the tea.",
            "week": entry.week.isoformat(),
            "version": entry.version,
        }

    return data


def _autosave(**extra):
    def data(w):
        return {
            "draft_key": "tab-9b3f",
            "task": Task.WORLDVIEW,
            "title": "The word resistant",
            "body": "Handover called R. *resistant* again. I want to ask him what he was saying no to.",
            "week": _this_week(w),
            **{key: value(w) for key, value in extra.items()},
        }

    return data


def _new_note(w):
    return {
        "body": "You noticed the clock stop mattering. I want to notice that in my own shifts too.",
        "task": Task.CONNECTION,
        **_passage(w.entry, "I stopped watching the clock"),
    }


NOTE_EDIT = {"body": "I felt that shift too. What made it *possible*, do you think?", "task": Task.MUTUALITY}
REPLY = {"body": "Yes, and laughing at myself made room for her."}
REVIEW_NOTE = {"body": "I noticed how carefully you both wrote about *slowing down*. What helped?"}
REVIEW_REPLY = {"body": "Thank you, Rosa. Slowing down was easier with tea in hand."}


TABLE: list[Row] = [
    # --- ips_journal ---
    Row("healthz", get=expect(OK, anonymous=OK)),
    # --- reflections ---
    Row("reflections:dashboard", get=expect(OK)),
    # Pairs: a peer worker invites a team mate; the invitee answers; either peer ends an active pair.
    Row(
        "reflections:pair-list",
        get=expect(OK),
    ),
    Row(
        "reflections:pair-invite",
        get=POST_ONLY,
        # Only peer workers invite, and only a peer worker of their own team: anyone else gets the
        # list again saying so. (Maya's thread with Tariq has ended, so she may invite him again.)
        post=expect(
            INVALID,
            author=saved("reflections:pair-list"),
            peer=saved("reflections:pair-list"),
            dual_role=saved("reflections:pair-list"),
        ),
        data=lambda w: {
            "invitee": w.tariq_membership.pk,
            "message": "Would you like to co-reflect after the Wednesday house meeting?",
        },
    ),
    Row(
        "reflections:pair-invite",
        variant="a peer worker of another team",
        post=expect(INVALID),
        data=lambda w: {"invitee": w.other_peer_membership.pk, "message": "Shall we co-reflect?"},
    ),
    Row(
        "reflections:pair-respond",
        kwargs=_pk("pending_pair"),
        get=POST_ONLY,
        # Priya invited Maya: Maya alone answers; Priya, who sent it, is not asked.
        post=expect(NOT_FOUND, author=saved(_thread_page("pending_pair"))),
        data={"answer": "accept"},
    ),
    Row(
        "reflections:pair-respond",
        variant="an invitation already accepted",
        kwargs=_pk("pair"),
        post=expect(NOT_FOUND),
        data={"answer": "decline"},
    ),
    Row(
        "reflections:pair-end",
        kwargs=_pk("pair"),
        get=expect(NOT_FOUND, author=OK, peer=OK),
        post=expect(NOT_FOUND, author=saved("reflections:pair-list"), peer=saved("reflections:pair-list")),
    ),
    Row(
        "reflections:pair-end",
        variant="a pair that has ended",
        kwargs=_pk("ended_pair"),
        get=expect(NOT_FOUND),
        post=expect(NOT_FOUND),
    ),
    Row(
        "reflections:pair-end",
        variant="another team's pair",
        kwargs=_pk("other_pair"),
        post=expect(NOT_FOUND),
    ),
    # Threads: both peers and the team's supervisors read; reads are recorded.
    # A site administrator is nobody's reader: the app's pages are no way round the admin.
    Row(
        "reflections:thread-detail",
        kwargs=_pk("pair"),
        get=in_the_thread(READ, supervisor=READ, staff=NOT_FOUND),
    ),
    Row(
        "reflections:thread-detail",
        variant="a pair that has ended",
        kwargs=_pk("ended_pair"),
        get=expect(NOT_FOUND, author=READ, supervisor=READ),
    ),
    Row(
        "reflections:thread-detail",
        variant="an invitation not yet answered",
        kwargs=_pk("pending_pair"),
        get=expect(NOT_FOUND),
    ),
    Row(
        "reflections:thread-detail",
        variant="another team's pair",
        kwargs=_pk("other_pair"),
        get=harbour_street(READ),
    ),
    # Entries: private to the author until shared; only the author changes them.
    Row("reflections:entry-list", get=expect(OK)),
    Row(
        "reflections:entry-create",
        get=expect(OK),
        post=expect(saved(_newest_entry_page), anonymous=LOGIN_KEEPING_TEXT),
        data=_new_entry,
    ),
    Row(
        "reflections:entry-create",
        variant="resuming Maya's draft",
        query=lambda w: {"draft": w.draft.pk},
        get=expect(NOT_FOUND, author=OK),
    ),
    Row(
        "reflections:entry-preview",
        get=POST_ONLY,
        post=expect(OK),
        data={"body": "**Connection** felt easier once we sat *side by side*."},
    ),
    Row(
        "reflections:entry-detail",
        kwargs=_pk("entry"),
        get=in_the_thread(READ, supervisor=READ, staff=NOT_FOUND),
    ),
    Row(
        "reflections:entry-detail",
        variant="a private entry",
        kwargs=_pk("private_entry"),
        get=expect(NOT_FOUND, author=OK, staff=NOT_FOUND),
    ),
    Row(
        "reflections:entry-detail",
        variant="in a thread that has ended",
        kwargs=_pk("ended_entry"),
        get=expect(NOT_FOUND, author=READ, supervisor=READ),
    ),
    Row(
        "reflections:entry-detail",
        variant="another team's entry",
        kwargs=_pk("other_entry"),
        get=harbour_street(READ),
    ),
    Row(
        "reflections:entry-edit",
        kwargs=_pk("entry"),
        get=authors_own(OK),
        post=authors_own(saved(_entry_page("entry")), anonymous=LOGIN_KEEPING_TEXT),
        data=_edit_of("entry"),
    ),
    Row(
        "reflections:entry-edit",
        variant="a private entry",
        kwargs=_pk("private_entry"),
        get=expect(NOT_FOUND, author=OK),
        post=expect(NOT_FOUND, author=saved(_entry_page("private_entry")), anonymous=LOGIN_KEEPING_TEXT),
        data=_edit_of("private_entry"),
    ),
    Row(
        "reflections:entry-edit",
        variant="another team's entry",
        kwargs=_pk("other_entry"),
        get=harbour_street(FORBIDDEN),
        post=harbour_street(FORBIDDEN, anonymous=LOGIN_KEEPING_TEXT),
        data=_edit_of("other_entry"),
    ),
    Row(
        "reflections:entry-delete",
        kwargs=_pk("entry"),
        get=authors_own(OK),
        post=authors_own(saved("reflections:entry-list")),
    ),
    Row(
        "reflections:entry-delete",
        variant="a private entry",
        kwargs=_pk("private_entry"),
        get=expect(NOT_FOUND, author=OK),
        post=expect(NOT_FOUND, author=saved("reflections:entry-list")),
    ),
    Row(
        "reflections:entry-share",
        kwargs=_pk("private_entry"),
        get=POST_ONLY,
        post=expect(NOT_FOUND, author=saved(_entry_page("private_entry"))),
        data=lambda w: {"pair": w.pair.pk},
    ),
    Row(
        "reflections:entry-share",
        variant="into another team's pair",
        kwargs=_pk("private_entry"),
        # Maya is told to choose one of her own pairs; the entry stays private.
        post=expect(NOT_FOUND, author=redirect(_entry_page("private_entry"))),
        data=lambda w: {"pair": w.other_pair.pk},
    ),
    Row(
        "reflections:entry-share",
        variant="into a pair that has ended",
        kwargs=_pk("private_entry"),
        post=expect(NOT_FOUND, author=redirect(_entry_page("private_entry"))),
        data=lambda w: {"pair": w.ended_pair.pk},
    ),
    Row(
        "reflections:entry-share",
        variant="an entry already shared",
        kwargs=_pk("fresh_entry"),
        # Not moved to another thread: Maya is told to make it private first.
        post=authors_own(redirect(_entry_page("fresh_entry"))),
        data=lambda w: {"pair": w.pair.pk},
    ),
    Row(
        "reflections:entry-share",
        variant="someone else's entry into their pair",
        kwargs=_pk("other_entry"),
        post=harbour_street(FORBIDDEN),
        data=lambda w: {"pair": w.other_pair.pk},
    ),
    Row(
        "reflections:entry-unshare",
        kwargs=_pk("fresh_entry"),
        get=POST_ONLY,
        post=authors_own(saved(_entry_page("fresh_entry"))),
    ),
    Row(
        "reflections:entry-unshare",
        variant="Sam has written a note on it",
        kwargs=_pk("entry"),
        # Unsharing would take Sam's note from him: Maya is told why, and it stays shared.
        post=authors_own(redirect(_entry_page("entry"))),
    ),
    Row("reflections:entry-revisions", kwargs=_pk("entry"), get=authors_own(OK)),
    Row(
        "reflections:entry-revisions",
        variant="a private entry",
        kwargs=_pk("private_entry"),
        get=expect(NOT_FOUND, author=OK),
    ),
    # Drafts: everyone autosaves their own writing; only its writer discards a draft.
    Row("reflections:draft-save", get=POST_ONLY, post=expect(WROTE), data=_autosave()),
    Row(
        "reflections:draft-save",
        variant="editing Maya's private entry",
        post=expect(NOT_FOUND, author=WROTE),
        data=_autosave(entry=lambda w: w.private_entry.pk, version=lambda w: w.private_entry.version),
    ),
    Row(
        "reflections:draft-save",
        variant="editing Maya's shared entry",
        post=authors_own(WROTE),
        data=_autosave(entry=lambda w: w.entry.pk, version=lambda w: w.entry.version),
    ),
    Row(
        "reflections:draft-delete",
        kwargs=_pk("draft"),
        get=POST_ONLY,
        post=expect(NOT_FOUND, author=saved("reflections:dashboard")),
    ),
    # Notes and replies: written by the two peers of an active pair; changed by their author.
    Row(
        "reflections:annotation-create",
        kwargs=_pk("entry"),
        get=POST_ONLY,
        post=in_the_thread(saved(_entry_page("entry"))),
        data=_new_note,
    ),
    Row(
        "reflections:annotation-create",
        variant="a private entry",
        kwargs=_pk("private_entry"),
        post=expect(NOT_FOUND, author=FORBIDDEN),
        data={"body": "A note to myself."},
    ),
    Row(
        "reflections:annotation-create",
        variant="in a thread that has ended",
        kwargs=_pk("ended_entry"),
        post=expect(NOT_FOUND, author=FORBIDDEN, supervisor=FORBIDDEN),
        data={"body": "One more thought about the handover words."},
    ),
    Row(
        "reflections:annotation-create",
        variant="another team's entry",
        kwargs=_pk("other_entry"),
        post=harbour_street(FORBIDDEN),
        data={"body": "Who else holds keys?"},
    ),
    Row(
        "reflections:annotation-edit",
        kwargs=_pk("note"),  # Sam's note on Maya's entry
        get=expect(NOT_FOUND, author=FORBIDDEN, peer=OK, supervisor=FORBIDDEN),
        post=expect(NOT_FOUND, author=FORBIDDEN, peer=saved(_entry_page("entry")), supervisor=FORBIDDEN),
        data=NOTE_EDIT,
    ),
    Row(
        "reflections:annotation-edit",
        variant="her own note in a thread that has ended",
        kwargs=_pk("ended_note"),
        get=expect(NOT_FOUND, author=FORBIDDEN, supervisor=FORBIDDEN),
        post=expect(NOT_FOUND, author=FORBIDDEN, supervisor=FORBIDDEN),
        data=NOTE_EDIT,
    ),
    Row(
        "reflections:annotation-edit",
        variant="another team's note",
        kwargs=_pk("other_note"),
        get=harbour_street(FORBIDDEN),
        post=harbour_street(FORBIDDEN),
        data=NOTE_EDIT,
    ),
    Row(
        "reflections:annotation-delete",
        kwargs=_pk("note"),
        get=POST_ONLY,
        post=expect(NOT_FOUND, author=FORBIDDEN, peer=saved(_entry_page("entry")), supervisor=FORBIDDEN),
    ),
    Row(
        "reflections:annotation-delete",
        variant="her own note in a thread that has ended",
        kwargs=_pk("ended_note"),
        post=expect(NOT_FOUND, author=FORBIDDEN, supervisor=FORBIDDEN),
    ),
    Row(
        "reflections:annotation-delete",
        variant="another team's note",
        kwargs=_pk("other_note"),
        post=harbour_street(FORBIDDEN),
    ),
    Row(
        "reflections:annotation-resolve",
        kwargs=_pk("note"),
        get=POST_ONLY,
        post=in_the_thread(saved(_entry_page("entry"))),
    ),
    Row(
        "reflections:annotation-resolve",
        variant="in a thread that has ended",
        kwargs=_pk("ended_note"),
        post=expect(NOT_FOUND, author=FORBIDDEN, supervisor=FORBIDDEN),
    ),
    Row(
        "reflections:annotation-resolve",
        variant="another team's note",
        kwargs=_pk("other_note"),
        post=harbour_street(FORBIDDEN),
    ),
    Row(
        "reflections:reply-create",
        kwargs=_pk("note"),
        get=POST_ONLY,
        post=in_the_thread(saved(_entry_page("entry"))),
        data=REPLY,
    ),
    Row(
        "reflections:reply-create",
        variant="in a thread that has ended",
        kwargs=_pk("ended_note"),
        post=expect(NOT_FOUND, author=FORBIDDEN, supervisor=FORBIDDEN),
        data=REPLY,
    ),
    Row(
        "reflections:reply-create",
        variant="another team's note",
        kwargs=_pk("other_note"),
        post=harbour_street(FORBIDDEN),
        data=REPLY,
    ),
    Row(
        "reflections:reply-edit",
        kwargs=_pk("reply"),  # Maya's reply to Sam's note
        get=authors_own(OK),
        post=authors_own(saved(_entry_page("entry"))),
        data=REPLY,
    ),
    Row(
        "reflections:reply-edit",
        variant="another team's reply",
        kwargs=_pk("other_reply"),
        get=harbour_street(FORBIDDEN),
        post=harbour_street(FORBIDDEN),
        data=REPLY,
    ),
    Row(
        "reflections:reply-delete",
        kwargs=_pk("reply"),
        get=POST_ONLY,
        post=authors_own(saved(_entry_page("entry"))),
    ),
    Row(
        "reflections:reply-delete",
        variant="another team's reply",
        kwargs=_pk("other_reply"),
        post=harbour_street(FORBIDDEN),
    ),
    # --- supervision: the team page and reviews ---
    Row(
        "supervision:review-home",
        # A supervisor goes to (the first of) their teams; nobody else has a team page.
        get=expect(
            FORBIDDEN,
            supervisor=redirect(lambda w: reverse("supervision:team-detail", args=[w.team.pk])),
            other_supervisor=redirect(lambda w: reverse("supervision:team-detail", args=[w.other_team.pk])),
            dual_role=redirect(lambda w: reverse("supervision:team-detail", args=[w.other_team.pk])),
        ),
    ),
    # Priya is a peer worker at Riverside: a member, so 403 — her role at Harbour Street lends her nothing here.
    Row("supervision:team-detail", kwargs=_team, get=team_supervisors(OK) | {STAFF: NOT_FOUND}),
    Row(
        "supervision:team-detail",
        variant="another team",
        kwargs=lambda w: {"team_id": w.other_team.pk},
        get=harbour_street(OK),
    ),
    Row(
        "supervision:review-note-create",
        kwargs=_pair_week("pair"),
        get=POST_ONLY,
        post=in_the_thread(FORBIDDEN, supervisor=saved(_thread_page("pair"))),
        data=REVIEW_NOTE,
    ),
    Row(
        "supervision:review-note-create",
        variant="another team's pair",
        kwargs=_pair_week("other_pair"),
        post=harbour_street(saved(_thread_page("other_pair"))),
        data=REVIEW_NOTE,
    ),
    Row(
        "supervision:week-reviewed",
        kwargs=_pair_week("pair"),
        get=POST_ONLY,
        post=in_the_thread(FORBIDDEN, supervisor=saved(_thread_page("pair"))),
    ),
    Row(
        "supervision:week-reviewed",
        variant="another team's pair",
        kwargs=_pair_week("other_pair"),
        post=harbour_street(saved(_thread_page("other_pair"))),
    ),
    Row(
        "supervision:review-reply-create",
        kwargs=lambda w: {"note_id": w.review_note.pk},
        get=POST_ONLY,
        post=in_the_thread(saved(_thread_page("pair")), supervisor=saved(_thread_page("pair"))),
        data=REVIEW_REPLY,
    ),
    Row(
        "supervision:review-reply-create",
        variant="another team's review note",
        kwargs=lambda w: {"note_id": w.other_review_note.pk},
        post=harbour_street(saved(_thread_page("other_pair"))),
        data=REVIEW_REPLY,
    ),
    Row(
        "supervision:review-note-delete",
        kwargs=lambda w: {"note_id": w.review_note.pk},
        get=POST_ONLY,
        post=in_the_thread(FORBIDDEN, supervisor=saved(_thread_page("pair"))),
    ),
    Row(
        "supervision:review-note-delete",
        variant="another team's review note",
        kwargs=lambda w: {"note_id": w.other_review_note.pk},
        # Dev wrote it; Priya, his fellow supervisor, reads it but does not delete it.
        post=harbour_street(FORBIDDEN, other_supervisor=saved(_thread_page("other_pair"))),
    ),
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
        get=expect(NOT_FOUND, other_supervisor=OK, dual_role=OK),
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
    # Who and when, never what: every admin page is searched for the scenario's writing.
    *admin_model("reflections", "peerpair", lambda w: w.pair),
    *admin_model("reflections", "entry", lambda w: w.entry, add=FORBIDDEN),
    # The record of who read what cannot be added, changed or deleted.
    *admin_model("supervision", "readrecord", lambda w: w.read_record, add=FORBIDDEN, delete=FORBIDDEN),
    # Task results are read-only in the admin: no adding, no deleting.
    *admin_model(
        "django_tasks_database", "dbtaskresult", lambda w: w.task_result, add=FORBIDDEN, delete=FORBIDDEN
    ),
]

# --- Search, notifications, export and leaving: tests/notifications/access_rows.py --------------
from tests.notifications.access_rows import ROWS as FIND_KEEP_LEAVE_ROWS  # noqa: E402
from tests.notifications.access_rows import SNAPSHOT as FIND_KEEP_LEAVE_SNAPSHOT  # noqa: E402

TABLE += FIND_KEEP_LEAVE_ROWS
SNAPSHOT_MODELS += FIND_KEEP_LEAVE_SNAPSHOT

# --- The training journal: its rows, world and tables live in tests/training/access_rows.py ----
# Loading it adds its rows to TABLE and its models to SNAPSHOT_MODELS (whichever is imported first).
from tests.training import access_rows  # noqa: E402, F401, I001
