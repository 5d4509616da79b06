"""Who may open what: the access table in tests/access.py, run for every persona, and its gate."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.context_processors import navigation_of
from accounts.models import Role
from reflections.models import Annotation, Entry, PeerPair
from tests import access
from tests.access import LOGIN, LOGIN_KEEPING_TEXT, NO_ROW_YET, PUBLIC, SIGNS_IN_ITSELF, STAFF, TABLE
from training.models import Cohort


@pytest.fixture
def scenario(team, other_team, author, peer, supervisor, other_supervisor, trainer, trainee, stranger):
    return access.build_scenario(
        team=team,
        other_team=other_team,
        author=author,
        peer=peer,
        supervisor=supervisor,
        other_supervisor=other_supervisor,
        trainer=trainer,
        trainee=trainee,
        stranger=stranger,
    )


CASES = [
    pytest.param(row, method, persona, id=f"{row.id}-{method}-{persona}")
    for row in TABLE
    for method, outcomes in row.methods().items()
    for persona in outcomes
]


@pytest.mark.parametrize(("row", "method", "persona"), CASES)
def test_access(row, method, persona, scenario, client_for):
    outcome = row.methods()[method][persona]
    client = client_for(scenario.user(persona))
    before = access.snapshot()

    url, response = row.send(client, method, scenario)

    access.check(outcome, response, url, scenario, client)
    leaked = access.leaks(scenario, persona, response)
    assert not leaked, f"shows {persona} writing they may not read: {leaked}"
    changed = access.changed(before, access.snapshot())
    if outcome.writes:
        assert changed, "this request should have changed data: is the payload realistic?"
    else:
        # A permitted read may record that it happened (READ); nothing else changes.
        unexpected = [label for label in changed if label not in outcome.records]
        assert not unexpected, f"refused or read-only, yet changed {unexpected}"


def test_every_url_pattern_is_in_the_access_table():
    """The gate: a new URL pattern needs a row in tests/access.py TABLE before the suite passes."""
    in_table = {row.name for row in TABLE}
    missing = sorted(
        f"{key}  ({'' if key == route else route + ' '}→ {view.__module__}.{view.__name__})"
        for key, route, view in access.walk_urlconf()
        if key not in in_table and key not in NO_ROW_YET
    )
    assert not missing, (
        "These URL patterns have no row in the access table (tests/access.py, TABLE); "
        "add one saying what each persona gets:\n  " + "\n  ".join(missing)
    )


def test_the_access_table_names_only_existing_url_patterns():
    patterns = {key for key, _route, _view in access.walk_urlconf()}
    stale = sorted({row.name for row in TABLE} - patterns)
    assert not stale, "Rows for URL patterns that no longer exist:\n  " + "\n  ".join(stale)


def test_the_list_of_patterns_without_rows_only_shrinks():
    patterns = {key for key, _route, _view in access.walk_urlconf()}
    covered = sorted(NO_ROW_YET & {row.name for row in TABLE})
    gone = sorted(NO_ROW_YET - patterns)
    assert not covered, f"These have rows now: take them out of NO_ROW_YET: {covered}"
    assert not gone, f"These no longer exist: take them out of NO_ROW_YET: {gone}"


def test_every_row_states_an_outcome_for_every_persona_it_must():
    problems = []
    for row in TABLE:
        if not row.methods():
            problems.append(f"{row.id}: tries neither GET nor POST")
        third_party = row.name.startswith(("account_", "mfa_", "usersessions_", "admin"))
        for method, outcomes in row.methods().items():
            personas = set(outcomes)
            required = {"anonymous", "stranger"} if third_party else set(access.PERSONAS)
            if not required <= personas:
                problems.append(f"{row.id} {method}: no outcome for {sorted(required - personas)}")
            if not personas <= set(access.ALL_PERSONAS):
                problems.append(
                    f"{row.id} {method}: unknown persona(s) {sorted(personas - set(access.ALL_PERSONAS))}"
                )
    ids = [row.id for row in TABLE]
    problems += [f"{row_id}: more than one row" for row_id in sorted({i for i in ids if ids.count(i) > 1})]
    assert not problems, "\n".join(problems)


def test_only_the_public_pages_are_open_without_signing_in():
    """LoginRequiredMiddleware guards every view that is not explicitly marked public."""
    marked = {key for key, _route, view in access.walk_urlconf() if not getattr(view, "login_required", True)}
    expected = PUBLIC | SIGNS_IN_ITSELF
    assert marked == expected, (
        f"marked login_not_required but not listed in PUBLIC: {sorted(marked - expected)}; "
        f"listed in PUBLIC but behind sign-in: {sorted(expected - marked)}"
    )


def test_every_page_but_the_public_ones_sends_anonymous_people_to_sign_in(scenario, client_for):
    anonymous = client_for(None)
    rows = {}
    for row in TABLE:
        rows.setdefault(row.name, row)
    wrong = []
    for key, route, _view in access.walk_urlconf():
        if key in PUBLIC:
            continue
        if key in rows:
            url, response = rows[key].send(anonymous, "GET", scenario)
        elif key in NO_ROW_YET:
            url = access.made_up_path(route)
            response = anonymous.get(url)
        else:
            continue  # no row: the gate above reports it
        try:
            access.check(LOGIN, response, url, scenario, anonymous)
        except AssertionError as error:
            wrong.append(f"{key} ({url}): {error}")
    for row in TABLE:
        for method, outcomes in row.methods().items():
            if row.name in SIGNS_IN_ITSELF and method == "POST":
                # A save sent after the session ended keeps its text and comes back to it.
                if outcomes.get("anonymous") != LOGIN_KEEPING_TEXT:
                    wrong.append(f"{row.id} {method}: expected LOGIN_KEEPING_TEXT for anonymous")
                continue
            if row.name not in PUBLIC and outcomes.get("anonymous") != LOGIN:
                wrong.append(
                    f"{row.id} {method}: the table expects {outcomes.get('anonymous')} for anonymous"
                )
    assert not wrong, "\n".join(wrong)


def test_the_search_for_writing_finds_it_where_it_may_be_read(scenario, client_for):
    """The control for test_access's search: each phrase of the co-reflection world shows on a
    page one of its readers opens, so not finding it anywhere else means something."""
    w = scenario

    def entry(attr):
        return reverse("reflections:entry-detail", args=[getattr(w, attr).pk])

    def thread(attr):
        return reverse("reflections:thread-detail", args=[getattr(w, attr).pk])

    pages = {
        "author": [
            entry("entry"),
            entry("fresh_entry"),
            entry("private_entry"),
            entry("ended_entry"),
            reverse("reflections:entry-create") + f"?draft={w.draft.pk}",
            reverse("reflections:pair-list"),
        ],
        "peer": [thread("pair")],
        "other_supervisor": [entry("other_entry"), thread("other_pair")],
    }
    shown = ""
    for persona, urls in pages.items():
        client = client_for(w.user(persona))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            shown += response.content.decode()
    assert [phrase for phrase in w.co_reflection_writing if phrase not in shown] == []


def test_snapshot_notices_a_changed_value(scenario):
    before = access.snapshot()
    scenario.peer_membership.role = "trainer"
    scenario.peer_membership.save(update_fields=["role"])
    assert access.changed(before, access.snapshot()) == ["accounts.Membership"]


# --- The Django admin ---


def test_the_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query) == {"next": ["/admin/login/"]}


def test_a_signed_in_person_who_is_not_staff_cannot_use_the_admin_login(client_for, stranger):
    response = client_for(stranger).get("/admin/login/")

    assert response.status_code == 403


def test_a_staff_member_can_open_the_admin(scenario, client_for):
    response = client_for(scenario.user(STAFF)).get(reverse("admin:index"))

    assert response.status_code == 200
    assert "IPS Journal administration" in response.text
    assert "Teams" in response.text and "Invitations" in response.text


# --- The request's memberships narrow the access queries, never what they let through ----------

SIGNED_IN = [persona for persona in access.ALL_PERSONAS if persona != "anonymous"]


def _as_on_a_page(user):
    """The same person as a page's request sees them: memberships looked up once
    (accounts.middleware.RequestMembershipsMiddleware)."""
    on_page = type(user).objects.get(pk=user.pk)
    on_page.request_memberships = navigation_of(on_page)
    return on_page


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_the_access_querysets_answer_the_same_with_the_request_memberships(scenario, persona):
    """Pages leave out of the access queries what the person's roles cannot reach; the answer
    must be exactly the one the full queries give (which forms and tests use)."""
    user = scenario.user(persona)
    on_page = _as_on_a_page(user)
    for manager, look_up in [
        (Entry.objects, "visible_to"),
        (PeerPair.objects, "threads_for"),
        (Annotation.objects, "visible_to"),
        (Cohort.objects, "for_trainer"),
    ]:
        full = set(getattr(manager, look_up)(user).values_list("pk", flat=True))
        narrowed = set(getattr(manager, look_up)(on_page).values_list("pk", flat=True))
        assert narrowed == full, f"{manager.model.__name__}.{look_up} differs for {persona}"


def test_a_peer_workers_page_asks_nothing_of_roles_they_do_not_hold(scenario, client_for):
    """A peer worker only: their entry page's access query neither looks for teams they
    supervise nor for cohorts they train (the navigation's lookup said they have none)."""
    assert set(scenario.peer.memberships.values_list("role", flat=True)) == {Role.PEER}
    client = client_for(scenario.peer)
    url = reverse("reflections:entry-detail", args=[scenario.entry.pk])
    client.get(url)  # the first request records the session's activity
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    entry_query = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "reflections_entry"'))
    assert "accounts_membership" not in entry_query
    assert "training_cohortmember" not in entry_query  # the cohorts one trains


def test_a_peer_workers_note_asks_nothing_of_roles_they_do_not_hold(scenario, client_for):
    """A form's POST knows the person's memberships too (one small lookup): the access query of
    the peer's new note neither looks for teams they supervise nor for cohorts they train."""
    client = client_for(scenario.peer)
    url = reverse("reflections:annotation-create", args=[scenario.entry.pk])
    client.get(reverse("reflections:dashboard"))  # the first request records the session's activity
    body = "Reading this I noticed I went quiet too when the plan changed."
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, {"body": body}).status_code == 302
    assert scenario.entry.annotations.filter(author=scenario.peer, body=body).exists()
    entry_query = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "reflections_entry"'))
    assert "accounts_membership" not in entry_query
    assert "training_cohortmember" not in entry_query


def test_a_supervisors_page_names_the_teams_they_supervise(scenario, client_for):
    """Rosa supervises Riverside: the thread's access query names that team by id, and still
    lets her read the thread (and not Harbour Street's)."""
    client = client_for(scenario.supervisor)
    url = reverse("reflections:thread-detail", args=[scenario.pair.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    pair_query = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "reflections_peerpair"'))
    assert "accounts_membership" not in pair_query
    assert f'"team_id" IN ({scenario.team.pk})' in pair_query
    other = reverse("reflections:thread-detail", args=[scenario.other_pair.pk])
    assert client.get(other).status_code == 404
