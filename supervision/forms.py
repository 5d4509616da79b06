from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReviewNote, ReviewReply


class ReviewNoteForm(forms.ModelForm):
    class Meta:
        model = ReviewNote
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        labels = {"body": _("A note for both peers")}
        help_texts = {"body": _("Witness, wonder, encourage — a note is dialogue, never a grade.")}
        error_messages = {"body": {"required": _("Write your note before saving it.")}}


class ReviewReplyForm(forms.ModelForm):
    class Meta:
        model = ReviewReply
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 2})}
        labels = {"body": _("Reply")}
        error_messages = {"body": {"required": _("Write your reply before sending it.")}}
