import datetime as dt

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role

from .models import Annotation, Entry, PeerPair, Reply, Task
from .weeks import current_week, recent_weeks, week_label, week_start


class TaskRadioSelect(forms.RadioSelect):
    option_template_name = "reflections/widgets/task_option.html"


class EntryForm(forms.ModelForm):
    """Writing or editing an entry. `version` is the version the writer started from, so an
    edit made on an out-of-date copy is detected instead of overwriting newer text."""

    week = forms.TypedChoiceField(label=_("Week it reflects on"), coerce=dt.date.fromisoformat)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    draft_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    class Meta:
        model = Entry
        fields = ["task", "title", "body", "week"]
        widgets = {
            "task": TaskRadioSelect,
            "title": forms.TextInput(attrs={"placeholder": _("Optional")}),
            "body": forms.Textarea(attrs={"rows": 14}),
        }
        labels = {"task": _("Which task is this about?"), "body": _("Your reflection")}
        help_texts = {"body": _("Markdown works: *emphasis*, **strong**, > quotes, - lists.")}
        error_messages = {
            "task": {"required": _("Choose one of the four tasks.")},
            "body": {"required": _("Write something before saving — even a line is a start.")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        this_week = current_week(user)
        weeks = recent_weeks(user)
        if self.instance.pk and self.instance.week not in {w for w, _ in weeks}:
            weeks.append((self.instance.week, this_week))
        self.fields["week"].choices = [(w.isoformat(), week_label(w, this_week)) for w, _ in weeks]
        self.fields["task"].choices = Task.choices
        if not self.instance.pk:
            self.initial.setdefault("week", this_week.isoformat())
        else:
            self.initial.setdefault("version", self.instance.version)
            self.initial["week"] = self.instance.week.isoformat()

    def clean_week(self):
        return week_start(self.cleaned_data["week"])

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write something before saving — even a line is a start."))
        return body


class ShareForm(forms.Form):
    pair = forms.ModelChoiceField(
        label=_("Share into the thread with"),
        queryset=PeerPair.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your active co-reflection pairs.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pair"].queryset = (
            PeerPair.objects.for_member(user).active().select_related("inviter", "invitee")
        )
        self.fields["pair"].label_from_instance = lambda pair: pair.other(user).name


class PairInvitationForm(forms.Form):
    invitee = forms.ModelChoiceField(
        label=_("Co-reflect with"),
        queryset=Membership.objects.none(),
        error_messages={"invalid_choice": _("You can pair only with a peer worker of your own team.")},
    )
    message = forms.CharField(
        label=_("A note with the invitation (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        my_teams = Membership.objects.filter(user=user, role=Role.PEER).values("team")
        self.fields["invitee"].queryset = (
            Membership.objects.filter(team__in=my_teams, role=Role.PEER)
            .exclude(user=user)
            .select_related("user", "team")
            .order_by("user__display_name")
        )
        self.fields["invitee"].label_from_instance = lambda m: f"{m.user.name} — {m.team.name}"


class AnnotationForm(forms.ModelForm):
    """A note; exact/prefix/suffix/start/end come from the page script's selection (empty: a
    note on the whole entry)."""

    class Meta:
        model = Annotation
        fields = ["body", "task", "exact", "prefix", "suffix", "start", "end"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 4}),
            "exact": forms.HiddenInput,
            "prefix": forms.HiddenInput,
            "suffix": forms.HiddenInput,
            "start": forms.HiddenInput,
            "end": forms.HiddenInput,
        }
        labels = {"body": _("Your note"), "task": _("Task (optional)")}
        error_messages = {"body": {"required": _("Write your note before saving it.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].choices = [("", _("No particular task")), *Task.choices]
        # The quote and its context are matched character for character: the spaces and line
        # breaks at their edges are part of them (a stripped prefix never matches the text).
        for name in ["exact", "prefix", "suffix"]:
            self.fields[name].strip = False

    def _clean_quote(self, name):
        # A form submission sends every line break as CRLF; the entry's text has LF.
        return self.cleaned_data[name].replace("\r\n", "\n").replace("\r", "\n")

    def clean_exact(self):
        return self._clean_quote("exact")

    def clean_prefix(self):
        return self._clean_quote("prefix")

    def clean_suffix(self):
        return self._clean_quote("suffix")


class AnnotationEditForm(forms.ModelForm):
    class Meta:
        model = Annotation
        fields = ["body", "task"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        labels = {"body": _("Your note"), "task": _("Task (optional)")}
        error_messages = {"body": {"required": _("A note cannot be empty. Delete it instead?")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].choices = [("", _("No particular task")), *Task.choices]


class ReplyForm(forms.ModelForm):
    class Meta:
        model = Reply
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 2})}
        labels = {"body": _("Reply")}
        error_messages = {"body": {"required": _("Write your reply before sending it.")}}


def sign_author(user):
    """A token tying a form to its writer, so text stashed across an expired session is only
    ever saved for the person who typed it."""
    return signing.dumps(user.pk, salt="reflections.entry-author")


def author_of(token):
    try:
        return signing.loads(token, salt="reflections.entry-author", max_age=60 * 60 * 24 * 7)
    except signing.BadSignature:
        return None
