"""Input shapes of the data-protection officer's log pages."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casus.access.models import Cell, User

PERIODS = [
    (7, _("Last 7 days")),
    (30, _("Last 30 days")),
    (90, _("Last 90 days")),
    (365, _("Last year")),
]
FORMATS = [("", _("Show")), ("csv", "CSV"), ("xlsx", "XLSX")]


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"), choices=PERIODS, coerce=int, initial=30, required=False
    )
    export = forms.ChoiceField(label=_("Output"), choices=FORMATS, required=False)

    def since(self) -> datetime:
        days = self.cleaned_data.get("days") or 30
        return timezone.now() - timedelta(days=days)


class CaseTrailForm(PeriodForm):
    reference = forms.CharField(
        label=_("Case number"),
        max_length=20,
        required=False,
        help_text=_("For example 2026-004."),
    )
    field_order = ("reference", "days", "export")


class PersonForm(PeriodForm):
    person = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    field_order = ("person", "days", "export")

    def __init__(self, *args: object, cell: Cell, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Everyone who has been a member of the cell, also after their membership ended.
        field = self.fields["person"]
        if not isinstance(field, forms.ModelChoiceField):
            raise RuntimeError("declared above")  # not input: a broken invariant
        field.queryset = (
            User.objects.filter(memberships__cell=cell).distinct().order_by("full_name")
        )
