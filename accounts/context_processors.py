from .models import Role


def navigation(request):
    """What the signed-in person's roles give them, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def roles():
        # order_by(): Membership's default ordering would join teams and users for nothing.
        held = set(user.memberships.order_by().values_list("role", flat=True))
        return {role.value: role.value in held for role in Role}

    # Lazy: pages that never render the navigation pay no query.
    from django.utils.functional import SimpleLazyObject

    return {"my_roles": SimpleLazyObject(roles)}
