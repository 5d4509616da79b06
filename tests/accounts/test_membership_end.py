"""Ending a team membership removes access at once: nothing is cached per person, every page,
search and notification asks the same querysets, and those ask about memberships now."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import flows as account_flows
from accounts.models import Membership, Role
from reflections.models import Entry, PeerPair, Task
from search.query import search
from training import flows as training_flows

pytestmark = pytest.mark.django_db


def found(user, text):
    prepared = search(user, text)
    return {(hit.kind.key, hit.obj.pk) for hit in prepared.hits(prepared.documents[:50])}


def remove(user, team, role):
    account_flows.remove_membership(Membership.objects.get(team=team, user=user, role=role))


def test_a_supervisor_who_is_removed_loses_the_teams_threads_at_once(client_for, journal, supervisor, team):
    Membership.objects.create(team=team, user=journal.peer, role=Role.SUPERVISOR)  # the team keeps one
    client = client_for(supervisor)
    urls = [
        reverse("reflections:thread-detail", args=[journal.pair.pk]),
        reverse("reflections:entry-detail", args=[journal.shared.pk]),
        reverse("supervision:team-detail", args=[team.pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]

    remove(supervisor, team, Role.SUPERVISOR)

    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert found(supervisor, "marigold") == set()
    assert client.get(reverse("notifications:list")).text.count('class="notice') == 0


def test_a_trainer_who_is_removed_loses_the_trainees_shared_journal_at_once(
    client_for, trainer, trainee, team
):
    cohort = training_flows.create_cohort(trainer, team, name="Spring cohort", start=dt.date(2026, 3, 2))
    training_flows.enrol(cohort, trainee)
    day = cohort.days.get(number=1)
    entry = training_flows.write_entry(
        trainee,
        day,
        {"task": Task.CONNECTION, "title": "Day one", "body": "A lantern of a first day."},
        share=True,
    )
    client = client_for(trainer)
    assert found(trainer, "lantern") == {("entry", entry.pk)}

    remove(trainer, team, Role.TRAINER)

    assert found(trainer, "lantern") == set()
    assert client.get(reverse("reflections:entry-detail", args=[entry.pk])).status_code == 404
    assert found(trainee, "lantern") == {("entry", entry.pk)}  # the journal stays the trainee's


def test_a_peer_who_leaves_the_team_stops_co_reflecting_there(client_for, journal, team):
    sam = journal.peer

    remove(sam, team, Role.PEER)

    pair = PeerPair.objects.get(pk=journal.pair.pk)
    assert pair.status == PeerPair.Status.ENDED
    # Nothing new reaches Sam: Maya can no longer share into the thread, and Sam cannot write in it.
    new = Entry.objects.create(author=journal.author, task=Task.CONNECTION, body="After.", week=journal.week)
    share = client_for(journal.author).post(
        reverse("reflections:entry-share", args=[new.pk]), {"pair": pair.pk}
    )
    assert share.status_code == 302
    assert Entry.objects.get(pk=new.pk).pair is None
    note = client_for(sam).post(
        reverse("reflections:annotation-create", args=[journal.shared.pk]), {"body": "Hi"}
    )
    assert note.status_code == 403
    # As with any ended pair, what they already shared with each other stays readable to both.
    assert client_for(sam).get(reverse("reflections:thread-detail", args=[pair.pk])).status_code == 200


def test_a_peer_who_becomes_a_trainer_ends_their_pairs_and_declines_invitations(journal, team, author):
    pending = PeerPair.objects.create(team=team, inviter=journal.peer, invitee=make_peer(team))

    account_flows.change_role(
        Membership.objects.get(team=team, user=journal.peer, role=Role.PEER), Role.TRAINER
    )

    assert PeerPair.objects.get(pk=journal.pair.pk).status == PeerPair.Status.ENDED
    assert PeerPair.objects.get(pk=pending.pk).status == PeerPair.Status.DECLINED


def test_a_second_role_leaves_pairs_alone(journal, team):
    Membership.objects.create(team=team, user=journal.peer, role=Role.TRAINER)

    remove(journal.peer, team, Role.TRAINER)

    assert PeerPair.objects.get(pk=journal.pair.pk).status == PeerPair.Status.ACTIVE


def test_the_last_supervisor_still_cannot_be_removed(journal, team, supervisor):
    with pytest.raises(ValidationError):
        remove(supervisor, team, Role.SUPERVISOR)


def make_peer(team):
    from tests.conftest import make_person

    person = make_person("jordan.ellis@riverside.example.org", "Jordan Ellis")
    Membership.objects.create(team=team, user=person, role=Role.PEER)
    return person
