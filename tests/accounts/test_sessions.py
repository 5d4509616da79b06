"""How long a sign-in lasts, and whose clock the pages show.

A session ends after SESSION_IDLE_MINUTES without a request (the cookie's age, renewed by activity
at most once a minute) and in any case SESSION_MAX_HOURS after sign-in (SessionLifetimeMiddleware), so a journal
left open on a shared computer at a peer respite does not stay open.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import ips_journal.settings as project_settings
from accounts.middleware import ACTIVE_AT, SIGNED_IN_AT, UserTimezoneMiddleware
from accounts.models import Invitation, Role, hash_token
from tests.conftest import PASSWORD

HOUR = 3600


@pytest.fixture(autouse=True)
def _shipped_session_limits(settings):
    """The defaults a fresh install has (tests/test_settings.py checks they are the defaults)."""
    settings.SESSION_MAX_HOURS = 12
    settings.SESSION_IDLE_MINUTES = 30
    settings.SESSION_COOKIE_AGE = 30 * 60


def signed_in(client, seconds_ago):
    """Pretend the client's sign-in happened that many seconds ago."""
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - seconds_ago
    session.save()


# --- absolute lifetime ------------------------------------------------------------------------------


def test_it_records_when_a_person_signed_in(client, author):
    before = int(time.time())
    response = client.post(reverse("account_login"), {"login": author.email, "password": PASSWORD})
    assert response.status_code == 302
    client.get(reverse("reflections:dashboard"))
    assert before <= client.session[SIGNED_IN_AT] <= int(time.time())


def test_it_keeps_a_long_working_day_signed_in(client_for, author):
    client = client_for(author)
    signed_in(client, 11 * HOUR + 50 * 60)
    response = client.get(reverse("accounts:team-list"))
    assert response.status_code == 200
    assert client.session[SESSION_KEY] == str(author.pk)


def test_it_signs_out_after_the_absolute_lifetime(client_for, author):
    client = client_for(author)
    signed_in(client, 12 * HOUR + 60)

    response = client.get(reverse("accounts:team-list") + "?tab=mine")

    login = reverse("account_login")
    assert response.status_code == 302
    assert response.url == f"{login}?next=/teams/%3Ftab%3Dmine"
    assert SESSION_KEY not in client.session
    assert SIGNED_IN_AT not in client.session

    page = client.get(response.url)
    assert page.status_code == 200
    assert "You were signed out after a long session" in page.text
    # Signed out for good: the next page asks for a sign-in again.
    assert client.get(reverse("reflections:dashboard")).status_code == 302


def test_activity_does_not_extend_the_absolute_lifetime(client_for, peer):
    client = client_for(peer)
    signed_in(client, 12 * HOUR - 30)
    assert client.get(reverse("reflections:dashboard")).status_code == 200
    # Staying active refreshes the idle timeout, never the sign-in time.
    session = client.session
    assert session[SIGNED_IN_AT] <= int(time.time()) - 12 * HOUR + 30
    session[SIGNED_IN_AT] -= 60
    session.save()
    assert client.get(reverse("reflections:dashboard")).status_code == 302


def test_it_follows_the_configured_lifetime(client_for, supervisor, settings):
    settings.SESSION_MAX_HOURS = 2
    client = client_for(supervisor)
    signed_in(client, 2 * HOUR + 1)
    response = client.get(reverse("reflections:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You were signed out after a long session. Please sign in again."
    ]


@pytest.mark.django_db
def test_it_leaves_anonymous_visitors_alone(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert SIGNED_IN_AT not in client.session


def test_signing_in_again_starts_a_new_lifetime(client, author):
    client.post(reverse("account_login"), {"login": author.email, "password": PASSWORD})
    signed_in(client, 13 * HOUR)
    client.get(reverse("reflections:dashboard"))

    response = client.post(reverse("account_login"), {"login": author.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("reflections:dashboard")).status_code == 200
    assert client.session[SIGNED_IN_AT] >= int(time.time()) - 5


# --- idle timeout -----------------------------------------------------------------------------------


def test_idle_timeout_is_the_cookie_age_renewed_by_activity():
    assert project_settings.SESSION_COOKIE_AGE == project_settings.SESSION_IDLE_MINUTES * 60
    # Renewed by SessionLifetimeMiddleware at most once a minute, not by a write on every request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert project_settings.SESSION_ACTIVITY_SECONDS == 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False


def test_a_request_pushes_the_idle_deadline_forward(client_for, trainee):
    client = client_for(trainee)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=2))

    response = client.get(reverse("reflections:dashboard"))

    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    expires = Session.objects.get(session_key=key).expire_date
    assert timedelta(minutes=29) < expires - timezone.now() <= timedelta(minutes=30)


def active_seconds_ago(client, seconds):
    session = client.session
    session[ACTIVE_AT] = int(time.time()) - seconds
    session.save()


def test_requests_within_a_minute_write_nothing(client_for, peer):
    """Reading a thread page after page costs no session write and no device bookkeeping."""
    client = client_for(peer)
    url = reverse("accounts:profile")
    client.get(url)
    key = client.session.session_key
    expires = Session.objects.get(session_key=key).expire_date

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not [q for q in captured if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert Session.objects.get(session_key=key).expire_date == expires


def test_activity_after_a_minute_renews_the_deadline_and_the_device_list(client_for, peer):
    client = client_for(peer)
    client.get(reverse("accounts:profile"), headers={"user-agent": "Firefox on the office laptop"})
    key = client.session.session_key
    device = UserSession.objects.get(session_key=key)
    UserSession.objects.filter(pk=device.pk).update(last_seen_at=timezone.now() - timedelta(minutes=5))
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=25))
    active_seconds_ago(client, 61)

    response = client.get(reverse("accounts:profile"), headers={"user-agent": "Firefox on the office laptop"})

    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    expires = Session.objects.get(session_key=key).expire_date
    assert timedelta(minutes=29) < expires - timezone.now() <= timedelta(minutes=30)
    device.refresh_from_db()
    assert timezone.now() - device.last_seen_at < timedelta(seconds=30)
    assert device.user_agent == "Firefox on the office laptop"


