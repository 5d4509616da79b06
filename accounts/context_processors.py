from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import SimpleLazyObject

from .models import Role, User


def navigation_of(user):
    """The signed-in person's memberships and unread notifications, in one query: a row per
    membership (or one row without one), each carrying the unread count. `teams`: {role: ids of
    the teams where they hold it}."""
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
        .order_by()
        .annotate(unread=Coalesce(Subquery(unread), 0))
        .values_list("memberships__role", "memberships__team", "unread")
    )
    teams = {}
    for role, team_id, _unread in rows:
        if role is not None:
            teams.setdefault(role, []).append(team_id)
    return {
        "roles": {role.value: role.value in teams for role in Role},
        "teams": teams,
        "unread": rows[0][2] if rows else 0,
    }


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
    nav = getattr(user, "request_memberships", None)
    if nav is None:  # (never `or`: its truth test would run the lazy lookup)
        nav = SimpleLazyObject(lambda: navigation_of(user))
    return {
        "my_roles": SimpleLazyObject(lambda: nav["roles"]),
        "unread_notifications": SimpleLazyObject(lambda: nav["unread"]),
    }
