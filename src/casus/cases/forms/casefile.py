"""Input shape for the case file: participants, lead partner, summary, journal, attachments."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casus.access.models import Organisation

from ..attachments import ACCEPT
from ..models import Visibility


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ParticipantAddForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    reason = forms.CharField(
        label=_("Why this organisation takes part"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class ParticipantRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it stops"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LeadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Lead partner"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("No lead partner"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "lead")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What the chair and the participants invited to a meeting read of the case."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _visibility_choices(police: bool) -> list[tuple[str, Any]]:
    return [
        (value, label)
        for value, label in Visibility.choices
        if police or value != Visibility.POLICE
    ]


class JournalEntryForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(
        label=_("Text"), max_length=50000, widget=forms.Textarea(attrs={"rows": 6})
    )
    visibility = forms.ChoiceField(label=_("Visible to"), choices=())
    for_meeting = forms.BooleanField(
        label=_("For the coming meeting"),
        required=False,
        help_text=_("Shown in the meeting dossier of invited participants."),
    )

    def __init__(self, *args: Any, police: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = _visibility_choices(police)  # type: ignore[attr-defined]
        if not self.is_bound and "occurred_on" not in self.initial:
            self.initial["occurred_on"] = timezone.localdate()

    def clean_occurred_on(self) -> Any:
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of an entry cannot be in the future."))
        return value


class JournalEntryEditForm(JournalEntryForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, plain text (.txt), DOCX, XLSX or ODT."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    visibility = forms.ChoiceField(label=_("Visible to"), choices=())
    for_meeting = forms.BooleanField(label=_("For the coming meeting"), required=False)

    def __init__(self, *args: Any, police: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = _visibility_choices(police)  # type: ignore[attr-defined]
