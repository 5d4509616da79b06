"""Peer pairs: inviting a team mate, answering, ending; an ended thread stays readable, closed."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from reflections.models import Annotation, Entry, PeerPair, Reply, Task
from reflections.weeks import current_week
from tests.conftest import make_person
from tests.reflections.conftest import PASSAGE, add_note, selectors

INVITE = reverse("reflections:pair-invite")
PAIRS = reverse("reflections:pair-list")


def respond_url(pair):
    return reverse("reflections:pair-respond", args=[pair.pk])


def end_url(pair):
    return reverse("reflections:pair-end", args=[pair.pk])


def membership(user, team):
    return Membership.objects.get(user=user, team=team)


@pytest.fixture
def harbour_peer(other_team):
    user = make_person("kofi.asante@harbourstreet.example.org", "Kofi Asante")
    Membership.objects.create(team=other_team, user=user, role=Role.PEER)
    return user


@pytest.fixture
def jordan(team):
    user = make_person("jordan.ellis@riverside.example.org", "Jordan Ellis")
    Membership.objects.create(team=team, user=user, role=Role.PEER)
    return user


# Inviting ---------------------------------------------------------------------------------------
def test_it_offers_only_peer_workers_of_the_same_team(
    client_for, author, peer, jordan, supervisor, trainer, trainee, harbour_peer
):
    response = client_for(author).get(PAIRS)
    choices = {m.user for m in response.context["form"].fields["invitee"].queryset}
    assert choices == {peer, jordan}
    html = response.content.decode()
    assert "Sam Lindqvist" in html
    assert "Kofi Asante" not in html
    assert "Rosa Delgado" not in html


def test_it_invites_a_team_mate(client_for, author, peer, team):
    c = client_for(author)
    response = c.post(INVITE, {"invitee": membership(peer, team).pk, "message": "Thursdays after handover?"})
    assert response.status_code == 302
    pair = PeerPair.objects.get()
    assert (pair.inviter, pair.invitee, pair.team, pair.status) == (author, peer, team, "pending")
    assert pair.message == "Thursdays after handover?"
    page = c.get(response.url).content.decode()
    assert "Your invitation to co-reflect is with Sam Lindqvist" in page
    assert "Waiting for an answer from:" in page


def test_both_people_see_a_pending_invitation(client_for, author, peer, team):
    client_for(author).post(INVITE, {"invitee": membership(peer, team).pk})
    for url in [PAIRS, reverse("reflections:dashboard")]:
        assert "would like to co-reflect with you" in client_for(peer).get(url).content.decode()
        assert "Waiting for an answer from:" in client_for(author).get(url).content.decode()


def test_it_refuses_a_member_of_another_team_clearly(client_for, author, peer, harbour_peer, other_team):
    response = client_for(author).post(
        INVITE, {"invitee": membership(harbour_peer, other_team).pk, "message": "Shall we?"}
    )
    assert response.status_code == 400
    assert "You can pair only with a peer worker of your own team." in response.content.decode()
    assert "Shall we?" in response.content.decode()  # what they typed is kept
    assert not PeerPair.objects.exists()


def test_it_says_why_even_when_nobody_in_the_team_can_pair(client_for, author, harbour_peer, other_team):
    response = client_for(author).post(INVITE, {"invitee": membership(harbour_peer, other_team).pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert "You can pair only with a peer worker of your own team." in html
    assert "There is nobody to pair with yet" in html
    assert not PeerPair.objects.exists()


def test_it_refuses_a_supervisor_of_the_same_team(client_for, author, peer, supervisor, team):
    response = client_for(author).post(INVITE, {"invitee": membership(supervisor, team).pk})
    assert response.status_code == 400
    assert "You can pair only with a peer worker of your own team." in response.content.decode()
    assert not PeerPair.objects.exists()


@pytest.mark.parametrize("invitee", ["", "not-a-number", "999999"])
def test_it_refuses_a_missing_or_unknown_invitee(client_for, author, invitee):
    response = client_for(author).post(INVITE, {"invitee": invitee})
    assert response.status_code == 400
    assert not PeerPair.objects.exists()


def test_a_supervisor_cannot_invite_anyone(client_for, supervisor, peer, team):
    response = client_for(supervisor).post(INVITE, {"invitee": membership(peer, team).pk})
    assert response.status_code == 400
    assert not PeerPair.objects.exists()


def test_it_refuses_a_too_long_invitation_message(client_for, author, peer, team):
    response = client_for(author).post(INVITE, {"invitee": membership(peer, team).pk, "message": "x" * 1001})
    assert response.status_code == 400
    assert not PeerPair.objects.exists()


def test_it_escapes_the_invitation_message(client_for, author, peer, team):
    client_for(author).post(
        INVITE, {"invitee": membership(peer, team).pk, "message": "<script>alert(1)</script>"}
    )
    html = client_for(peer).get(PAIRS).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("status", ["pending", "active"])
@pytest.mark.parametrize("direction", ["same", "reverse"])
def test_it_refuses_a_second_open_pair_in_either_direction(client_for, author, peer, team, status, direction):
    PeerPair.objects.create(team=team, inviter=author, invitee=peer, status=status)
    inviter, invitee = (author, peer) if direction == "same" else (peer, author)
    response = client_for(inviter).post(INVITE, {"invitee": membership(invitee, team).pk})
    assert response.status_code == 400
    assert "already have a pair or an open invitation" in response.content.decode()
    assert PeerPair.objects.count() == 1


@pytest.mark.parametrize("status", ["declined", "ended"])
def test_it_allows_a_new_invitation_after_a_declined_or_ended_pair(client_for, author, peer, team, status):
    PeerPair.objects.create(team=team, inviter=author, invitee=peer, status=status)
    response = client_for(peer).post(INVITE, {"invitee": membership(author, team).pk})
    assert response.status_code == 302
    assert PeerPair.objects.filter(status="pending", inviter=peer, invitee=author).exists()


def test_a_person_can_be_in_several_pairs(client_for, author, peer, jordan, team, pair):
    response = client_for(author).post(INVITE, {"invitee": membership(jordan, team).pk})
    assert response.status_code == 302
    assert PeerPair.objects.for_member(author).count() == 2


# Answering --------------------------------------------------------------------------------------
@pytest.fixture
def invitation(author, peer, team):
    return PeerPair.objects.create(team=team, inviter=author, invitee=peer, message="Thursdays?")


def test_the_invitee_accepts_and_the_thread_opens(client_for, peer, invitation):
    response = client_for(peer).post(respond_url(invitation), {"answer": "accept"})
    assert response.status_code == 302
    assert response.url == reverse("reflections:thread-detail", args=[invitation.pk])
    invitation.refresh_from_db()
    assert invitation.status == "active"
    assert invitation.responded is not None


def test_the_invitee_declines(client_for, peer, invitation):
    response = client_for(peer).post(respond_url(invitation), {"answer": "decline"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "declined"


@pytest.mark.parametrize("answer", [None, "", "maybe"])
def test_an_unclear_answer_changes_nothing(client_for, peer, invitation, answer):
    data = {} if answer is None else {"answer": answer}
    response = client_for(peer).post(respond_url(invitation), data, follow=True)
    assert "Choose to accept or decline the invitation." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


@pytest.mark.parametrize("persona", ["author", "supervisor", "other_supervisor", "stranger", "trainee"])
def test_only_the_invitee_can_answer(request, client_for, invitation, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(respond_url(invitation), {"answer": "accept"})
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_an_answered_invitation_cannot_be_answered_again(client_for, peer, invitation):
    client_for(peer).post(respond_url(invitation), {"answer": "decline"})
    response = client_for(peer).post(respond_url(invitation), {"answer": "accept"})
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "declined"


def test_answering_takes_post_only(client_for, peer, invitation):
    assert client_for(peer).get(respond_url(invitation)).status_code == 405


# Ending -----------------------------------------------------------------------------------------
def test_ending_asks_for_confirmation_first(client_for, author, pair):
    response = client_for(author).get(end_url(pair))
    assert response.status_code == 200
    html = response.content.decode()
    assert "End your pair with Sam Lindqvist?" in html
    assert "stays readable to both of you" in html
    pair.refresh_from_db()
    assert pair.status == "active"


@pytest.mark.parametrize("persona", ["author", "peer"])
def test_either_peer_ends_the_pair(request, client_for, pair, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(end_url(pair))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.status, pair.ended_by) == ("ended", user)
    assert pair.ended is not None


@pytest.mark.parametrize("persona", ["supervisor", "other_supervisor", "stranger"])
def test_nobody_else_can_end_a_pair(request, client_for, pair, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(end_url(pair)).status_code == 404
    assert client_for(user).post(end_url(pair)).status_code == 404
    pair.refresh_from_db()
    assert pair.status == "active"


def test_an_ended_pair_cannot_be_ended_again(client_for, author, pair):
    client_for(author).post(end_url(pair))
    assert client_for(author).post(end_url(pair)).status_code == 404


@pytest.fixture
def ended_pair(pair, shared_entry, peer, author):
    note = add_note(shared_entry, peer, PASSAGE, "This stayed with me.")
    Reply(annotation=note, author=author, body="Me too.").save()
    pair.status = PeerPair.Status.ENDED
    pair.ended_by = author
    pair.save()
    return pair


@pytest.mark.parametrize("persona", ["author", "peer", "supervisor"])
def test_an_ended_thread_stays_readable(request, client_for, ended_pair, shared_entry, persona):
    c = client_for(request.getfixturevalue(persona))
    thread = c.get(reverse("reflections:thread-detail", args=[ended_pair.pk]))
    assert thread.status_code == 200
    assert "This pair has ended" in thread.content.decode()
    assert "The kettle conversation" in thread.content.decode()
    entry = c.get(reverse("reflections:entry-detail", args=[shared_entry.pk]))
    assert entry.status_code == 200
    html = entry.content.decode()
    assert "This stayed with me." in html
    assert 'id="note-form"' not in html  # no annotate form
    assert "Mark resolved" not in html


def test_an_ended_thread_takes_no_new_notes_replies_or_resolutions(
    client_for, ended_pair, shared_entry, peer
):
    c = client_for(peer)
    note = Annotation.objects.get()
    create = c.post(
        reverse("reflections:annotation-create", args=[shared_entry.pk]),
        {"body": "One more thought.", **selectors(shared_entry, PASSAGE)},
    )
    reply = c.post(reverse("reflections:reply-create", args=[note.pk]), {"body": "And another."})
    resolve = c.post(reverse("reflections:annotation-resolve", args=[note.pk]))
    edit = c.post(reverse("reflections:annotation-edit", args=[note.pk]), {"body": "Changed."})
    delete = c.post(reverse("reflections:annotation-delete", args=[note.pk]))
    assert [r.status_code for r in [create, reply, resolve, edit, delete]] == [403] * 5
    assert Annotation.objects.count() == 1
    assert Reply.objects.count() == 1
    note.refresh_from_db()
    assert (note.body, note.resolved) == ("This stayed with me.", None)


def test_nothing_new_can_be_shared_into_an_ended_thread(client_for, ended_pair, author):
    entry = Entry.objects.create(
        author=author, task=Task.MUTUALITY, body="What I learned from J.", week=current_week(author)
    )
    response = client_for(author).post(
        reverse("reflections:entry-share", args=[entry.pk]), {"pair": ended_pair.pk}, follow=True
    )
    assert "Choose one of your active co-reflection pairs." in response.content.decode()
    entry.refresh_from_db()
    assert entry.pair is None
    entry_page = client_for(author).get(reverse("reflections:entry-detail", args=[entry.pk]))
    assert "To share, first pair with a peer." in entry_page.content.decode()


def test_an_ended_pair_is_listed_with_its_thread(client_for, ended_pair, peer):
    html = client_for(peer).get(PAIRS).content.decode()
    assert "Ended pairs" in html
    assert reverse("reflections:thread-detail", args=[ended_pair.pk]) in html
