from functools import cache, lru_cache

from django.db import connections, router
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from ips_journal.links import url_context

from .models import Membership, Role, Team


@cache
def _navigation_sql(alias):
    """SQL, not the ORM: every page asks it, and building the query with the ORM took longer than
    running it (about 1.3 of 1.7 ms). tests/accounts/test_navigation.py holds it to the ORM's
    answer. The count comes first so that a person without memberships still gets one row."""
    from notifications.models import Notification

    quote = connections[alias].ops.quote_name

    def name(model, field=None):
        return quote(model._meta.get_field(field).column if field else model._meta.db_table)

    return f"""
        SELECT m.{name(Membership, "role")}, m.{name(Membership, "team")}, t.{name(Team, "name")}, unread.n
        FROM (SELECT COUNT(*) AS n FROM {name(Notification)}
              WHERE {name(Notification, "recipient")} = %s AND {name(Notification, "read")} IS NULL) unread
        LEFT JOIN {name(Membership)} m ON m.{name(Membership, "user")} = %s
        LEFT JOIN {name(Team)} t ON t.{name(Team, "id")} = m.{name(Membership, "team")}
        ORDER BY t.{name(Team, "name")}, t.{name(Team, "id")}, m.{name(Membership, "role")}
    """  # noqa: S608 - names from the models, quoted by the backend; values as parameters


def navigation_of(user):
    """The signed-in person's memberships and unread notifications, in one query: a row per
    membership (or one row without one), each carrying the unread count. `teams`: {role: ids of
    the teams where they hold it}; `memberships`: each role in each team, with the team's name,
    by team name (the dashboard's list of them)."""
    alias = router.db_for_read(Membership)
    with connections[alias].cursor() as cursor:
        cursor.execute(_navigation_sql(alias), [user.pk, user.pk])
        rows = cursor.fetchall()
    labels = dict(Role.choices)  # (as get_role_display: a role no longer offered shows as stored)
    teams, memberships = {}, []
    for role, team_id, team_name, _unread in rows:
        if role is not None:
            teams.setdefault(role, []).append(team_id)
            memberships.append(
                {"role": role, "role_label": labels.get(role, role), "team_id": team_id, "team": team_name}
            )
    return {
        "roles": {role.value: role.value in teams for role in Role},
        "teams": teams,
        "memberships": memberships,
        "unread": rows[0][3] if rows else 0,
    }


def memberships_of(user):
    """The request's lookup of the person's memberships (navigation_of), made now if not yet."""
    known = getattr(user, "request_memberships", None)
    return navigation_of(user) if known is None else known


def look_again(user):
    """After a page has changed what the navigation counts (notifications marked read), the
    request's lookup — perhaps made already, by an access query — is taken again when shown."""
    if getattr(user, "request_memberships", None) is not None:
        user.request_memberships = SimpleLazyObject(lambda: navigation_of(user))


# The header's links, by the names base.html uses.
SITE_URL_NAMES = {
    "dashboard": "reflections:dashboard",
    "entries": "reflections:entry-list",
    "pairs": "reflections:pair-list",
    "review": "supervision:review-home",
    "training": "training:home",
    "teams": "accounts:team-list",
    "profile": "accounts:profile",
    "search": "search:results",
    "notifications": "notifications:list",
    "sign_out": "account_logout",
}


@lru_cache(maxsize=16)  # bounded: the script prefix comes from the server (SCRIPT_NAME)
def _site_urls(prefix, urlconf):
    """Reversed once per URL configuration and script prefix (what reverse() depends on for
    links without arguments), not eleven times on every page."""
    return {key: reverse(name, urlconf=urlconf) for key, name in SITE_URL_NAMES.items()}


def navigation(request):
    """What the header shows: its links; for the signed-in person, what their roles give them
    and how many notifications they have not read."""
    urls = {"site_urls": _site_urls(*url_context())}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return urls
    # Lazy: pages that never render the navigation pay no query; those that do pay one, shared
    # with the page's access queries (accounts.middleware.RequestMembershipsMiddleware).
    nav = SimpleLazyObject(lambda: memberships_of(user))
    return {
        **urls,
        "my_roles": SimpleLazyObject(lambda: nav["roles"]),
        "unread_notifications": SimpleLazyObject(lambda: nav["unread"]),
    }
