"""Invitations: a supervisor invites by email; the invitee accepts with the link from the mail."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.demo import ensure_person
from accounts.models import Invitation, Membership, Role, hash_token
from tests.access import snapshot

INVITE_MODELS = ["accounts.Membership", "accounts.Invitation"]
JORDAN = "jordan.ellis@riverside.example.org"


def invite_url(team):
    return reverse("accounts:invitation-create", args=[team.pk])


def accept_url(token):
    return reverse("accounts:invitation-accept", args=[token])


def pending_invitation(team, email, role=Role.PEER, invited_by=None):
    """(invitation, token) as the invite flow makes them, without the mail."""
    invitation = Invitation(team=team, email=email, role=role, invited_by=invited_by)
    token = invitation.issue_token()
    invitation.save()
    return invitation, token


@pytest.fixture
def jordan(db):
    """Someone the team is about to invite: signed up, email address confirmed, no team yet."""
    return ensure_person(JORDAN, "Jordan Ellis")


# --- Inviting ---


def test_a_supervisor_invites_by_email_and_the_mail_carries_the_accept_link(
    client_for, supervisor, team, jordan
):
    response = client_for(supervisor).post(
        invite_url(team), {"email": JORDAN, "role": Role.PEER}, follow=True
    )

    invitation = Invitation.objects.get()
    assert (invitation.team, invitation.email, invitation.role, invitation.invited_by) == (
        team,
        JORDAN,
        Role.PEER,
        supervisor,
    )
    assert invitation.is_pending
    assert "An invitation is on its way to jordan.ellis@riverside.example.org." in response.text
    assert JORDAN in response.text  # listed under pending invitations

    [message] = mail.outbox
    assert message.to == [JORDAN]
    assert "Riverside Peer Respite" in message.subject
    assert (
        "Rosa Delgado invited you to join Riverside Peer Respite on IPS Journal as a Peer worker."
        in message.body
    )
    link = re.search(r"http://testserver(/invitations/[\w-]+/)", message.body).group(1)
    html_body, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and link in html_body

    # The link works for the invitee: she opens it and joins.
    invitee = client_for(jordan)
    assert "Accept and join" in invitee.get(link).text
    response = invitee.post(link, follow=True)
    assert response.redirect_chain == [(reverse("reflections:dashboard"), 302)]
    assert "Welcome to Riverside Peer Respite. You joined as a peer worker." in response.text
    assert Membership.objects.filter(team=team, user=jordan, role=Role.PEER).exists()


def test_only_a_hash_of_the_token_is_stored(client_for, supervisor, team):
    client_for(supervisor).post(invite_url(team), {"email": JORDAN, "role": Role.TRAINEE})

    token = re.search(r"/invitations/([\w-]+)/", mail.outbox[0].body).group(1)
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash


def test_it_refuses_a_second_pending_invitation_for_the_same_address(client_for, supervisor, team):
    pending_invitation(team, JORDAN, Role.PEER, supervisor)
    before = snapshot(INVITE_MODELS)

    response = client_for(supervisor).post(
        invite_url(team), {"email": "Jordan.Ellis@Riverside.example.org", "role": Role.PEER}
    )

    assert response.status_code == 400
    assert (
        "jordan.ellis@riverside.example.org already has a pending invitation for this role." in response.text
    )
    assert snapshot(INVITE_MODELS) == before
    assert mail.outbox == []


def test_it_refuses_to_invite_someone_already_in_that_role(client_for, supervisor, author, team):
    before = snapshot(INVITE_MODELS)

    response = client_for(supervisor).post(
        invite_url(team), {"email": author.email.upper(), "role": Role.PEER}
    )

    assert response.status_code == 400
    assert "maya.okafor@riverside.example.org is already a peer worker in this team." in response.text
    assert snapshot(INVITE_MODELS) == before
    assert mail.outbox == []


def test_a_member_may_be_invited_to_a_second_role(client_for, supervisor, author, team):
    client_for(supervisor).post(invite_url(team), {"email": author.email, "role": Role.TRAINER})

    assert Invitation.objects.get().role == Role.TRAINER
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("email", ["jordan.ellis", "jordan ellis@riverside.example.org", ""])
def test_it_refuses_an_invalid_email_and_keeps_the_text(client_for, supervisor, team, email):
    response = client_for(supervisor).post(invite_url(team), {"email": email, "role": Role.TRAINER})

    assert response.status_code == 400
    assert 'class="errorlist' in response.text
    assert f'value="{email}"' in response.text if email else "This field is required." in response.text
    assert '<option value="trainer" selected>' in response.text
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_refuses_an_unknown_role(client_for, supervisor, team):
    response = client_for(supervisor).post(invite_url(team), {"email": JORDAN, "role": "owner"})

    assert response.status_code == 400
    assert "Select a valid choice. owner is not one of the available choices." in response.text
    assert f'value="{JORDAN}"' in response.text
    assert not Invitation.objects.exists()


def test_a_member_who_is_not_a_supervisor_cannot_invite(client_for, author, supervisor, team):
    response = client_for(author).post(invite_url(team), {"email": JORDAN, "role": Role.PEER})

    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_supervisor_of_another_team_cannot_invite_into_this_one(client_for, other_supervisor, team):
    response = client_for(other_supervisor).post(invite_url(team), {"email": JORDAN, "role": Role.PEER})

    assert response.status_code == 404
    assert not Invitation.objects.exists()


# --- Accepting ---


def test_someone_not_signed_in_is_asked_to_sign_in_and_comes_back_to_the_invitation(client, team):
    _invitation, token = pending_invitation(team, JORDAN)

    response = client.get(accept_url(token))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={accept_url(token)}"


def test_the_invitee_accepts_and_joins_the_team(client_for, supervisor, team, jordan):
    invitation, token = pending_invitation(team, JORDAN, Role.TRAINEE, supervisor)

    page = client_for(jordan).get(accept_url(token))
    assert "Rosa Delgado invited jordan.ellis@riverside.example.org to join" in page.text
    response = client_for(jordan).post(accept_url(token))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.accepted is not None and invitation.accepted_by == jordan
    assert Membership.objects.filter(team=team, user=jordan, role=Role.TRAINEE).exists()


def test_it_accepts_an_invitation_to_a_confirmed_second_address(client_for, team, stranger):
    EmailAddress.objects.create(user=stranger, email="alex.m@riverside.example.org", verified=True)
    _invitation, token = pending_invitation(team, "Alex.M@riverside.example.org")

    client_for(stranger).post(accept_url(token))

    assert Membership.objects.filter(team=team, user=stranger, role=Role.PEER).exists()


def test_it_refuses_an_invitation_for_another_address(client_for, team, author, jordan):
    _invitation, token = pending_invitation(team, JORDAN, Role.SUPERVISOR)
    client = client_for(author)
    before = snapshot(INVITE_MODELS)

    page = client.get(accept_url(token))
    assert (
        "This invitation is for jordan.ellis@riverside.example.org, but you are signed in as maya.okafor@riverside.example.org."
        in page.text
    )
    assert "Accept and join" not in page.text
    response = client.post(accept_url(token))

    assert response.status_code == 200
    assert "This invitation was sent to another email address." in response.text
    assert snapshot(INVITE_MODELS) == before


def test_it_refuses_an_invitation_to_an_address_not_yet_confirmed(client_for, team, stranger):
    EmailAddress.objects.create(user=stranger, email="alex.m@riverside.example.org", verified=False)
    _invitation, token = pending_invitation(team, "alex.m@riverside.example.org")
    client = client_for(stranger)
    before = snapshot(INVITE_MODELS)

    page = client.get(accept_url(token))
    assert "alex.m@riverside.example.org is not confirmed yet" in page.text
    assert "Accept and join" not in page.text
    response = client.post(accept_url(token))

    assert "alex.m@riverside.example.org is not confirmed yet" in response.text
    assert snapshot(INVITE_MODELS) == before


@pytest.mark.parametrize(
    ("change", "explanation"),
    [
        ({"expires": timezone.now() - timedelta(minutes=1)}, "This invitation has expired."),
        ({"revoked": timezone.now()}, "This invitation was withdrawn."),
        ({"accepted": timezone.now()}, "This invitation has already been accepted."),
    ],
    ids=["expired", "withdrawn", "used"],
)
def test_it_refuses_an_invitation_that_is_no_longer_open(client_for, team, jordan, change, explanation):
    invitation, token = pending_invitation(team, JORDAN)
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    client = client_for(jordan)
    before = snapshot(INVITE_MODELS)

    page = client.get(accept_url(token))
    assert explanation in page.text
    assert "Accept and join" not in page.text
    response = client.post(accept_url(token))

    assert response.status_code == 200
    assert "This invitation is no longer open." in response.text
    assert snapshot(INVITE_MODELS) == before


def test_an_unknown_token_gets_a_kind_404_page(client_for, jordan):
    response = client_for(jordan).get(accept_url("cXVpdGUtc3VyZS10aGlzLWlzLW5vdC1hLXRva2Vu"))

    assert response.status_code == 404
    assert "This invitation link does not work" in response.text
    assert "Please ask the person who invited you to send a new invitation." in response.text


def test_accepting_twice_keeps_one_membership(client_for, team, jordan):
    _invitation, token = pending_invitation(team, JORDAN)
    client = client_for(jordan)

    client.post(accept_url(token))
    client.post(accept_url(token))

    assert Membership.objects.filter(user=jordan).count() == 1


# --- Withdrawing ---


def test_a_supervisor_withdraws_an_invitation_and_its_link_stops_working(
    client_for, supervisor, team, jordan
):
    invitation, token = pending_invitation(team, JORDAN, invited_by=supervisor)

    response = client_for(supervisor).post(
        reverse("accounts:invitation-revoke", args=[team.pk, invitation.pk]), follow=True
    )

    assert "The invitation to jordan.ellis@riverside.example.org is withdrawn." in response.text
    assert "No invitations waiting." in response.text
    invitation.refresh_from_db()
    assert invitation.revoked is not None
    client_for(jordan).post(accept_url(token))
    assert not Membership.objects.filter(user=jordan).exists()


def test_withdrawing_another_teams_invitation_is_404_and_changes_nothing(
    client_for, supervisor, other_supervisor, team, other_team
):
    foreign, _token = pending_invitation(other_team, JORDAN, invited_by=other_supervisor)
    before = snapshot(INVITE_MODELS)

    response = client_for(supervisor).post(reverse("accounts:invitation-revoke", args=[team.pk, foreign.pk]))

    assert response.status_code == 404
    assert snapshot(INVITE_MODELS) == before


def test_withdrawing_an_invitation_already_accepted_is_404(client_for, supervisor, team):
    invitation, _token = pending_invitation(team, JORDAN, invited_by=supervisor)
    Invitation.objects.filter(pk=invitation.pk).update(accepted=timezone.now())
    before = snapshot(INVITE_MODELS)

    response = client_for(supervisor).post(
        reverse("accounts:invitation-revoke", args=[team.pk, invitation.pk])
    )

    assert response.status_code == 404
    assert snapshot(INVITE_MODELS) == before
