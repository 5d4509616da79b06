"""Workflows that touch several models: creating a team, inviting, accepting, changing roles."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import Invitation, Membership, Role, Team, hash_token

UNCONFIRMED = _lazy(
    "%(email)s is not confirmed yet. Open the confirmation link we sent to that address "
    "(or send a new one under Account → Email addresses), then come back to this page."
)
LAST_SUPERVISOR = _lazy("A team needs at least one supervisor. Invite or appoint another supervisor first.")


def send_templated_email(template_prefix, to, context):
    """Send `<prefix>_subject.txt` / `_body.txt` / `_body.html` to one address."""
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    body = render_to_string(f"{template_prefix}_body.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to])
    message.attach_alternative(render_to_string(f"{template_prefix}_body.html", context), "text/html")
    message.send()


@transaction.atomic
def create_team(user, *, name, organisation=""):
    team = Team.objects.create(name=name, organisation=organisation)
    Membership.objects.create(team=team, user=user, role=Role.SUPERVISOR)
    return team


def invite(request, team, *, email, role):
    invitation = Invitation(team=team, email=email, role=role, invited_by=request.user)
    token = invitation.issue_token()
    invitation.save()
    accept_url = request.build_absolute_uri(reverse("accounts:invitation-accept", args=[token]))
    send_templated_email(
        "accounts/email/invitation",
        email,
        {"invitation": invitation, "inviter": request.user, "accept_url": accept_url},
    )
    return invitation


def find_invitation(token):
    """The invitation for a token, or None. Expired, used and revoked ones are returned too,
    so the page can say plainly what happened to it."""
    return (
        Invitation.objects.select_related("team", "invited_by").filter(token_hash=hash_token(token)).first()
    )


@transaction.atomic
def accept_invitation(invitation, user):
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer open."))
    if not invitation.is_for(user):
        if invitation.awaits_confirmation_by(user):
            raise PermissionDenied(UNCONFIRMED % {"email": invitation.email})
        raise PermissionDenied(
            _(
                "This invitation was sent to another email address. Sign in with that address, or add and verify it in your account."
            )
        )
    membership, _created = Membership.objects.get_or_create(
        team=invitation.team, user=user, role=invitation.role
    )
    invitation.accepted = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted", "accepted_by"])
    # An invitation a trainer sent for a training cohort also opens the trainee's journal there.
    from training.flows import join_invited_cohort

    join_invited_cohort(invitation, user)
    return membership


def _is_last_supervisor(membership):
    if membership.role != Role.SUPERVISOR:
        return False
    # Lock the team's supervisor rows so two removals at once cannot leave a team without one.
    # order_by("pk"): the default ordering joins teams and users, and FOR UPDATE would lock those too.
    supervisors = (
        Membership.objects.select_for_update().supervisors().filter(team_id=membership.team_id).order_by("pk")
    )
    return [m.pk for m in supervisors] == [membership.pk]


@transaction.atomic
def change_role(membership, role):
    if role == membership.role:
        return membership
    if _is_last_supervisor(membership):
        raise ValidationError(LAST_SUPERVISOR)
    old_role = membership.role
    if Membership.objects.filter(team_id=membership.team_id, user_id=membership.user_id, role=role).exists():
        # They already hold the new role: the old one simply goes.
        membership.delete()
        _end_pairs_of_former_peer(membership.team_id, membership.user, old_role)
        return None
    membership.role = role
    membership.save(update_fields=["role"])
    _end_pairs_of_former_peer(membership.team_id, membership.user, old_role)
    return membership


@transaction.atomic
def remove_membership(membership):
    if _is_last_supervisor(membership):
        raise ValidationError(LAST_SUPERVISOR)
    membership.delete()
    _end_pairs_of_former_peer(membership.team_id, membership.user, membership.role)


def _end_pairs_of_former_peer(team_id, user, old_role):
    """Someone who is no longer a peer worker of a team co-reflects there no more: their open pairs
    in it end at once (pending invitations are declined), so nothing new is shared with them. The
    ended threads stay readable to both peers, as every ended pair's thread does. (Supervisors and
    trainers lose access through the role checks in the querysets themselves.)"""
    if old_role != Role.PEER:
        return
    if Membership.objects.filter(team_id=team_id, user=user, role=Role.PEER).exists():
        return
    from reflections.models import PeerPair
    from reflections.thread_versions import bump_threads

    now = timezone.now()
    pairs = PeerPair.objects.for_member(user).filter(team_id=team_id)
    pairs.filter(status=PeerPair.Status.ACTIVE).update(status=PeerPair.Status.ENDED, ended=now)
    pairs.filter(status=PeerPair.Status.PENDING).update(status=PeerPair.Status.DECLINED, responded=now)
    bump_threads(pairs.values("pk"))  # a bulk update sends no signals
