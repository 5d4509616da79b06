"""A "week" is the person's ISO week, in their own time zone. Stored as the week's Monday."""

import datetime as dt
import zoneinfo

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def user_today(user):
    try:
        tz = zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC
    return timezone.now().astimezone(tz).date()


def week_start(day):
    return day - dt.timedelta(days=day.weekday())


def current_week(user):
    return week_start(user_today(user))


def week_label(monday, this_week=None):
    """“This week (23–29 Nov)”, “Last week (…)”, or “Week 46 (9–15 Nov 2026)”."""
    sunday = monday + dt.timedelta(days=6)
    span = f"{formats.date_format(monday, 'j M')} – {formats.date_format(sunday, 'j M Y')}"
    if this_week is not None:
        if monday == this_week:
            return _("This week (%(span)s)") % {"span": span}
        if monday == this_week - dt.timedelta(days=7):
            return _("Last week (%(span)s)") % {"span": span}
    return _("Week %(number)s (%(span)s)") % {"number": monday.isocalendar().week, "span": span}


def recent_weeks(user, count=12):
    this_week = current_week(user)
    return [(this_week - dt.timedelta(weeks=n), this_week) for n in range(count)]