def test_the_idle_limit_holds_to_within_the_activity_interval(client_for, peer):
    """Thirty minutes after the last recorded activity the session is gone, even if a request
    came in during the minute after that record (it did not renew the deadline)."""
    client = client_for(peer)
    client.get(reverse("accounts:profile"))
    key = client.session.session_key
    active_seconds_ago(client, 30)
    client.get(reverse("accounts:profile"))  # within the minute: no renewal
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_idle_session_has_ended(client_for, trainer):
    client = client_for(trainer)
    key = client.session.session_key
    # Thirty-one minutes without a request: the stored session expired a minute ago.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(minutes=1))

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={reverse('accounts:profile')}"


# --- time zones -------------------------------------------------------------------------------------


def render_now(user, when):
    """Run a request for that user through the middleware; render the time as a page would."""
    template = engines["django"].from_string('{{ when|date:"j F Y, H:i" }} ({{ zone }})')

    def view(request):
        return HttpResponse(template.render({"when": when, "zone": timezone.get_current_timezone_name()}))

    request = RequestFactory().get("/")
    request.user = user
    return UserTimezoneMiddleware(view)(request).content.decode()


# Thursday 14 March 2030, 23:30 UTC: already Friday in Auckland, still evening in London and Vancouver.
LATE_EVENING = datetime(2030, 3, 14, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Pacific/Auckland", "15 March 2030, 12:30 (Pacific/Auckland)"),
        ("Europe/London", "14 March 2030, 23:30 (Europe/London)"),
        ("America/Vancouver", "14 March 2030, 16:30 (America/Vancouver)"),
    ],
)
def test_times_render_in_the_persons_own_time_zone(author, zone, shown):
    author.time_zone = zone
    author.save(update_fields=["time_zone"])
    assert render_now(author, LATE_EVENING) == shown


@pytest.mark.django_db
def test_anonymous_visitors_see_utc_even_after_someone_elses_request(author):
    from django.contrib.auth.models import AnonymousUser

    author.time_zone = "Pacific/Auckland"
    render_now(author, LATE_EVENING)
    assert render_now(AnonymousUser(), LATE_EVENING) == "14 March 2030, 23:30 (UTC)"


def test_an_unknown_stored_zone_falls_back_to_utc(author):
    # Older rows or a removed tz database entry must not break every page for that person.
    author.time_zone = "Atlantis/Lost_City"
    assert render_now(author, LATE_EVENING) == "14 March 2030, 23:30 (UTC)"


def test_the_members_page_shows_invitation_expiry_in_the_supervisors_zone(client_for, supervisor, team):
    Invitation.objects.create(
        team=team,
        email="noor.haddad@riverside.example.org",
        role=Role.PEER,
        token_hash=hash_token("expiry-in-auckland"),
        invited_by=supervisor,
        expires=LATE_EVENING,
    )
    client = client_for(supervisor)
    url = reverse("accounts:team-members", args=[team.pk])

    assert "open until 14 March 2030" in client.get(url).text

    supervisor.time_zone = "Pacific/Auckland"
    supervisor.save(update_fields=["time_zone"])
    assert "open until 15 March 2030" in client.get(url).text
