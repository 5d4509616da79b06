from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.context_processors import memberships_of
from accounts.models import Role

from ..flows import unread_counts
from ..models import Draft, Entry, PeerPair, Task
from ..prompts import PROMPTS
from ..weeks import current_week, week_label


@login_not_required
@never_cache
def healthz(request):
    """For load balancers (and the benchmark's baseline): one trivial query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


def dashboard(request):
    user = request.user
    this_week = current_week(user)
    known = memberships_of(user)  # the navigation's lookup: roles, and each team's name
    entries = list(Entry.objects.filter(author=user, week=this_week))  # the tiles read only pair_id
    tiles = []
    for task in Task:
        tiles.append(
            {
                "task": task,
                "entries": [e for e in entries if e.task == task],
                "prompt": PROMPTS[task][0],
            }
        )
    pairs = list(
        PeerPair.objects.for_member(user)
        .filter(status__in=[PeerPair.Status.ACTIVE, PeerPair.Status.PENDING])
        .select_related("inviter", "invitee", "team")
        .with_seen_version(user)
    )
    unread = unread_counts(user, [p for p in pairs if p.is_active])
    for pair in pairs:
        pair.peer = pair.other(user)
        pair.unread = unread.get(pair.pk, 0)
    context = {
        "this_week": this_week,
        "week_label": week_label(this_week, this_week),
        "memberships": known["memberships"],
        "is_peer": known["roles"][Role.PEER],
        "tiles": tiles,
        "drafts": Draft.objects.filter(author=user)[:5],  # the list reads only entry_id
        "threads": [p for p in pairs if p.is_active],
        "invitations_to_me": [p for p in pairs if p.status == "pending" and p.invitee_id == user.pk],
        "invitations_from_me": [p for p in pairs if p.status == "pending" and p.inviter_id == user.pk],
    }
    return render(request, "reflections/dashboard.html", context)
