"""Input shapes of the privacy pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SubjectRequestKind, SubjectRequestOutcome, WithholdReason
from .services import (
    CONTACT_MAX,
    LEGAL_GROUND_MAX,
    REASON_MAX_LENGTH,
    REASON_MIN_LENGTH,
    REQUEST_TEXT_MAX,
)


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why must the file be opened now, before a meeting?"),
        min_length=REASON_MIN_LENGTH,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The coordinator and the data-protection officer are told at once, and the next "
            "meeting reviews this access."
        ),
    )


class BreakGlassReviewForm(forms.Form):
    note = forms.CharField(
        label=_("What the meeting concluded"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DateInput(forms.DateInput):
    input_type = "date"


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=SubjectRequestKind.choices)
    received_on = forms.DateField(
        label=_("Received on"),
        widget=DateInput(),
        help_text=_("The legal deadline is one month after this date (GDPR art. 12(3))."),
    )
    family_name = forms.CharField(label=_("Family name"), max_length=120)
    given_names = forms.CharField(label=_("Given names"), max_length=160)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    request_text = forms.CharField(
        label=_("The request, in the requester's words"),
        max_length=REQUEST_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact = forms.CharField(
        label=_("How it came in and where to answer"),
        max_length=CONTACT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: letter of 3 March, answer by post to the address given."),
    )


class ExtensionForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Extend by"),
        coerce=int,
        choices=[(1, _("one month")), (2, _("two months"))],
    )
    reason = forms.CharField(
        label=_("Why more time is needed (the requester is told)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=SubjectRequestOutcome.choices, widget=forms.RadioSelect
    )
    legal_ground = forms.CharField(
        label=_("Legal ground"),
        max_length=LEGAL_GROUND_MAX,
        help_text=_("For example: GDPR art. 15; art. 15(4) and 23(1)(d) for what is withheld."),
    )
    note = forms.CharField(
        label=_("Reasons and note"),
        required=False,
        max_length=REQUEST_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    erase = forms.TypedMultipleChoiceField(
        label=_("To be erased (a partly granted erasure)"),
        coerce=int,
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, matches: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        erase = self.fields["erase"]
        if not isinstance(erase, forms.TypedMultipleChoiceField):
            raise RuntimeError("an invariant of this code")  # not input: a broken invariant
        if matches:
            erase.choices = matches
        else:
            del self.fields["erase"]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("What was corrected, where and when"),
        max_length=REQUEST_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    """One disclose / withhold choice, reason and note per entry of the organisation."""

    def __init__(self, *args: Any, item_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_ids = item_ids
        for pk in item_ids:
            self.fields[f"item-{pk}-decision"] = forms.ChoiceField(
                label=_("Disclose to the requester?"),
                choices=[("disclose", _("Disclose")), ("withhold", _("Withhold"))],
                widget=forms.RadioSelect,
            )
            self.fields[f"item-{pk}-reason"] = forms.ChoiceField(
                label=_("Reason to withhold"),
                choices=[("", "—"), *WithholdReason.choices],
                required=False,
            )
            self.fields[f"item-{pk}-note"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=REASON_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        """(item id, decision, reason, note) for the template."""
        return [
            (
                pk,
                self[f"item-{pk}-decision"],
                self[f"item-{pk}-reason"],
                self[f"item-{pk}-note"],
            )
            for pk in self.item_ids
        ]

    def decisions(self) -> dict[int, tuple[bool, str, str]]:
        return {
            pk: (
                self.cleaned_data[f"item-{pk}-decision"] == "disclose",
                self.cleaned_data[f"item-{pk}-reason"],
                self.cleaned_data[f"item-{pk}-note"],
            )
            for pk in self.item_ids
        }
