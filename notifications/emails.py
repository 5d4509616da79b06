"""The journal's emails to one person: rendered in their language and time zone, with absolute
links to the site, and — for digests and reminders — a one-click unsubscribe (RFC 8058)."""

import zoneinfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
DIGEST, REMINDER = "digest", "reminder"


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(user, what):
    """A signed token for "stop `what` for this person". It never expires (an old email's link
    should still work) and changes nothing but that one preference."""
    return signing.dumps({"u": user.pk, "w": what}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    """(user id, what) from a token, or None if it was not made by us."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if (
        not isinstance(data, dict)
        or data.get("w") not in {DIGEST, REMINDER}
        or not isinstance(data.get("u"), int)
    ):
        return None
    return data["u"], data["w"]


def unsubscribe_url(user, what):
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user, what)]))


def _zone(user):
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def send(user, template_prefix, context, *, unsubscribe=None):
    """Send `<prefix>_subject.txt` / `_body.txt` / `_body.html` to the person's address."""
    context = {
        "user": user,
        "site_url": settings.SITE_URL.rstrip("/"),
        "preferences_url": absolute(reverse("notifications:preferences")),
        **context,
    }
    headers = {}
    if unsubscribe:
        context["unsubscribe_url"] = url = unsubscribe_url(user, unsubscribe)
        headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    with translation.override(settings.LANGUAGE_CODE), timezone.override(_zone(user)):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        body = render_to_string(f"{template_prefix}_body.txt", context)
        html = render_to_string(f"{template_prefix}_body.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=body, to=[user.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return message
