"""Monitoring forms: the exact period, the published year, the opt-in, regional bodies."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casus.core.dates import add_months

from .models import RegionalBody
from .periods import Period, Quarter

#: The longest exact period: ten years is far more than any report needs.
MAX_DAYS = 3660

QUICK_PICKS = [
    ("", _("Choose dates")),
    ("this_quarter", _("This quarter so far")),
    ("last_quarter", _("Last quarter")),
    ("this_year", _("This year so far")),
    ("last_year", _("Last year")),
    ("last_12_months", _("Last 12 months")),
]


def quick_period(pick: str, today: date) -> Period:
    quarter = Quarter.of(today)
    if pick == "last_quarter":
        return quarter.previous().period
    if pick == "this_year":
        return Period(date(today.year, 1, 1), today)
    if pick == "last_year":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    if pick == "last_12_months":
        return Period(add_months(today, -12) + timedelta(days=1), today)
    return Period(quarter.first_day, today)


class PeriodForm(forms.Form):
    """Any period for the exact view: two dates, or a quick pick."""

    pick = forms.ChoiceField(label=_("Period"), choices=QUICK_PICKS, required=False)
    first = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    last = forms.DateField(
        label=pgettext_lazy("period", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        today = timezone.localdate()
        first, last, pick = data.get("first"), data.get("last"), data.get("pick")
        if pick or (first is None and last is None):
            data["period"] = quick_period(pick or "this_quarter", today)
            return data
        if first is None or last is None:
            raise forms.ValidationError(_("Give both dates of the period, or choose a quick pick."))
        if first > last:
            raise forms.ValidationError(_("The period must start before it ends."))
        if (last - first).days > MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most ten years."))
        if first.year < 2000 or last.year > today.year + 1:
            raise forms.ValidationError(_("Choose dates between 2000 and next year."))
        data["period"] = Period(first, last)
        return data


class YearForm(forms.Form):
    """A year of the published view; only years with frozen quarters are offered."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args: object, years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]


class OptInForm(forms.Form):
    body = forms.ModelChoiceField(
        label=_("Regional support body"), queryset=RegionalBody.objects.none()
    )
    decision = forms.ChoiceField(
        choices=[("in", _("Take part")), ("out", _("Stop taking part"))], widget=forms.HiddenInput
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["body"].queryset = RegionalBody.objects.order_by("name")  # type: ignore[attr-defined]


class BodyCreateForm(forms.Form):
    name = forms.CharField(label=_("Name of the body"), max_length=160)


class SupporterAppointForm(forms.Form):
    body = forms.ModelChoiceField(
        label=_("Regional support body"), queryset=RegionalBody.objects.all()
    )
    email = forms.EmailField(label=_("E-mail address of a regional support account"))


class SupporterRemoveForm(forms.Form):
    supporter = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
