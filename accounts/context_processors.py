from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import SimpleLazyObject

from .models import Role, User


def navigation_of(user):
    """The signed-in person's memberships and unread notifications, in one query: a row per
    membership (or one row without one), each carrying the unread count. `teams`: {role: ids of
    the teams where they hold it}; `memberships`: each role in each team, with the team's name,
    by team name (the dashboard's list of them)."""
    from notifications.models import Notification

    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        User.objects.filter(pk=user.pk)
        .order_by("memberships__team__name", "memberships__role")
        .annotate(unread=Coalesce(Subquery(unread), 0))
        .values_list("memberships__role", "memberships__team", "memberships__team__name", "unread")
    )
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


def navigation(request):
    """What the header shows the signed-in person: what their roles give them, and how many
    notifications they have not read."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that never render the navigation pay no query; those that do pay one, shared
    # with the page's access queries (accounts.middleware.RequestMembershipsMiddleware).
    nav = SimpleLazyObject(lambda: memberships_of(user))
    return {
        "my_roles": SimpleLazyObject(lambda: nav["roles"]),
        "unread_notifications": SimpleLazyObject(lambda: nav["unread"]),
    }
