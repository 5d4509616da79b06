from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import erasure, flows
from . import export as exports
from .forms import DeleteAccountForm, InvitationForm, MembershipRoleForm, ProfileForm, TeamForm
from .models import DataExport, Membership, Role, Team


def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_form.html", {"form": form})


def team_list(request):
    teams = Team.objects.for_member(request.user).prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.filter(user=request.user), to_attr="my_memberships"
        )
    )
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = flows.create_team(request.user, **form.cleaned_data)
        messages.success(request, _("%(team)s is created. You are its first supervisor.") % {"team": team})
        return redirect("accounts:team-members", team.pk)
    return render(request, "accounts/team_list.html", {"teams": teams, "form": form})


def _get_team_for_supervisor(user, team_id):
    """The team if the user supervises it: outsiders get 404, other members 403."""
    team = get_object_or_404(Team.objects.for_member(user), pk=team_id)
    if not team.memberships.filter(user=user, role=Role.SUPERVISOR).exists():
        raise PermissionDenied(_("Only the team's supervisors manage its members."))
    return team


def team_members(request, team_id, invitation_form=None):
    team = _get_team_for_supervisor(request.user, team_id)
    memberships = team.memberships.select_related("user").order_by("user__display_name", "role")
    context = {
        "team": team,
        "memberships": memberships,
        "invitations": team.invitations.pending().select_related("invited_by"),
        "invitation_form": invitation_form or InvitationForm(team=team),
        "role_choices": Role.choices,
    }
    return render(request, "accounts/team_members.html", context, status=400 if invitation_form else 200)


@require_POST
def invitation_create(request, team_id):
    team = _get_team_for_supervisor(request.user, team_id)
    form = InvitationForm(request.POST, team=team)
    if not form.is_valid():
        return team_members(request, team_id, invitation_form=form)
    invitation = flows.invite(request, team, **form.cleaned_data)
    messages.success(
        request,
        _("An invitation is on its way to %(email)s.") % {"email": invitation.email},
    )
    return redirect("accounts:team-members", team.pk)


@require_POST
def invitation_revoke(request, team_id, invitation_id):
    team = _get_team_for_supervisor(request.user, team_id)
    invitation = get_object_or_404(team.invitations.pending(), pk=invitation_id)
    invitation.revoked = timezone.now()
    invitation.save(update_fields=["revoked"])
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("accounts:team-members", team.pk)


def _back_to_team(request, team):
    """After a change to the members: back to the members page, or, for a supervisor who just
    stepped down or left, to their teams (the members page is no longer theirs to see)."""
    if team.memberships.filter(user=request.user, role=Role.SUPERVISOR).exists():
        return redirect("accounts:team-members", team.pk)
    return redirect("accounts:team-list")


@require_POST
def membership_role(request, team_id, membership_id):
    team = _get_team_for_supervisor(request.user, team_id)
    membership = get_object_or_404(team.memberships.select_related("user"), pk=membership_id)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose one of the listed roles."))
        return redirect("accounts:team-members", team.pk)
    try:
        flows.change_role(membership, form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("%(name)s is now a %(role)s.")
            % {"name": membership.user, "role": Role(form.cleaned_data["role"]).label.lower()},
        )
    return _back_to_team(request, team)


@require_POST
def membership_remove(request, team_id, membership_id):
    team = _get_team_for_supervisor(request.user, team_id)
    membership = get_object_or_404(team.memberships.select_related("user"), pk=membership_id)
    try:
        flows.remove_membership(membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("%(name)s is no longer a %(role)s in %(team)s.")
            % {"name": membership.user, "role": membership.get_role_display().lower(), "team": team},
        )
    return _back_to_team(request, team)


def invitation_accept(request, token):
    invitation = flows.find_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_detail.html", {"invitation": None}, status=404)
    if request.method == "POST":
        try:
            flows.accept_invitation(invitation, request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error.messages[0] if hasattr(error, "messages") else str(error))
        else:
            messages.success(
                request,
                _("Welcome to %(team)s. You joined as a %(role)s.")
                % {"team": invitation.team, "role": invitation.get_role_display().lower()},
            )
            return redirect("reflections:dashboard")
    is_for_me = invitation.is_for(request.user)
    context = {
        "invitation": invitation,
        "is_for_me": is_for_me,
        "awaits_confirmation": not is_for_me and invitation.awaits_confirmation_by(request.user),
    }
    return render(request, "accounts/invitation_detail.html", context)


# --- Export my data ----------------------------------------------------------------------------


def export(request):
    """“Export my data”: start an export, see recent ones, download a ready one."""
    user = request.user
    if request.method == "POST":
        if user.exports.filter(status=DataExport.Status.PENDING).exists():
            messages.info(
                request, _("Your export is still being prepared. We’ll let you know when it’s ready.")
            )
        else:
            _export, queued = exports.start(user)
            if queued:
                messages.success(
                    request,
                    _(
                        "There is a lot to gather, so your export is being prepared in the background. "
                        "We’ll send you a notification and an email when it is ready."
                    ),
                )
            else:
                messages.success(request, _("Your export is ready to download."))
        return redirect("accounts:export")
    context = {
        "exports": user.exports.order_by("-created")[:5],
        "lifetime_days": exports.EXPORT_LIFETIME.days,
    }
    return render(request, "accounts/export.html", context)


def export_download(request, pk):
    """The zip, for its owner only, while it has not expired."""
    ready = get_object_or_404(DataExport.objects.ready().filter(user=request.user), pk=pk)
    return FileResponse(
        ready.file.open("rb"), as_attachment=True, filename=ready.filename, content_type="application/zip"
    )


# --- Leaving -----------------------------------------------------------------------------------


@reauthentication_required(allow_get=True)
def account_delete(request):
    """Explain plainly what deleting the account removes and what stays; deleting asks for the
    password again (allauth's reauthentication) unless it was given in the last few minutes."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        erasure.erase(user)
        logout(request)
        messages.success(
            request,
            _(
                "Your account and everything you wrote are deleted. Thank you for the reflecting you did here."
            ),
        )
        return redirect("account_login")
    context = {"form": form, "summary": erasure.summary(request.user)}
    return render(
        request, "accounts/account_confirm_delete.html", context, status=400 if form.is_bound else 200
    )
