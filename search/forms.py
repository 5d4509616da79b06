from django import forms
from django.utils.translation import gettext_lazy as _

from reflections.models import Task

from .query import NEWEST, RELEVANCE


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OptionsInPlaceSelect(forms.Select):
    """A select whose options are written in its own template rather than one template each: a
    supervisor's filters list some 30 threads and 60 people, a millisecond of includes per page.
    For flat choices only: no option groups, no attributes on an option but `selected`."""

    template_name = "search/widgets/select.html"


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), max_length=200, required=False)
    task = forms.ChoiceField(label=_("Task"), required=False, widget=OptionsInPlaceSelect)
    thread = forms.TypedChoiceField(
        label=_("Thread"), required=False, coerce=int, empty_value=None, widget=OptionsInPlaceSelect
    )
    author = forms.TypedChoiceField(
        label=_("Written by"), required=False, coerce=int, empty_value=None, widget=OptionsInPlaceSelect
    )
    since = forms.DateField(label=_("Written from"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Written until"), required=False, widget=DateInput())
    order = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[(RELEVANCE, _("Best matches first")), (NEWEST, _("Newest first"))],
        widget=OptionsInPlaceSelect,
    )

    def __init__(self, *args, user, threads, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search", "autocomplete": "off"})
        self.fields["task"].choices = [("", _("All four tasks")), *Task.choices]
        self.fields["thread"].choices = [("", _("Everywhere I can read"))] + [
            (
                pair.pk,
                _("%(first)s & %(second)s — %(team)s")
                % {
                    "first": pair.inviter.name,
                    "second": pair.invitee.name,
                    "team": pair.team.name,
                },
            )
            for pair in threads
        ]
        self.fields["author"].choices = [("", _("Anyone")), (user.pk, _("Me"))] + [
            (person.pk, person.name) for person in people if person.pk != user.pk
        ]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("Choose a date on or after the “from” date."))
        return cleaned
