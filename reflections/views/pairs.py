from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import flows
from ..forms import PairInvitationForm
from ..models import PeerPair


def pair_list(request, form=None):
    pairs = list(PeerPair.objects.for_member(request.user).select_related("inviter", "invitee", "team"))
    for pair in pairs:
        pair.peer = pair.other(request.user)
    context = {
        "form": form or PairInvitationForm(user=request.user),
        "active": [p for p in pairs if p.status == PeerPair.Status.ACTIVE],
        "to_me": [
            p for p in pairs if p.status == PeerPair.Status.PENDING and p.invitee_id == request.user.pk
        ],
        "from_me": [
            p for p in pairs if p.status == PeerPair.Status.PENDING and p.inviter_id == request.user.pk
        ],
        "ended": [p for p in pairs if p.status == PeerPair.Status.ENDED],
    }
    return render(request, "reflections/pair_list.html", context, status=400 if form else 200)


@require_POST
def pair_invite(request):
    form = PairInvitationForm(request.POST, user=request.user)
    if not form.is_valid():
        return pair_list(request, form=form)
    membership = form.cleaned_data["invitee"]
    try:
        flows.invite_pair(request.user, membership, form.cleaned_data["message"])
    except ValidationError as error:
        form.add_error("invitee", error.messages[0])
        return pair_list(request, form=form)
    messages.success(
        request,
        _("Your invitation to co-reflect is with %(name)s. You will see here when they answer.")
        % {"name": membership.user.name},
    )
    return redirect("reflections:pair-list")


@require_POST
def pair_respond(request, pk):
    # Only the invited person answers an invitation: anyone else gets 404.
    pair = get_object_or_404(
        PeerPair.objects.filter(invitee=request.user, status=PeerPair.Status.PENDING).select_related(
            "inviter"
        ),
        pk=pk,
    )
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        # A missing or garbled answer declines nothing: the invitation stays open.
        messages.error(request, _("Choose to accept or decline the invitation."))
        return redirect("reflections:pair-list")
    accept = answer == "accept"
    flows.respond_to_pair(pair, accept)
    if accept:
        messages.success(
            request,
            _("You and %(name)s now co-reflect. Your shared thread is open.") % {"name": pair.inviter.name},
        )
        return redirect("reflections:thread-detail", pair.pk)
    messages.info(request, _("You declined the invitation from %(name)s.") % {"name": pair.inviter.name})
    return redirect("reflections:pair-list")


def pair_end(request, pk):
    pair = get_object_or_404(
        PeerPair.objects.for_member(request.user).active().select_related("inviter", "invitee"), pk=pk
    )
    pair.peer = pair.other(request.user)
    if request.method == "POST":
        flows.end_pair(pair, request.user)
        messages.success(
            request,
            _("Your pair with %(name)s has ended. The thread stays readable to both of you.")
            % {"name": pair.peer.name},
        )
        return redirect("reflections:pair-list")
    return render(request, "reflections/pair_confirm_end.html", {"pair": pair})
