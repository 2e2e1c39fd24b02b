"""Forms of feedback sheets: the structured fields, a vote, and the sending."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Counterpart, Vote

COPY_WARNING = _(
    "Do not copy meeting content, journal entries or minutes into this sheet: write only what "
    "the cell decided to pass on, in your own words."
)


class FeedbackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the cell gives feedback"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cell_assessment = forms.CharField(
        label=_("The cell's assessment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    measures = forms.CharField(
        label=_("Measures taken or proposed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    request = forms.CharField(
        label=_("What the cell asks the recipient"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.CharField(label=_("Contact person in the cell"), required=False, max_length=200)


class FeedbackEditForm(FeedbackForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class VoteForm(forms.Form):
    vote = forms.ChoiceField(label=_("Your vote"), choices=Vote.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (required when you object)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("vote") == Vote.OBJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why you object."))
        return data


class SentForm(forms.Form):
    sent_on = forms.DateField(label=_("Sent on"), widget=forms.DateInput(attrs={"type": "date"}))
    counterpart = forms.ChoiceField(
        label=_("Sent to"),
        choices=[
            (Counterpart.LTF, Counterpart.LTF.label),
            (Counterpart.POLICE, Counterpart.POLICE.label),
        ],
    )
    sent_to = forms.CharField(
        label=_("Recipient"),
        max_length=200,
        help_text=_("The service or function, e.g. the LTF's secretariat."),
    )
