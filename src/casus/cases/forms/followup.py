"""Input shape for the follow-up pages; the rules stay in ``services.followup``."""

from typing import Any

from django import forms
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from casus.access.models import Organisation, OrganisationKind

from ..models import (
    ActionStatus,
    AssessmentDomain,
    ExternalInstrument,
    Goal,
    LifeDomain,
    ScenarioKind,
    ScenarioTemplate,
)
from ..services.followup import DOMAIN_FIELDS, life_domain_stamp


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class DomainChoiceField(forms.ModelChoiceField[LifeDomain]):
    def label_from_instance(self, obj: LifeDomain) -> str:
        return obj.label


class GoalChoiceField(forms.ModelChoiceField[Goal]):
    def label_from_instance(self, obj: Goal) -> str:
        text = obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"
        return f"{obj.domain.label} — {text}" if obj.domain is not None else text


class ScenarioChoiceField(forms.ModelChoiceField[ScenarioTemplate]):
    def label_from_instance(self, obj: ScenarioTemplate) -> str:
        return f"{obj.get_kind_display()}: {obj.name}"


def field_label(model: type[Model], name: str) -> str:
    """The verbose name of a model field, as a form label."""
    return capfirst(str(getattr(model._meta.get_field(name), "verbose_name", name)))


def _scope(form: forms.BaseForm, name: str, queryset: Any) -> None:
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise RuntimeError("an invariant of this code")  # not input: a broken invariant
    field.queryset = queryset


# --- Assessment -------------------------------------------------------------------------------


class AssessmentForm(forms.Form):
    """The free text first, then per life domain the same optional fields."""

    summary = forms.CharField(
        label=_("Assessment in your own words"),
        widget=_textarea(6),
        help_text=_(
            "Objectify the gut feeling: what do you see, and what does it mean? This is not a "
            "verdict and there is no score."
        ),
    )
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, domains: list[LifeDomain], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domains = domains
        for domain in domains:
            for name in DOMAIN_FIELDS:
                label = field_label(AssessmentDomain, name)
                if name == "signal_date":
                    field: forms.Field = forms.DateField(
                        label=label, required=False, widget=DateInput()
                    )
                elif name == "signal_source":
                    field = forms.CharField(label=label, required=False, max_length=200)
                else:
                    field = forms.CharField(label=label, required=False, widget=_textarea(2))
                self.fields[self.key(domain, name)] = field

    @staticmethod
    def key(domain: LifeDomain, name: str) -> str:
        return f"d{domain.pk}_{name}"

    def domain_groups(self) -> list[tuple[LifeDomain, list[forms.BoundField]]]:
        """The bound fields per domain, for the template's fieldsets."""
        return [
            (domain, [self[self.key(domain, name)] for name in DOMAIN_FIELDS])
            for domain in self.domains
        ]

    def domain_values(self) -> dict[int, dict[str, Any]]:
        data = self.cleaned_data
        return {
            domain.pk: {name: data.get(self.key(domain, name)) for name in DOMAIN_FIELDS}
            for domain in self.domains
        }


class InstrumentForm(forms.ModelForm[ExternalInstrument]):
    class Meta:
        model = ExternalInstrument
        fields = ("name", "used_on", "assessor", "conclusion")
        widgets = {"used_on": DateInput(), "conclusion": _textarea(3)}
        help_texts = {
            "name": _(
                "Licensed instruments such as VERA-2R, ERG22+, TRAP-18, IR46 or RADAR must not "
                "be copied into Casus: record only the name, the date, who assessed and the "
                "overall conclusion."
            ),
            "conclusion": _("The overall conclusion only: no items, no scores."),
        }


