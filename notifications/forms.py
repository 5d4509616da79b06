from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Preferences


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Preferences
        fields = ["digest", "reminder", "reminder_day", "reminder_hour"]
        widgets = {"digest": forms.RadioSelect}
        help_texts = {
            "digest": _(
                "One email that gathers what happened — who shared, wrote a note or replied — never "
                "one email per event. It carries names and links, never anyone’s writing."
            ),
            "reminder": _(
                "A gentle nudge once a week, at the day and time you pick below. Off unless you turn it on."
            ),
        }
