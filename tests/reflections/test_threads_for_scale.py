"""`PeerPair.objects.threads_for(user)` — the heart of who may read a thread or an entry — stays
an index lookup as the organisation grows (issue 7: with a join through memberships OR-ed with the
pair's own members, PostgreSQL visited every pair of every team: 48 ms per entry page with 5,000
pairs, 0.6 ms after)."""

from accounts.models import Membership, Role
from reflections.models import PeerPair
from tests.conftest import make_person


def test_it_gives_my_pairs_and_my_supervised_teams_pairs_once_each(
    pair, author, peer, supervisor, other_supervisor, stranger, team, other_team
):
    # A supervisor who is also a peer in the team, and a second supervisor role elsewhere.
    Membership.objects.create(team=team, user=supervisor, role=Role.PEER)
    third = make_person("kai.ito@riverside.example.org", "Kai Ito")
    Membership.objects.create(team=team, user=third, role=Role.PEER)
    own = PeerPair.objects.create(team=team, inviter=supervisor, invitee=third, status="active")
    elsewhere_a = make_person("noor.haddad@harbourstreet.example.org", "Noor Haddad")
    elsewhere_b = make_person("emil.berg@harbourstreet.example.org", "Emil Berg")
    elsewhere = PeerPair.objects.create(
        team=other_team, inviter=elsewhere_a, invitee=elsewhere_b, status="ended"
    )
    PeerPair.objects.create(team=team, inviter=author, invitee=third, status="pending")

    def ids(user):
        found = list(PeerPair.objects.threads_for(user).values_list("pk", flat=True))
        assert len(found) == len(set(found))  # no duplicates, without DISTINCT
        return set(found)

    assert ids(author) == {pair.pk}
    assert ids(peer) == {pair.pk}
    assert ids(supervisor) == {pair.pk, own.pk}
    assert ids(other_supervisor) == {elsewhere.pk}
    assert ids(stranger) == set()


def test_it_looks_up_supervised_teams_in_a_subquery_not_a_join(supervisor):
    sql = str(PeerPair.objects.threads_for(supervisor).query)
    assert "JOIN" not in sql.upper()
    assert "DISTINCT" not in sql.upper()
