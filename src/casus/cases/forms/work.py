"""Input shape of the work views: the case list's filters and the name search."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casus.access.forms import DateInput
from casus.access.models import Cell, Organisation

from ..models import CaseStatus
from ..selectors.work import CaseFilters

#: "2026-004", "2026/4", "004" or "4".
_NUMBER = re.compile(r"^(?:(?P<year>\d{4})\s*[-/]\s*)?(?P<number>\d{1,6})$")


class CaseFilterForm(forms.Form):
    """The case list's filters (GET): codes and numbers only, never a name."""

    number = forms.CharField(
        label=_("Case number"),
        required=False,
        max_length=20,
        help_text=_("For example 2026-004, or 4."),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *CaseStatus.choices]
    )
    lead = forms.ModelChoiceField(
        label=_("Lead partner"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Any lead partner"),
    )
    overdue = forms.BooleanField(label=_("Has overdue actions"), required=False)
    review_due = forms.BooleanField(label=_("Review due"), required=False)

    def __init__(self, *args: Any, cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = self.fields["lead"]
        if not isinstance(lead, forms.ModelChoiceField):
            raise RuntimeError("declared above")  # not input: a broken invariant
        lead.queryset = Organisation.objects.filter(cell=cell).order_by("name")

    def clean_number(self) -> tuple[int | None, int] | None:
        text = "".join(self.cleaned_data["number"].split())
        if not text:
            return None
        match = _NUMBER.match(text)
        if match is None:
            raise forms.ValidationError(
                _("Enter a case number such as 2026-004, or only its number, such as 4."),
                code="invalid",
            )
        year = match["year"]
        return (int(year) if year else None, int(match["number"]))

    def filters(self) -> CaseFilters:
        """The filters whose values are valid; an invalid one is left out (and shown)."""
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        lead = data.get("lead")
        year, number = data.get("number") or (None, None)
        return CaseFilters(
            status=data.get("status") or None,
            lead_id=lead.pk if lead is not None else None,
            overdue=bool(data.get("overdue")),
            review_due=bool(data.get("review_due")),
            year=year,
            number=number,
        )


class PersonSearchForm(forms.Form):
    """Exact search by name (POST only: names never travel in URLs or logs)."""

    family_name = forms.CharField(label=_("Family name"), max_length=120)
    given_names = forms.CharField(label=_("Given names"), max_length=160)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=DateInput(),
        help_text=_("Optional: narrows the search to this birth date."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A name of only punctuation normalises to nothing: refuse it rather than match all.
        for name in ("family_name", "given_names"):
            value = data.get(name)
            if value is not None and not any(c.isalnum() for c in value):
                self.add_error(name, _("Enter a name with at least one letter."))
        return data
