"""Leaving: deleting a person's account and everything they wrote.

What goes: the account, its sign-in methods and sessions, and everything the person wrote —
reflections with their earlier versions and drafts, notes and replies (on their own and on others'
reflections), review notes, the training journal — plus their memberships and pairs, their
notifications, their exports. Writing that only exists as a response to theirs goes with it: notes
and replies others wrote on their reflections, replies others wrote under their notes, trainers'
feedback on their training journal and replies under feedback they gave.

What stays: everyone else's own writing. A peer's reflections shared into a thread with the person
become private to the peer again (the thread closes with the account); nothing of theirs is
deleted.

Every row that refers to the person either goes with them (CASCADE) or forgets them (SET_NULL);
tests/accounts/test_erasure.py walks every foreign key in the app registry to prove it.
"""

from allauth.usersessions.models import UserSession
from django.db import transaction
from django.db.models import Q

from reflections.models import Annotation, Entry, PeerPair, Reply
from search import registry
from training.models import Feedback, FeedbackReply

from .export import delete_files
from .models import Membership, Role, Team


def summary(user):
    """What deleting the account would remove, and what stays, for the confirmation page."""
    writing = [(kind, kind.authored(user).count()) for kind in registry.kinds()]
    pairs = list(
        PeerPair.objects.for_member(user)
        .filter(status__in=[PeerPair.Status.ACTIVE, PeerPair.Status.ENDED])
        .select_related("inviter", "invitee")
    )
    others_responses = (
        Annotation.objects.filter(entry__author=user).exclude(author=user).count()
        + Reply.objects.filter(Q(annotation__entry__author=user) | Q(annotation__author=user))
        .exclude(author=user)
        .count()
    )
    sole_supervisor_of = [
        team
        for team in Team.objects.supervised_by(user).order_by("name")
        if not Membership.objects.filter(team=team, role=Role.SUPERVISOR).exclude(user=user).exists()
    ]
    return {
        "writing": [kind.count_label(count) for kind, count in writing if count],
        "wrote_nothing": not any(count for _kind, count in writing),
        "peers": [pair.other(user) for pair in pairs],
        "others_responses": others_responses,
        "training_responses": _training_responses(user),
        "sole_supervisor_of": sole_supervisor_of,
    }


def _training_responses(user):
    """Trainers' feedback on the person's training journal, and replies others wrote under it or
    under feedback the person gave: deleted with them (CASCADE), as they answer their writing."""
    return (
        Feedback.objects.filter(entry__entry__author=user).exclude(author=user).count()
        + FeedbackReply.objects.filter(Q(feedback__entry__entry__author=user) | Q(feedback__author=user))
        .exclude(author=user)
        .count()
    )


@transaction.atomic
def erase(user):
    """Delete the person and everything they wrote; end every session they have anywhere."""
    pairs = PeerPair.objects.for_member(user)
    # The peers' own reflections in these threads stay theirs, private again.
    Entry.objects.filter(pair__in=pairs.values("pk")).exclude(author=user).update(pair=None, shared=None)
    exports = list(user.exports.all())
    for session in UserSession.objects.filter(user=user):
        session.end()
    user.delete()
    transaction.on_commit(lambda: delete_files(exports))
