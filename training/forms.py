import datetime as dt

from django import forms
from django.core.validators import validate_email
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role, Team, User
from reflections.forms import EntryForm

from .models import Cohort, CohortDay, CohortMember, Feedback, FeedbackReply

MAX_INVITES = 40


class CohortForm(forms.ModelForm):
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the teams you train for.")},
    )
    start = forms.DateField(
        label=_("First training day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("When does the training start?"), "invalid": _("Enter a date.")},
    )
    skip_weekends = forms.BooleanField(
        label=_("Skip Saturdays and Sundays"),
        required=False,
        help_text=_("Otherwise the five days are consecutive. You can re-date any day later."),
    )

    class Meta:
        model = Cohort
        fields = ["name"]
        help_texts = {"name": _("For example “Spring core training 2027”.")}
        error_messages = {"name": {"required": _("Please give the cohort a name.")}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            pk__in=Membership.objects.filter(user=user, role=Role.TRAINER).values("team")
        ).order_by("name")
        self.order_fields(["name", "team", "start", "skip_weekends"])

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please give the cohort a name."))
        return name


class InviteTraineesForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        max_length=4000,
        help_text=_("One address per line (or separated by commas). Each person gets their own link."),
        error_messages={"required": _("Enter at least one email address.")},
    )

    def clean_emails(self):
        raw = self.cleaned_data["emails"].replace(",", "\n").replace(";", "\n").split()
        emails, wrong = [], []
        for item in raw:
            email = item.strip().strip("<>").lower()
            try:
                validate_email(email)
            except forms.ValidationError:
                wrong.append(item)
                continue
            if email not in emails:
                emails.append(email)
        if wrong:
            raise forms.ValidationError(
                _("These are not email addresses: %(wrong)s") % {"wrong": ", ".join(wrong[:5])}
            )
        if not emails:
            raise forms.ValidationError(_("Enter at least one email address."))
        if len(emails) > MAX_INVITES:
            raise forms.ValidationError(
                _("Please invite at most %(max)s people at a time.") % {"max": MAX_INVITES}
            )
        return emails


class AddTrainerForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Add a trainer"),
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the team’s trainers.")},
    )

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        already = cohort.members.filter(role=CohortMember.Role.TRAINER).values("user")
        self.fields["user"].queryset = (
            User.objects.filter(memberships__team=cohort.team_id, memberships__role=Role.TRAINER)
            .exclude(pk__in=already)
            .order_by("display_name")
        )


class CohortNameForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name"]
        error_messages = {"name": {"required": _("Please give the cohort a name.")}}


class DayForm(forms.ModelForm):
    class Meta:
        model = CohortDay
        fields = ["date", "title", "topics", "prompts", "content_note"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "topics": forms.Textarea(attrs={"rows": 5}),
            "prompts": forms.Textarea(attrs={"rows": 5}),
            "content_note": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "date": {"required": _("Each day needs a date."), "invalid": _("Enter a date.")},
            "title": {"required": _("Each day needs a title.")},
        }


class BaseDayFormSet(BaseModelFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        dates = [form.cleaned_data["date"] for form in self.forms]
        if any(later <= earlier for earlier, later in zip(dates, dates[1:], strict=False)):
            raise forms.ValidationError(_("Each training day must come after the one before it."))
        if dates and dates[-1] - dates[0] > dt.timedelta(days=120):
            raise forms.ValidationError(_("The training days should fall within four months."))


# edit_only: a cohort keeps the days it was created with; a forged form count adds none.
DayFormSet = modelformset_factory(
    CohortDay, form=DayForm, formset=BaseDayFormSet, extra=0, can_delete=False, edit_only=True
)


class TrainingEntryForm(EntryForm):
    """The write page's form (reflections.EntryForm: task, title, body, version, draft key) for
    a journal day: the week follows from the day, and a new entry may be shared at once."""

    share = forms.BooleanField(
        label=_("Share this entry with the cohort’s trainers"),
        required=False,
        help_text=_(
            "Off unless you tick it. Your trainers can then read it and leave feedback. You can change this later."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["week"]
        if self.instance.pk:
            del self.fields["share"]


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        labels = {"body": _("Your feedback")}
        help_texts = {
            "body": _("Markdown works. Dialogue, not a grade: what you noticed, a question, encouragement.")
        }
        error_messages = {"body": {"required": _("Write your feedback before saving it.")}}

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write your feedback before saving it."))
        return body


class FeedbackReplyForm(forms.ModelForm):
    class Meta:
        model = FeedbackReply
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 2})}
        labels = {"body": _("Reply")}
        error_messages = {"body": {"required": _("Write your reply before sending it.")}}

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write your reply before sending it."))
        return body
