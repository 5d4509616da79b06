from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import SimpleLazyObject

from .models import Role, User


def _navigation(user):
    """The signed-in person's roles and unread notifications, in one query: a row per membership
    (or one row without a role), each carrying the unread count."""
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
        .values_list("memberships__role", "unread")
    )
    held = {role for role, _unread in rows}
    return {
        "roles": {role.value: role.value in held for role in Role},
        "unread": rows[0][1] if rows else 0,
    }


def navigation(request):
    """What the header shows the signed-in person: what their roles give them, and how many
    notifications they have not read."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that never render the navigation pay no query; those that do pay one.
    nav = SimpleLazyObject(lambda: _navigation(user))
    return {
        "my_roles": SimpleLazyObject(lambda: nav["roles"]),
        "unread_notifications": SimpleLazyObject(lambda: nav["unread"]),
    }
