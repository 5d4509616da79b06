from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """All of our allauth customisation lives here."""

    def save_user(self, request, user, form, commit=True):
        # Our sign-up form asks for the name peers will see and the person's time zone.
        user.display_name = form.cleaned_data.get("display_name", "")
        user.time_zone = form.cleaned_data.get("time_zone") or "UTC"
        return super().save_user(request, user, form, commit=commit)