class CompareForm(forms.Form):
    """Two version numbers (numbers only: no content in the URL)."""

    a = forms.IntegerField(label=_("Version"), min_value=1)
    b = forms.IntegerField(label=_("Compared with version"), min_value=1)

    def __init__(self, *args: Any, versions: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = set(versions)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b = data.get("a"), data.get("b")
        for name, value in (("a", a), ("b", b)):
            if value is not None and value not in self.versions:
                self.add_error(name, _("There is no version %(number)s.") % {"number": value})
        if a is not None and a == b:
            raise forms.ValidationError(_("Choose two different versions."))
        return data


# --- Pathway ------------------------------------------------------------------------------------


class GoalForm(forms.Form):
    domain = DomainChoiceField(
        label=_("Life domain"), queryset=LifeDomain.objects.none(), required=False
    )
    text = forms.CharField(label=_("Goal"), widget=_textarea(3))

    def __init__(self, *args: Any, domains: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scope(self, "domain", domains)


class GoalEditForm(GoalForm):
    is_achieved = forms.BooleanField(label=_("Achieved"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActionForm(forms.Form):
    goal = GoalChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False)
    description = forms.CharField(label=_("Action"), widget=_textarea(3))
    owner_organisation = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none()
    )
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args: Any, goals: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scope(self, "goal", goals)
        _scope(self, "owner_organisation", organisations)


class ActionEditForm(ActionForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReviewForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the review"), widget=DateInput())
    notes = forms.CharField(label=_("Review"), widget=_textarea(5))
    next_review_on = forms.DateField(label=_("Next review"), required=False, widget=DateInput())


class ApplyScenarioForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Scenario"), queryset=ScenarioTemplate.objects.none())

    def __init__(self, *args: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scope(self, "template", templates)


# --- Scenarios and life domains -------------------------------------------------------------


class ScenarioForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ScenarioKind.choices)
    name = forms.CharField(label=_("Name"), max_length=160)
    target_group = forms.CharField(label=_("Target group"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=_textarea(3))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    #: ``scenario_stamp`` of the template as it was read (a change made meanwhile is refused).
    stamp = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ScenarioItemForm(forms.Form):
    domain = DomainChoiceField(
        label=_("Life domain"), queryset=LifeDomain.objects.none(), required=False
    )
    goal = forms.CharField(label=_("Goal"), required=False, widget=_textarea(2))
    action = forms.CharField(label=_("First action"), required=False, widget=_textarea(2))
    owner_kind = forms.ChoiceField(
        label=_("Owner (kind of organisation)"),
        choices=[("", _("The lead partner")), *OrganisationKind.choices],
        required=False,
    )
    due_in_days = forms.IntegerField(
        label=_("Due in (days)"), min_value=0, max_value=3650, initial=30, required=False
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, required=False)

    def __init__(self, *args: Any, domains: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if domains is not None:
            _scope(self, "domain", domains)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("goal") and (data.get("action") or data.get("domain")):
            self.add_error("goal", _("Every item of a scenario needs a goal."))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("goal")


ScenarioItemFormSet = forms.formset_factory(
    ScenarioItemForm, extra=3, can_delete=True, max_num=50, validate_max=True
)


def scenario_items(formset: forms.BaseFormSet[ScenarioItemForm]) -> list[dict[str, Any]]:
    """The filled-in items of a valid formset (blank rows and deleted rows left out)."""
    kept = [
        form.cleaned_data
        for form in formset.forms
        if not form.is_blank and not form.cleaned_data.get("DELETE")
    ]
    return [{k: v for k, v in item.items() if k != "DELETE"} for item in kept]


class LifeDomainForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        help_text=_("Leave empty to keep the default name in each reader's language."),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    #: ``life_domain_stamp`` of the values the row was built from.
    stamp = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def is_edited(self) -> bool:
        """Whether the person changed this row (a valid form): its values no longer match the
        stamp of the values it was built from."""
        data = self.cleaned_data
        stamp = life_domain_stamp(data["name"], data["position"], data["is_active"])
        return bool(stamp != data["stamp"])


class LifeDomainAddForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, required=False)
