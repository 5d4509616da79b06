"""Teams and members: starting a team, the members page, changing roles, removing members."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.demo import ensure_person
from accounts.models import Invitation, Membership, Role, Team
from tests.access import snapshot

TEAM_MODELS = ["accounts.Team", "accounts.Membership", "accounts.Invitation"]


def members_url(team):
    return reverse("accounts:team-members", args=[team.pk])


def role_url(membership):
    return reverse("accounts:membership-role", args=[membership.team_id, membership.pk])


def remove_url(membership):
    return reverse("accounts:membership-remove", args=[membership.team_id, membership.pk])


def invite(team, email, role, invited_by):
    invitation = Invitation(team=team, email=email, role=role, invited_by=invited_by)
    invitation.issue_token()
    invitation.save()
    return invitation


def membership_of(user, team, role):
    return Membership.objects.get(user=user, team=team, role=role)


# --- Starting a team ---


def test_anyone_signed_in_can_start_a_team_and_becomes_its_supervisor(client_for, stranger):
    response = client_for(stranger).post(
        reverse("accounts:team-list"),
        {"name": "Northside Crisis Line", "organisation": "Northside Collective"},
        follow=True,
    )

    team = Team.objects.get(name="Northside Crisis Line")
    assert team.organisation == "Northside Collective"
    assert list(team.memberships.values_list("user__email", "role")) == [(stranger.email, Role.SUPERVISOR)]
    assert response.redirect_chain == [(members_url(team), 302)]
    assert "Northside Crisis Line is created. You are its first supervisor." in response.text


@pytest.mark.parametrize("name", ["", "   "])
def test_it_refuses_a_team_without_a_name_and_keeps_the_text(client_for, stranger, name):
    response = client_for(stranger).post(
        reverse("accounts:team-list"), {"name": name, "organisation": "Northside Collective"}
    )

    assert response.status_code == 200
    assert "Please give the team a name." in response.text
    assert 'value="Northside Collective"' in response.text
    assert not Team.objects.exists()


def test_the_team_list_shows_only_my_teams_and_my_roles(client_for, author, other_supervisor):
    response = client_for(author).get(reverse("accounts:team-list"))

    assert "Riverside Peer Respite" in response.text
    assert "Harbour Street Peer Centre" not in response.text
    assert "Peer worker" in response.text
    # Only supervisors get the way to the members page.
    assert "Members and invitations" not in response.text


def test_the_team_list_leads_supervisors_to_the_members_page(client_for, supervisor, team):
    response = client_for(supervisor).get(reverse("accounts:team-list"))

    assert members_url(team) in response.text


# --- The members page ---


def test_the_members_page_lists_members_and_pending_invitations(
    client_for, supervisor, author, trainer, team
):
    invite(team, "jordan.ellis@riverside.example.org", Role.PEER, supervisor)

    response = client_for(supervisor).get(members_url(team))

    assert response.status_code == 200
    for text in ["Maya Okafor", author.email, "Tom Achterberg", "Trainer", "Rosa Delgado", "(you)"]:
        assert text in response.text
    assert "jordan.ellis@riverside.example.org" in response.text
    assert "Invited by Rosa Delgado" in response.text


@pytest.mark.parametrize("persona", ["author", "trainer", "trainee"])
def test_a_member_who_is_not_a_supervisor_is_refused_the_members_page_and_its_actions(
    request, client_for, persona, supervisor, peer, team
):
    client = client_for(request.getfixturevalue(persona))
    target = membership_of(peer, team, Role.PEER)
    before = snapshot(TEAM_MODELS)

    assert client.get(members_url(team)).status_code == 403
    assert client.post(role_url(target), {"role": Role.SUPERVISOR}).status_code == 403
    assert client.post(remove_url(target)).status_code == 403
    assert (
        client.post(
            reverse("accounts:invitation-create", args=[team.pk]),
            {"email": "jordan.ellis@riverside.example.org", "role": Role.PEER},
        ).status_code
        == 403
    )
    assert snapshot(TEAM_MODELS) == before


@pytest.mark.parametrize("persona", ["stranger", "other_supervisor"])
def test_outsiders_are_not_told_the_team_exists(request, client_for, persona, supervisor, peer, team):
    client = client_for(request.getfixturevalue(persona))
    target = membership_of(peer, team, Role.PEER)
    before = snapshot(TEAM_MODELS)

    assert client.get(members_url(team)).status_code == 404
    assert client.post(role_url(target), {"role": Role.SUPERVISOR}).status_code == 404
    assert client.post(remove_url(target)).status_code == 404
    assert snapshot(TEAM_MODELS) == before


def test_the_members_page_query_count_does_not_grow_with_members(
    client_for, supervisor, team, django_assert_max_num_queries
):
    client = client_for(supervisor)

    def add_members(first, last):
        for n in range(first, last):
            user = ensure_person(f"peer{n:02}@riverside.example.org", f"Peer Worker {n:02}")
            Membership.objects.create(team=team, user=user, role=Role.PEER)
            invite(team, f"trainee{n:02}@riverside.example.org", Role.TRAINEE, user)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(members_url(team))
        assert response.status_code == 200
        return len(queries)

    add_members(1, 3)  # the supervisor and 2 peer workers: 3 members
    client.get(members_url(team))  # warm up: the session's first request records its activity
    # Middleware: 1 session, 2 user.
    # The page: 3 the team (am I a member?), 4 am I its supervisor?, 5 my roles (navigation),
    # 6 memberships with their users, 7 pending invitations with who invited.
    with django_assert_max_num_queries(7):
        client.get(members_url(team))
    with_three = count_queries()
    assert Membership.objects.filter(team=team).count() == 3

    add_members(3, 30)  # 30 members, 29 pending invitations
    with_thirty = count_queries()

    assert with_thirty == with_three
    assert b"Peer Worker 29" in client.get(members_url(team)).content


# --- Changing roles ---


def test_a_supervisor_changes_a_members_role(client_for, supervisor, peer, team):
    target = membership_of(peer, team, Role.PEER)

    response = client_for(supervisor).post(role_url(target), {"role": Role.TRAINER}, follow=True)

    target.refresh_from_db()
    assert target.role == Role.TRAINER
    assert response.redirect_chain == [(members_url(team), 302)]
    assert "Sam Lindqvist is now a trainer." in response.text


def test_changing_to_a_role_the_member_already_holds_leaves_one_membership(
    client_for, supervisor, peer, team
):
    Membership.objects.create(team=team, user=peer, role=Role.TRAINER)
    target = membership_of(peer, team, Role.PEER)

    client_for(supervisor).post(role_url(target), {"role": Role.TRAINER})

    assert list(Membership.objects.filter(user=peer).values_list("role", flat=True)) == [Role.TRAINER]


def test_it_refuses_an_unknown_role_and_changes_nothing(client_for, supervisor, peer, team):
    target = membership_of(peer, team, Role.PEER)
    before = snapshot(TEAM_MODELS)

    response = client_for(supervisor).post(role_url(target), {"role": "owner"}, follow=True)

    assert "Please choose one of the listed roles." in response.text
    assert snapshot(TEAM_MODELS) == before


def test_the_last_supervisor_cannot_be_demoted(client_for, supervisor, peer, team):
    before = snapshot(TEAM_MODELS)

    response = client_for(supervisor).post(
        role_url(membership_of(supervisor, team, Role.SUPERVISOR)), {"role": Role.PEER}, follow=True
    )

    assert "A team needs at least one supervisor." in response.text
    assert snapshot(TEAM_MODELS) == before


def test_the_last_supervisor_cannot_be_removed(client_for, supervisor, peer, team):
    before = snapshot(TEAM_MODELS)

    response = client_for(supervisor).post(
        remove_url(membership_of(supervisor, team, Role.SUPERVISOR)), follow=True
    )

    assert "A team needs at least one supervisor." in response.text
    assert snapshot(TEAM_MODELS) == before


def test_a_supervisor_can_step_down_when_another_remains(client_for, supervisor, peer, team):
    Membership.objects.create(team=team, user=peer, role=Role.SUPERVISOR)
    own = membership_of(supervisor, team, Role.SUPERVISOR)

    response = client_for(supervisor).post(role_url(own), {"role": Role.PEER}, follow=True)

    own.refresh_from_db()
    assert own.role == Role.PEER
    # No longer a supervisor, so the members page is closed to her: she lands on her teams.
    assert response.redirect_chain == [(reverse("accounts:team-list"), 302)]
    assert "Rosa Delgado is now a peer worker." in response.text


# --- Removing members ---


def test_a_supervisor_removes_a_member(client_for, supervisor, peer, author, team):
    response = client_for(supervisor).post(remove_url(membership_of(peer, team, Role.PEER)), follow=True)

    assert not Membership.objects.filter(user=peer).exists()
    assert Membership.objects.filter(user=author).exists()
    assert "Sam Lindqvist is no longer a peer worker in Riverside Peer Respite." in response.text


def test_removing_one_role_keeps_the_others(client_for, supervisor, peer, team):
    Membership.objects.create(team=team, user=peer, role=Role.TRAINER)

    client_for(supervisor).post(remove_url(membership_of(peer, team, Role.PEER)))

    assert list(Membership.objects.filter(user=peer).values_list("role", flat=True)) == [Role.TRAINER]


def test_a_supervisor_who_removes_herself_lands_on_her_teams(client_for, supervisor, peer, team):
    Membership.objects.create(team=team, user=peer, role=Role.SUPERVISOR)

    response = client_for(supervisor).post(remove_url(membership_of(supervisor, team, Role.SUPERVISOR)))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:team-list")
    assert not Membership.objects.filter(user=supervisor).exists()


@pytest.mark.parametrize("action", ["role", "remove"])
def test_another_teams_membership_in_this_teams_url_is_404_and_changes_nothing(
    client_for, supervisor, other_supervisor, team, action
):
    foreign = membership_of(other_supervisor, other_supervisor.memberships.get().team, Role.SUPERVISOR)
    url = reverse(f"accounts:membership-{action}", args=[team.pk, foreign.pk])
    before = snapshot(TEAM_MODELS)

    response = client_for(supervisor).post(url, {"role": Role.PEER})

    assert response.status_code == 404
    assert snapshot(TEAM_MODELS) == before


# --- Navigation ---


def navigation(response):
    text = response.text
    return html.unescape(text[text.index('<nav class="site-nav"') : text.index("</nav>")])


def test_the_navigation_offers_teams_and_members_to_supervisors(client_for, supervisor):
    nav = navigation(client_for(supervisor).get(reverse("reflections:dashboard")))

    assert f'<a href="{reverse("accounts:team-list")}">Teams & members</a>' in nav


def test_the_navigation_offers_peer_workers_their_teams_only(client_for, author):
    nav = navigation(client_for(author).get(reverse("reflections:dashboard")))

    assert "Teams & members" not in nav
    assert f'<a href="{reverse("accounts:team-list")}">Teams</a>' in nav
    assert f'<a href="{reverse("accounts:profile")}">Account</a>' in nav


def test_the_navigation_is_hidden_from_anonymous_people(client):
    response = client.get(reverse("account_login"))

    assert reverse("accounts:team-list") not in response.text
