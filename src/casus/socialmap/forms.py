"""Input shapes of the social map: the editors' forms and the list filters."""

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import AgeGroup, ContactSector, OfferLanguage, OfferSector, Province, Status
from .selectors import ContactPointFilters, OfferFilters
from .services import OFFER_FACETS, ContactPointValues, OfferValues

ANY = [("", pgettext_lazy("filter", "Any"))]

phone_shape = RegexValidator(
    r"^\+?[0-9][0-9 ./()-]{5,38}$",
    _("Write a phone number with digits, spaces and + . / ( ) - only, e.g. 02 555 12 34."),
)


def _text(label: Any, *, required: bool = True, rows: int = 4, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def _checkboxes(label: Any, choices: Any, *, required: bool = False) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=required, widget=forms.CheckboxSelectMultiple
    )


class VersionForm(forms.Form):
    """Publish or archive: the version the editor saw (no lost update)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class _Versioned(forms.Form):
    """An edit form carries the version it was opened at; a new entry has none."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1, required=False
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = editing


class OfferForm(_Versioned):
    name = forms.CharField(label=_("Name of the offer"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=OfferSector.choices)
    description = _text(_("What they offer"), max_length=5000)
    target_group = _text(_("Target group"), required=False, rows=2, max_length=2000)
    age_groups = _checkboxes(_("Age groups"), AgeGroup.choices)
    provinces = _checkboxes(_("Regions served"), Province.choices, required=True)
    municipalities = forms.CharField(
        label=_("Municipalities"),
        max_length=500,
        required=False,
        help_text=_("Optional: the municipalities served, when not the whole region."),
    )
    languages = _checkboxes(_("Languages offered"), OfferLanguage.choices)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[phone_shape]
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    website = forms.URLField(label=_("Website"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name in ("phone", "email", "website")) and not any(
            name in self.errors for name in ("phone", "email", "website")
        ):
            raise forms.ValidationError(
                _("Give at least one way to reach them: a phone, an e-mail or a site.")
            )
        return data

    def values(self) -> OfferValues:
        data = self.cleaned_data
        values: dict[str, Any] = {
            name: tuple(data[name]) if isinstance(data[name], list) else data[name]
            for name in OfferValues.__dataclass_fields__
        }
        return OfferValues(**values)

    @staticmethod
    def initial_for(offer: Any) -> dict[str, Any]:
        initial = {
            name: offer.codes(OFFER_FACETS[name]) if name in OFFER_FACETS else getattr(offer, name)
            for name in OfferValues.__dataclass_fields__
        }
        initial["version"] = offer.version
        return initial


class ContactPointForm(_Versioned):
    sector = forms.ChoiceField(label=_("Sector"), choices=ContactSector.choices)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    function = forms.CharField(
        label=_("Function"),
        max_length=200,
        help_text=_("The role reached here, e.g. “reference person radicalisation”."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    province = forms.ChoiceField(label=_("Region"), choices=Province.choices)
    municipalities = forms.CharField(
        label=_("Municipalities"),
        max_length=500,
        required=False,
        help_text=_("Optional: the municipalities served, when not the whole region."),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[phone_shape]
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    notes = _text(_("Notes"), required=False, rows=3, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("phone") or data.get("email")) and not (
            "phone" in self.errors or "email" in self.errors
        ):
            raise forms.ValidationError(_("Give a phone number or an e-mail address."))
        return data

    def values(self) -> ContactPointValues:
        data = self.cleaned_data
        return ContactPointValues(
            **{name: data[name] for name in ContactPointValues.__dataclass_fields__}
        )

    @staticmethod
    def initial_for(point: Any) -> dict[str, Any]:
        initial = {name: getattr(point, name) for name in ContactPointValues.__dataclass_fields__}
        initial["version"] = point.version
        return initial


class _FilterForm(forms.Form):
    """A GET filter: an invalid value is reported and ignored, the others still apply."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)

    def __init__(self, *args: Any, editor: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editor:
            del self.fields["status"]

    def valid_values(self) -> dict[str, str]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class OfferFilterForm(_FilterForm):
    sector = forms.ChoiceField(label=_("Sector"), choices=ANY + OfferSector.choices, required=False)
    province = forms.ChoiceField(label=_("Region"), choices=ANY + Province.choices, required=False)
    age_group = forms.ChoiceField(
        label=_("Age group"), choices=ANY + AgeGroup.choices, required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=ANY + OfferLanguage.choices, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ANY + Status.choices,
        required=False,
    )

    def filters(self) -> OfferFilters:
        return OfferFilters(**self.valid_values())


class ContactPointFilterForm(_FilterForm):
    sector = forms.ChoiceField(
        label=_("Sector"), choices=ANY + ContactSector.choices, required=False
    )
    province = forms.ChoiceField(label=_("Region"), choices=ANY + Province.choices, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ANY + Status.choices,
        required=False,
    )

    def filters(self) -> ContactPointFilters:
        return ContactPointFilters(**self.valid_values())
