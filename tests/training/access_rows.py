"""The training journal's part of the access table. tests/access.py imports this module, which
adds its rows to TABLE and its models to SNAPSHOT_MODELS when it has loaded (at the end).

The world: Tom (trainer) runs Riverside's spring cohort, in which Leah (trainee) and Kwame
(co_trainee) keep journals; Aisha (other_trainer) trains Riverside too but runs another cohort, with
Inês. Leah has a private entry and a draft (hers alone), a shared entry with Tom's feedback and
her reply, and a shared entry nobody has answered yet; Kwame has a shared and a private entry.

Every row states, besides the shared PERSONAS, what the other trainee of the same cohort and the
trainer of another cohort get (TRAINING_PERSONAS).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from accounts.demo import ensure_person
from accounts.models import Membership, Role
from reflections.models import Draft, Task
from reflections.weeks import user_today
from tests import access
from tests.access import (
    FORBIDDEN,
    INVALID,
    LOGIN,
    LOGIN_KEEPING_TEXT,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    PASSWORD,
    PERSONAS,
    TRAINING_PERSONAS,
    Outcome,
    Row,
    admin_model,
    redirect,
    saved,
)
from training import flows
from training.models import Cohort, CohortInvitation, OutlineDay

SNAPSHOT = [
    "training.OutlineDay",
    "training.Cohort",
    "training.CohortMember",
    "training.CohortDay",
    "training.CohortInvitation",
    "training.TrainingEntry",
    "training.Feedback",
    "training.FeedbackReply",
    "training.DayVisit",
    "training.TrainerRead",
]

# A trainee opening a day page records the visit (what feedback is new to them); a trainer opening
# a trainee's shared entries records the read (the trainee sees who read what). Nothing else.
VISITED = Outcome(200, records=frozenset({"training.DayVisit"}))
READ_BY_TRAINER = Outcome(200, records=frozenset({"training.TrainerRead"}))


def journal(default: Outcome, *, anonymous: Outcome = LOGIN, **overrides: Outcome) -> dict[str, Outcome]:
    """Every persona — the shared ones and TRAINING_PERSONAS — gets `default` unless overridden."""
    outcomes = {persona: default for persona in (*PERSONAS, *TRAINING_PERSONAS)}
    outcomes["anonymous"] = anonymous
    outcomes.update(overrides)
    return outcomes


POST_ONLY = journal(NOT_ALLOWED)


# --- The world ----------------------------------------------------------------------------------


def _write(trainee, day, title, body, *, shared=False, task=Task.CONNECTION):
    entry = flows.write_entry(trainee, day, {"task": task, "title": title, "body": body}, share=shared)
    return entry.training


def build_training_world(w):
    def wrote(phrase, *readers):
        w.writing[phrase] = frozenset(readers)

    w.co_trainee = ensure_person("kwame.mensah@riverside.example.org", "Kwame Mensah", password=PASSWORD)
    Membership.objects.create(team=w.team, user=w.co_trainee, role=Role.TRAINEE)
    w.other_trainer = ensure_person("aisha.rahman@riverside.example.org", "Aisha Rahman", password=PASSWORD)
    Membership.objects.create(team=w.team, user=w.other_trainer, role=Role.TRAINER)
    ines = ensure_person("ines.duarte@riverside.example.org", "Inês Duarte", password=PASSWORD)
    Membership.objects.create(team=w.team, user=ines, role=Role.TRAINEE)
    w.other_trainee = ines

    # Tom's cohort: today is its Day 2.
    w.cohort = flows.create_cohort(
        w.trainer, w.team, name="Spring core training", start=user_today(w.trainer) - dt.timedelta(days=1)
    )
    flows.enrol(w.cohort, w.trainee)
    flows.enrol(w.cohort, w.co_trainee)
    w.days = {day.number: day for day in w.cohort.days.all()}
    # Aisha's cohort, with Inês.
    w.other_cohort = flows.create_cohort(
        w.other_trainer, w.team, name="Evening core training", start=dt.date(2026, 9, 7)
    )
    flows.enrol(w.other_cohort, ines)

    # Leah's journal.
    w.journal_private = _write(
        w.trainee,
        w.days[1],
        "Not yet for the trainers",
        "Today took me back to the ward where I once stayed.",
    )
    wrote("Not yet for the trainers", "trainee")
    wrote("the ward where I once stayed", "trainee")
    w.journal_draft = Draft.objects.create(
        author=w.trainee,
        key=f"day{w.days[1].pk}-a1b2c3",
        task=Task.WORLDVIEW,
        title="Half a thought about first contact",
        body="First contact felt like a door half open.",
    )
    wrote("Half a thought about first contact", "trainee")
    wrote("First contact felt like a door half open", "trainee")
    w.journal_shared = _write(
        w.trainee,
        w.days[1],
        "What help used to mean",
        "In the listening exercise I noticed my mind racing ahead to what I would suggest.",
        shared=True,
    )
    wrote("What help used to mean", "trainee", "trainer")
    wrote("my mind racing ahead", "trainee", "trainer")
    w.training_feedback = flows.give_feedback(
        w.journal_shared, w.trainer, "Curiosity may be the most useful thing you bring."
    )
    wrote("Curiosity may be the most useful thing you bring", "trainee", "trainer")
    # What a search result shows of it when a word after these is the one searched for (marked).
    wrote("Curiosity may be the most useful thing you", "trainee", "trainer")
    w.training_reply = flows.reply(w.training_feedback, w.trainee, "It was her pausing that helped.")
    wrote("It was her pausing that helped", "trainee", "trainer")
    wrote("It was her pausing that", "trainee", "trainer")
    w.journal_unanswered = _write(
        w.trainee,
        w.days[2],
        "Patterns I know well",
        "When someone is upset I go quiet and practical.",
        shared=True,
        task=Task.MUTUALITY,
    )
    wrote("Patterns I know well", "trainee", "trainer")
    wrote("I go quiet and practical", "trainee", "trainer")

    # Kwame's journal.
    w.co_shared = _write(
        w.co_trainee,
        w.days[1],
        "Admitting I was nervous too",
        "Saying what was true for me opened the door.",
        shared=True,
    )
    wrote("Admitting I was nervous too", "co_trainee", "trainer")
    wrote("Saying what was true for me opened the door", "co_trainee", "trainer")
    _write(w.co_trainee, w.days[2], "Something only for me today", "My own time in hospital came back.")
    wrote("Something only for me today", "co_trainee")
    wrote("My own time in hospital came back", "co_trainee")

    # Inês, in Aisha's cohort.
    w.other_shared = _write(
        ines,
        w.other_cohort.days.get(number=2),
        "Translating in his head",
        "The quiet man was translating everything in his head.",
        shared=True,
    )
    wrote("Translating in his head", "other_trainer")
    wrote("translating everything in his head", "other_trainer")

    # Invitations sent for each cohort, not yet answered.
    w.cohort_invitation = _cohort_invitation(w.cohort, "jo.baptiste@mailbox.example.net", w.trainer)
    w.other_cohort_invitation = _cohort_invitation(
        w.other_cohort, "sol.ruiz@mailbox.example.net", w.other_trainer
    )


def _cohort_invitation(cohort, email, trainer):
    from accounts.models import Invitation

    invitation = Invitation(team=cohort.team, email=email, role=Role.TRAINEE, invited_by=trainer)
    invitation.issue_token()
    invitation.save()
    return CohortInvitation.objects.create(invitation=invitation, cohort=cohort).invitation


# --- Where people are sent ------------------------------------------------------------------------


def _day(number):
    return lambda w: reverse("training:day", args=[w.cohort.pk, number])


def _cohort_page(w):
    return reverse("training:cohort-detail", args=[w.cohort.pk])


def _newest_cohort_page(w):
    return reverse("training:cohort-detail", args=[Cohort.objects.latest("pk").pk])


def _leahs_journal_for_trainers(w):
    return reverse("training:trainee-journal", args=[w.cohort.pk, w.trainee.pk])


def _own_day(number):
    """The trainee's and the co-trainee's own day page (same cohort, each their own journal)."""
    return _day(number)


def _cohort(w):
    return {"cohort_id": w.cohort.pk}


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _outline_data(w):
    data = {
        "cohort-name": "Spring core training",
        "days-TOTAL_FORMS": "5",
        "days-INITIAL_FORMS": "5",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for index, day in enumerate(w.cohort.days.all()):
        data |= {
            f"days-{index}-id": day.pk,
            f"days-{index}-date": (day.date + dt.timedelta(days=7)).isoformat(),
            f"days-{index}-title": day.title,
            f"days-{index}-topics": day.topics,
            f"days-{index}-prompts": day.prompts,
            f"days-{index}-content_note": day.content_note,
        }
    return data


ENTRY_DATA = {
    "task": Task.WORLDVIEW,
    "title": "Words I carry",
    "body": "The word resistant came with me from the ward.",
}


# --- The rows -----------------------------------------------------------------------------------

ROWS: list[Row] = [
    # Training at a glance; starting a cohort is for a team's trainers.
    Row(
        "training:home",
        get=journal(OK),
        post=journal(FORBIDDEN, trainer=saved(_newest_cohort_page), other_trainer=saved(_newest_cohort_page)),
        data=lambda w: {"name": "Autumn core training", "team": w.team.pk, "start": "2027-03-08"},
    ),
    # The trainer's side: only the cohort's own trainers; everyone else is not told it exists.
    Row("training:cohort-detail", kwargs=_cohort, get=journal(NOT_FOUND, trainer=OK)),
    Row(
        "training:cohort-detail",
        variant="another cohort",
        kwargs=lambda w: {"cohort_id": w.other_cohort.pk},
        get=journal(NOT_FOUND, other_trainer=OK),
    ),
    Row(
        "training:trainee-invite",
        kwargs=_cohort,
        get=POST_ONLY,
        post=journal(NOT_FOUND, trainer=saved(_cohort_page)),
        data={"emails": "jordan.new@mailbox.example.net"},
    ),
    Row(
        "training:invitation-revoke",
        kwargs=lambda w: {"cohort_id": w.cohort.pk, "invitation_id": w.cohort_invitation.pk},
        get=POST_ONLY,
        post=journal(NOT_FOUND, trainer=saved(_cohort_page)),
    ),
    Row(
        "training:invitation-revoke",
        variant="another cohort's invitation",
        kwargs=lambda w: {"cohort_id": w.cohort.pk, "invitation_id": w.other_cohort_invitation.pk},
        post=journal(NOT_FOUND),
    ),
    Row(
        "training:trainer-add",
        kwargs=_cohort,
        get=POST_ONLY,
        post=journal(NOT_FOUND, trainer=saved(_cohort_page)),
        data=lambda w: {"user": w.other_trainer.pk},
    ),
    Row(
        "training:trainer-add",
        variant="someone who is not a trainer",
        kwargs=_cohort,
        post=journal(NOT_FOUND, trainer=INVALID),
        data=lambda w: {"user": w.author.pk},
    ),
    Row(
        "training:cohort-outline",
        kwargs=_cohort,
        get=journal(NOT_FOUND, trainer=OK),
        post=journal(NOT_FOUND, trainer=saved(_cohort_page)),
        data=_outline_data,
    ),
    Row(
        "training:trainee-journal",
        kwargs=lambda w: {"cohort_id": w.cohort.pk, "user_id": w.trainee.pk},
        get=journal(NOT_FOUND, trainer=READ_BY_TRAINER),
    ),
    Row(
        "training:trainee-journal",
        variant="someone not in the cohort",
        kwargs=lambda w: {"cohort_id": w.cohort.pk, "user_id": w.author.pk},
        get=journal(NOT_FOUND),
    ),
    Row(
        "training:trainee-journal",
        variant="a trainee of another cohort",
        kwargs=lambda w: {"cohort_id": w.cohort.pk, "user_id": w.other_trainee.pk},
        get=journal(NOT_FOUND),
    ),
    # The trainee's side: each trainee of the cohort has their own journal there; nobody else.
    Row(
        "training:journal",
        kwargs=_cohort,
        get=journal(NOT_FOUND, trainee=redirect(_day(2)), co_trainee=redirect(_day(2))),
    ),
    Row(
        "training:day",
        kwargs=lambda w: {"cohort_id": w.cohort.pk, "number": 1},
        get=journal(NOT_FOUND, trainee=VISITED, co_trainee=VISITED),
    ),
    Row(
        "training:day",
        variant="a day the cohort does not have",
        kwargs=lambda w: {"cohort_id": w.cohort.pk, "number": 9},
        get=journal(NOT_FOUND),
    ),
    Row(
        "training:entry-create",
        kwargs=lambda w: {"cohort_id": w.cohort.pk, "number": 3},
        get=journal(NOT_FOUND, trainee=OK, co_trainee=OK),
        post=journal(
            NOT_FOUND, anonymous=LOGIN_KEEPING_TEXT, trainee=saved(_own_day(3)), co_trainee=saved(_own_day(3))
        ),
        data=ENTRY_DATA,
    ),
    Row(
        "training:entry-edit",
        kwargs=_pk("journal_shared"),
        get=journal(NOT_FOUND, trainee=OK, trainer=FORBIDDEN),
        post=journal(NOT_FOUND, anonymous=LOGIN_KEEPING_TEXT, trainee=saved(_day(1)), trainer=FORBIDDEN),
        data={**ENTRY_DATA, "version": 1},
    ),
    Row(
        "training:entry-edit",
        variant="a private entry",
        kwargs=_pk("journal_private"),
        get=journal(NOT_FOUND, trainee=OK),
    ),
    Row(
        "training:entry-share",
        kwargs=_pk("journal_private"),
        get=POST_ONLY,
        post=journal(NOT_FOUND, trainee=saved(_day(1))),
    ),
    Row(
        "training:entry-unshare",
        kwargs=_pk("journal_unanswered"),
        get=POST_ONLY,
        post=journal(NOT_FOUND, trainee=saved(_day(2)), trainer=FORBIDDEN),
    ),
    Row(
        "training:entry-unshare",
        variant="after feedback it stays shared",
        kwargs=_pk("journal_shared"),
        post=journal(NOT_FOUND, trainee=redirect(_day(1)), trainer=FORBIDDEN),
    ),
    Row(
        "training:entry-delete",
        kwargs=_pk("journal_shared"),
        get=journal(NOT_FOUND, trainee=OK, trainer=FORBIDDEN),
        post=journal(NOT_FOUND, trainee=saved(_day(1)), trainer=FORBIDDEN),
    ),
    Row("training:summary", kwargs=_cohort, get=journal(NOT_FOUND, trainee=OK, co_trainee=OK)),
    Row("training:export-markdown", kwargs=_cohort, get=journal(NOT_FOUND, trainee=OK, co_trainee=OK)),
    Row("training:export-print", kwargs=_cohort, get=journal(NOT_FOUND, trainee=OK, co_trainee=OK)),
    # Feedback: the cohort's trainers on shared entries; the trainee and the trainers reply.
    Row(
        "training:feedback-create",
        kwargs=_pk("journal_unanswered"),
        get=POST_ONLY,
        post=journal(NOT_FOUND, trainer=saved(_leahs_journal_for_trainers), trainee=FORBIDDEN),
        data={"body": "Going quiet can be care and protection at once."},
    ),
    Row(
        "training:feedback-create",
        variant="a private entry",
        kwargs=_pk("journal_private"),
        post=journal(NOT_FOUND, trainee=FORBIDDEN),
        data={"body": "This should never be possible."},
    ),
    Row(
        "training:feedback-create",
        variant="another cohort's entry",
        kwargs=_pk("other_shared"),
        post=journal(
            NOT_FOUND,
            other_trainer=saved(
                lambda w: reverse("training:trainee-journal", args=[w.other_cohort.pk, w.other_trainee.pk])
            ),
        ),
        data={"body": "So much under the water."},
    ),
    Row(
        "training:feedback-edit",
        kwargs=_pk("training_feedback"),
        get=journal(NOT_FOUND, trainer=OK, trainee=FORBIDDEN),
        post=journal(NOT_FOUND, trainer=saved(_leahs_journal_for_trainers), trainee=FORBIDDEN),
        data={"body": "Curiosity — keep it close."},
    ),
    Row(
        "training:feedback-delete",
        kwargs=_pk("training_feedback"),
        get=POST_ONLY,
        post=journal(NOT_FOUND, trainer=saved(_leahs_journal_for_trainers), trainee=FORBIDDEN),
    ),
    Row(
        "training:reply-create",
        kwargs=_pk("training_feedback"),
        get=POST_ONLY,
        post=journal(NOT_FOUND, trainee=saved(_day(1)), trainer=saved(_leahs_journal_for_trainers)),
        data={"body": "And the silence after it."},
    ),
    Row(
        "training:reply-delete",
        kwargs=_pk("training_reply"),
        get=POST_ONLY,
        post=journal(NOT_FOUND, trainee=saved(_day(1)), trainer=FORBIDDEN),
    ),
    # Search finds feedback and its replies for the trainee and the cohort's trainers only: every
    # other persona's results are held to the phrases above (the last word searched, so the rest
    # of the passage shows unmarked).
    Row("search:results", variant="trainer feedback", get=journal(OK), query={"q": "bring"}),
    Row("search:results", variant="a reply to trainer feedback", get=journal(OK), query={"q": "helped"}),
    # The admin: the default outline and cohorts (with their days and people), never journal text.
    *admin_model("training", "outlineday", lambda w: OutlineDay.objects.get(number=5)),
    *admin_model("training", "cohort", lambda w: w.cohort),
]

# Join the table (once: a module's body runs once, whichever of the two modules is imported first).
access.TABLE.extend(ROWS)
access.SNAPSHOT_MODELS.extend(SNAPSHOT)
