"""The header's one query (accounts.context_processors.navigation_of) is written in SQL because
every page asks it; these tests hold it to the same question asked through the ORM."""

import pytest
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.context_processors import navigation_of
from accounts.models import Membership, Role, Team, User
from notifications.models import Notification, Verb
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def asked_through_the_orm(user):
    """(role, team id, team name, unread notifications) per membership, by team name and role."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        User.objects.filter(pk=user.pk)
        .order_by("memberships__team__name", "memberships__role")
        .annotate(unread=Coalesce(Subquery(unread), 0))
        .values_list("memberships__role", "memberships__team", "memberships__team__name", "unread")
    )


def as_rows(navigation):
    rows = [(m["role"], m["team_id"], m["team"], navigation["unread"]) for m in navigation["memberships"]]
    return rows or [(None, None, None, navigation["unread"])]


def notify(person, actor, read=None):
    return Notification.objects.create(
        recipient=person, actor=actor, verb=Verb.ANNOTATED, url="/entries/1/", read=read
    )


def test_a_newcomer_has_no_roles_and_nothing_unread():
    newcomer = make_person("amara.okoye@riverside.example.org", "Amara Okoye")
    navigation = navigation_of(newcomer)
    assert navigation["memberships"] == [] and navigation["teams"] == {}
    assert navigation["unread"] == 0
    assert not any(navigation["roles"].values())
    assert as_rows(navigation) == asked_through_the_orm(newcomer)


def test_a_newcomer_sees_their_unread_notifications(author):
    newcomer = make_person("amara.okoye@riverside.example.org", "Amara Okoye")
    notify(newcomer, author)
    assert navigation_of(newcomer)["unread"] == 1


def test_roles_in_several_teams_by_team_name_with_the_unread_count(team, other_team, author, peer):
    Membership.objects.create(team=other_team, user=author, role=Role.SUPERVISOR)
    Membership.objects.create(team=team, user=author, role=Role.TRAINER)
    third = Team.objects.create(name="Alder Lane Recovery College", organisation="Alder Lane Trust")
    Membership.objects.create(team=third, user=author, role=Role.TRAINEE)
    for _ in range(3):
        notify(author, peer)
    notify(author, peer, read=timezone.now())  # read: not counted
    notify(peer, author)  # someone else's: not counted

    navigation = navigation_of(author)
    assert [(m["team"], m["role"]) for m in navigation["memberships"]] == [
        ("Alder Lane Recovery College", Role.TRAINEE),
        ("Harbour Street Peer Centre", Role.SUPERVISOR),
        ("Riverside Peer Respite", Role.PEER),
        ("Riverside Peer Respite", Role.TRAINER),
    ]
    assert navigation["teams"] == {
        Role.TRAINEE: [third.pk],
        Role.SUPERVISOR: [other_team.pk],
        Role.PEER: [team.pk],
        Role.TRAINER: [team.pk],
    }
    assert navigation["unread"] == 3
    assert as_rows(navigation) == asked_through_the_orm(author)
    assert as_rows(navigation_of(peer)) == asked_through_the_orm(peer)
