import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.translation import gettext as _

SIGNED_IN_AT = "signed_in_at"


class SessionLifetimeMiddleware:
    """End a session SESSION_MAX_HOURS after sign-in, however active it has been.

    The idle timeout is the session cookie's age (renewed on every request); this adds the
    absolute limit, so a session on a shared computer cannot live forever.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(SIGNED_IN_AT, int(time.time()))
            if time.time() - started > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                messages.info(request, _("You were signed out after a long session. Please sign in again."))
                return redirect_to_login(request.get_full_path())
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
