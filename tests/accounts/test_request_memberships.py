"""A request looks up the signed-in person's memberships once, for the navigation and the access
queries alike (accounts.middleware.RequestMembershipsMiddleware)."""

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.functional import empty

from accounts.context_processors import navigation
from accounts.middleware import RequestMembershipsMiddleware
from accounts.models import Membership, Role, known_teams


def _through_middleware(user, method="get"):
    request = getattr(RequestFactory(), method)("/")
    request.user = user
    RequestMembershipsMiddleware(lambda request: None)(request)
    return request


def test_a_page_knows_the_teams_of_each_role(team, other_team, supervisor):
    Membership.objects.create(team=other_team, user=supervisor, role=Role.PEER)
    request = _through_middleware(supervisor)

    assert known_teams(request.user, Role.SUPERVISOR) == [team.pk]
    assert known_teams(request.user, Role.PEER) == [other_team.pk]
    assert known_teams(request.user, Role.TRAINER) == []


def test_a_form_post_looks_them_up_only_when_its_access_query_asks(
    supervisor, team, django_assert_num_queries
):
    """A POST answered with a redirect renders no navigation, and still pays one small lookup
    when it checks access: cheaper than building the access query's two subqueries."""
    with django_assert_num_queries(0):
        request = _through_middleware(supervisor, "post")
    assert request.user.request_memberships._wrapped is empty
    with django_assert_num_queries(1):
        assert known_teams(request.user, Role.SUPERVISOR) == [team.pk]
        assert known_teams(request.user, Role.TRAINER) == []


def test_the_navigation_does_not_run_the_lookup_until_the_page_shows_it(
    supervisor, django_assert_num_queries
):
    request = _through_middleware(supervisor)

    with django_assert_num_queries(0):
        context = navigation(request)
    assert request.user.request_memberships._wrapped is empty
    with django_assert_num_queries(1):
        assert context["my_roles"]["supervisor"] and context["unread_notifications"] == 0
        assert known_teams(request.user, Role.SUPERVISOR)


def test_an_entry_page_asks_for_the_memberships_once(client_for, team, author, peer, trainer):
    """The thread's access query and the navigation share one lookup, for a trainer too."""
    from reflections.models import Entry, PeerPair, Task
    from reflections.weeks import current_week

    Membership.objects.create(team=team, user=trainer, role=Role.PEER)
    pair = PeerPair.objects.create(team=team, inviter=author, invitee=trainer, status=PeerPair.Status.ACTIVE)
    entry = Entry.objects.create(
        author=author,
        task=Task.MUTUALITY,
        title="Sharing the planning",
        body="We planned the group together this time, and Sam said so out loud.",
        week=current_week(author),
        pair=pair,
    )
    client = client_for(trainer)
    url = reverse("reflections:entry-detail", args=[entry.pk])
    client.get(url)  # the first request records the session's activity

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert "Sharing the planning" in response.text
    lookups = [q["sql"] for q in queries if 'LEFT JOIN "accounts_membership" m ON' in q["sql"]]
    assert len(lookups) == 1
    entry_query = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "reflections_entry"'))
    assert "accounts_membership" not in entry_query  # the teams came from the lookup
