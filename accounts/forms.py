from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Membership, Role, Team, User, time_zone_choices


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("How your peers will see you, e.g. “Maya R.”"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        initial="Europe/London",
        help_text=_("Weeks and times are shown in this time zone."),
    )
    field_order = ["display_name", "email", "password1", "password2", "time_zone"]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "time_zone"]
        widgets = {"display_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please give a name your peers will recognise."))
        return name


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "organisation"]
        help_texts = {
            "name": _("For example “Riverside Peer Respite — evening team”."),
            "organisation": _("Optional: the centre or programme the team belongs to."),
        }
        # A blank name never reaches clean_name (the field is required), so say it here too.
        error_messages = {"name": {"required": _("Please give the team a name.")}}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please give the team a name."))
        return name


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role"]
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, team, **kwargs):
        self.team = team
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        return email

    def clean(self):
        cleaned = super().clean()
        email, role = cleaned.get("email"), cleaned.get("role")
        if email and role:
            if Membership.objects.filter(team=self.team, user__email__iexact=email, role=role).exists():
                raise forms.ValidationError(
                    _("%(email)s is already a %(role)s in this team.")
                    % {"email": email, "role": Role(role).label.lower()}
                )
            if self.team.invitations.pending().filter(email__iexact=email, role=role).exists():
                raise forms.ValidationError(
                    _("%(email)s already has a pending invitation for this role.") % {"email": email}
                )
        return cleaned


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and everything I wrote will be deleted, and that this cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm, or keep your account by leaving this page.")},
    )
