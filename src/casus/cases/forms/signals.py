"""Input shape for signals, screening, the chair's decision and joining a case."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casus.access.models import Cell, Municipality
from casus.socialmap.selectors import referral_choices

from ..models import Case, ScreeningOutcome


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _text(label: Any, *, required: bool = True, rows: int = 4, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class SignalForm(forms.Form):
    """A member's signal: the subject, what was seen and why it worries."""

    subject_family_name = forms.CharField(label=_("Family name"), max_length=120)
    subject_given_names = forms.CharField(label=_("Given names"), max_length=160)
    subject_birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=DateInput(),
        help_text=_("If known."),
    )
    subject_municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none()
    )
    observed_on = forms.DateField(label=_("Date observed"), widget=DateInput())
    observed_behaviour = _text(_("Observed behaviour"), max_length=10000)
    concern = _text(_("Why it worries you"), max_length=10000)

    def __init__(self, *args: Any, cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities = self.fields["subject_municipality"]
        if not isinstance(municipalities, forms.ModelChoiceField):
            raise RuntimeError("an invariant of this code")  # not input: a broken invariant
        municipalities.queryset = cell.municipalities.order_by("name")

    def clean_observed_on(self) -> Any:
        value = self.cleaned_data["observed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date observed cannot be in the future."))
        return value

    def clean_subject_birth_date(self) -> Any:
        value = self.cleaned_data["subject_birth_date"]
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("The birth date cannot be in the future."))
        return value

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SignalForm.base_fields}


class OutsideSignalForm(SignalForm):
    """A signal the coordinator enters for an outside reporter."""

    source_description = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_("Who reported it, in words (e.g. “a neighbour”, “a sports club”)."),
    )
    source_anonymous = forms.BooleanField(
        label=_("The source stays anonymous"),
        required=False,
        help_text=_("Only the coordinator and the information officer will see the source."),
    )

    def service_values(self) -> dict[str, Any]:
        values = super().service_values()
        values["source_description"] = self.cleaned_data["source_description"]
        values["source_anonymous"] = self.cleaned_data["source_anonymous"]
        return values


class VersionedForm(forms.Form):
    """A form that carries the version the user saw (no lost update)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    #: The text field shown side by side with the stored text after an edit conflict.
    text_field = ""


class OpinionForm(VersionedForm):
    opinion = _text(_("Your opinion"), max_length=10000)
    text_field = "opinion"


class ScreenForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ScreeningOutcome.choices, widget=forms.RadioSelect
    )
    summary = _text(
        _("Screening summary"),
        required=False,
        max_length=10000,
        help_text=_("Required when proposing to the chair: this is what the chair decides on."),
    )
    referral = _text(
        _("Referral to regular services"),
        required=False,
        rows=3,
        max_length=5000,
        help_text=_("When not retained: where the person or the reporter is referred to."),
    )
    referred_offer = forms.ChoiceField(
        label=_("Offer on the social map"),
        required=False,
        help_text=_(
            "When not retained, optionally: the published offer the person is referred to, "
            "listed by sector."
        ),
    )
    text_field = "summary"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["referred_offer"]
        if not isinstance(field, forms.ChoiceField):
            raise RuntimeError("declared above")  # not input: a broken invariant
        field.choices = [("", _("No offer")), *referral_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("referred_offer") and data.get("outcome") == ScreeningOutcome.PROPOSED:
            self.add_error(
                "referred_offer",
                _("Refer to an offer only when the signal is not retained."),
            )
        return data

    def referred_offer_id(self) -> int | None:
        value = self.cleaned_data.get("referred_offer")
        return int(value) if value else None


class DecideForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("retain", _("Put on the case list")),
            ("not_retain", _("Do not retain")),
        ],
        widget=forms.RadioSelect,
    )
    note = _text(
        _("Note"),
        required=False,
        rows=3,
        max_length=5000,
        help_text=_("Required when the signal is not retained."),
    )
    text_field = "note"


class JoinForm(VersionedForm):
    case = forms.ModelChoiceField(
        label=_("Case"), queryset=Case.objects.none(), widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        if not isinstance(field, forms.ModelChoiceField):
            raise RuntimeError("an invariant of this code")  # not input: a broken invariant
        field.queryset = cases
