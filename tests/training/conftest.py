"""Training fixtures: Tom (trainer) runs Riverside's spring cohort with Leah and Kwame as its
trainees; Aisha, another trainer of the same team, runs her own cohort with Inês. Today is Day 2
of Tom's cohort, in Tom's time zone.

Leah has a private entry carrying PRIVATE_MARKER on Day 1 (nobody else may ever see it) and a
shared one on Day 1 with Tom's feedback.
"""

import datetime as dt

import pytest

from accounts.models import Membership, Role
from reflections.models import Task
from reflections.weeks import user_today
from tests.conftest import make_person
from training import flows
from training.models import TrainingEntry

# Appears only in Leah's unshared journal entry: no response to anyone else may contain it.
PRIVATE_MARKER = "TRAINING-PRIVATE-9d41e7"

PRIVATE_BODY = (
    f"{PRIVATE_MARKER} Today stirred up my own time on the ward. I want to sit with it before "
    "I share anything."
)
SHARED_BODY = (
    "Before today I thought helping meant having something useful to hand over. In the listening "
    "exercise I noticed my mind racing ahead to *what I would suggest*."
)


def write(trainee, day, body, *, shared=False, task=Task.CONNECTION, title=""):
    entry = flows.write_entry(trainee, day, {"task": task, "title": title, "body": body}, share=shared)
    return TrainingEntry.objects.select_related("entry", "day").get(pk=entry.pk)


def trainee_in(team, email, name, time_zone="Europe/London"):
    user = make_person(email, name, time_zone)
    Membership.objects.get_or_create(team=team, user=user, role=Role.TRAINEE)
    return user


@pytest.fixture
def co_trainee(team):
    return trainee_in(team, "kwame.mensah@riverside.example.org", "Kwame Mensah")


@pytest.fixture
def other_trainer(team):
    user = make_person("aisha.rahman@riverside.example.org", "Aisha Rahman")
    Membership.objects.create(team=team, user=user, role=Role.TRAINER)
    return user


@pytest.fixture
def cohort(team, trainer, trainee, co_trainee):
    start = user_today(trainer) - dt.timedelta(days=1)
    cohort = flows.create_cohort(trainer, team, name="Spring core training", start=start)
    flows.enrol(cohort, trainee)
    flows.enrol(cohort, co_trainee)
    return cohort


@pytest.fixture
def other_cohort(team, other_trainer):
    cohort = flows.create_cohort(other_trainer, team, name="Evening core training", start=dt.date(2026, 9, 7))
    flows.enrol(cohort, trainee_in(team, "ines.duarte@riverside.example.org", "Inês Duarte", "Europe/Lisbon"))
    return cohort


@pytest.fixture
def days(cohort):
    return {day.number: day for day in cohort.days.all()}


@pytest.fixture
def private_entry(trainee, days):
    return write(trainee, days[1], PRIVATE_BODY, title=f"Not ready {PRIVATE_MARKER}", task=Task.WORLDVIEW)


@pytest.fixture
def shared_entry(trainee, days):
    return write(trainee, days[1], SHARED_BODY, shared=True, title="What “help” used to mean")


@pytest.fixture
def feedback(shared_entry, trainer):
    return flows.give_feedback(
        shared_entry, trainer, "Curiosity as **the most useful thing** you have — hold on to that."
    )
