import time
import zoneinfo

from allauth.usersessions import app_settings as usersessions_settings
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

SIGNED_IN_AT = "signed_in_at"
ACTIVE_AT = "active_at"


class SessionLifetimeMiddleware:
    """End a session SESSION_MAX_HOURS after sign-in, however active it has been, and after
    SESSION_IDLE_MINUTES without a request.

    The idle timeout is the session's age (its cookie's max-age and its row's expiry), renewed
    whenever the session is saved. Saving it on every request would cost two writes per page
    view, so activity is recorded at most once per SESSION_ACTIVITY_SECONDS: the session is
    marked as changed (Django saves it and renews both expiries), and the "signed-in devices"
    list (allauth's user sessions) learns when and from where it was last used. The idle limit
    is therefore exact to within that interval.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SIGNED_IN_AT, now)
            if now - started > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                messages.info(request, _("You were signed out after a long session. Please sign in again."))
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(ACTIVE_AT, 0) >= settings.SESSION_ACTIVITY_SECONDS:
                request.session[ACTIVE_AT] = now
                if usersessions_settings.TRACK_ACTIVITY:
                    UserSession.objects.create_from_request(request)
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Show every time in the signed-in person's own time zone (times are stored in UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(request.user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequestMembershipsMiddleware:
    """For a signed-in person, look up their memberships once, lazily, for the navigation
    (accounts.context_processors) and the request's access queries alike
    (accounts.models.known_teams): with the teams in hand, those queries leave out what the person's
    roles cannot reach (a supervisor's teams, a trainer's cohorts) instead of asking the database
    in a subquery each time. Lazy, so a request that neither renders the navigation nor checks
    access pays nothing. A form's POST pays the lookup too (one small query): building and running
    an access query with its two subqueries cost more (adding a note: 37.2 M → 28.2 M instructions
    under callgrind). The lookup lives as long as the request's user object, so a role changed
    mid-request only shows on the next request, as the navigation's always has; a page that
    changes the unread count calls look_again()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            from .context_processors import navigation_of

            user = request.user
            user.request_memberships = SimpleLazyObject(lambda: navigation_of(user))
        return self.get_response(request)
