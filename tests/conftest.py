"""Personas and clients shared by every test.

The people are realistic and fixed (no random data): an author and the peer she co-reflects
with, their team's supervisor, a stranger with no team, and a supervisor of another team.
"""

import datetime as dt
import os

import pytest
from django.core.cache import caches
from pytest_django.fixtures import validate_django_db

from accounts.demo import ensure_person
from accounts.models import Membership, Role, Team

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "tidal-lantern-4821"


def _empties_the_database(item):
    """As pytest-django tells a transactional test (its marker read by its own validator)."""
    marker = item.get_closest_marker("django_db")
    flagged = marker is not None and any(validate_django_db(marker)[:2])  # transaction, reset_sequences
    return bool(flagged or {"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests that run outside a rolled-back transaction (the browser's, a few PostgreSQL ones)
    last, whatever order pytest chose (it regroups tests by parametrized fixtures): each empties
    the database when it ends, the rows the data migrations wrote (the training outline) too."""
    items.sort(key=_empties_the_database)  # stable: the order within each group is kept


def make_person(email, name, time_zone="Europe/London"):
    return ensure_person(email, name, time_zone, password=PASSWORD)


WEEKLY_THEMES = [
    "the bus timetable",
    "the allotment",
    "the library visit",
    "a missed call",
    "the rota",
    "J.'s plan",
]


def share_weekly(author, pair, themes=WEEKLY_THEMES):
    """One shared entry a week by `author`, this week and back: the entries, newest first."""
    from reflections import flows
    from reflections.models import Entry, Task
    from reflections.weeks import current_week

    this_week, entries = current_week(author), []
    for n, theme in enumerate(themes):
        entry = Entry.objects.create(
            author=author,
            task=Task.CONNECTION,
            title=f"About {theme}",
            body=f"What I noticed about {theme}, and what I brought to it.",
            week=this_week - dt.timedelta(weeks=n),
        )
        flows.share_entry(entry, pair)
        entries.append(entry)
    return entries


@pytest.fixture(autouse=True)
def _clear_cache():
    for alias in ("default", "fragments"):
        caches[alias].clear()
    yield
    for alias in ("default", "fragments"):
        caches[alias].clear()


@pytest.fixture
def team(db):
    return Team.objects.create(name="Riverside Peer Respite", organisation="Riverside Collective")


@pytest.fixture
def other_team(db):
    return Team.objects.create(name="Harbour Street Peer Centre", organisation="Harbour Street Trust")


@pytest.fixture
def author(team):
    user = make_person("maya.okafor@riverside.example.org", "Maya Okafor")
    Membership.objects.create(team=team, user=user, role=Role.PEER)
    return user


@pytest.fixture
def peer(team):
    user = make_person("sam.lindqvist@riverside.example.org", "Sam Lindqvist")
    Membership.objects.create(team=team, user=user, role=Role.PEER)
    return user


@pytest.fixture
def supervisor(team):
    user = make_person("rosa.delgado@riverside.example.org", "Rosa Delgado")
    Membership.objects.create(team=team, user=user, role=Role.SUPERVISOR)
    return user


@pytest.fixture
def other_supervisor(other_team):
    user = make_person("dev.sharma@harbourstreet.example.org", "Dev Sharma")
    Membership.objects.create(team=other_team, user=user, role=Role.SUPERVISOR)
    return user


@pytest.fixture
def trainer(team):
    user = make_person("tom.achterberg@riverside.example.org", "Tom Achterberg")
    Membership.objects.create(team=team, user=user, role=Role.TRAINER)
    return user


@pytest.fixture
def trainee(team):
    user = make_person("leah.brennan@riverside.example.org", "Leah Brennan")
    Membership.objects.create(team=team, user=user, role=Role.TRAINEE)
    return user


@pytest.fixture
def stranger(db):
    return make_person("alex.moreau@elsewhere.example.org", "Alex Moreau")


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user (None: anonymous)."""
    from django.test import Client

    def _client(user):
        new = Client()
        if user is not None:
            new.force_login(user)
        return new

    return _client
