"""Input shape for the setup screens; business rules stay in the services."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import (
    Cell,
    Charter,
    Clearance,
    Membership,
    Municipality,
    Organisation,
    Role,
    StatementText,
    Table,
)


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ("name", "kind", "sector", "is_active")


class TableForm(forms.ModelForm[Table]):
    class Meta:
        model = Table
        fields = ("kind", "name", "description", "is_active")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MembershipRequestForm(forms.Form):
    """Add a member or change a membership; the chair approves the result."""

    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    term_start = forms.DateField(label=_("Term start"), widget=DateInput())
    term_end = forms.DateField(label=_("Term end"), required=False, widget=DateInput())
    clearance_level = forms.ChoiceField(
        label=_("Clearance level (information officer)"),
        choices=[("", "—"), *Clearance.choices],
        required=False,
    )
    clearance_expiry = forms.DateField(
        label=_("Clearance expiry (information officer)"), required=False, widget=DateInput()
    )
    tables = forms.ModelMultipleChoiceField(
        label=_("Tables"),
        queryset=Table.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason for the chair"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, cell: Cell, change_of: Membership | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._scope("organisation", Organisation.objects.filter(cell=cell, is_active=True))
        self._scope("tables", Table.objects.filter(cell=cell, is_active=True))
        if change_of is not None:
            for name in ("email", "full_name"):
                self.fields[name].disabled = True

    def _scope(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        if not isinstance(field, forms.ModelChoiceField):
            raise RuntimeError("an invariant of this code")  # not input: a broken invariant
        field.queryset = queryset


class EndMembershipForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the chair"), widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @property
    def approved(self) -> bool:
        return bool(self.cleaned_data["decision"] == "approve")


class CharterForm(forms.ModelForm[Charter]):
    class Meta:
        model = Charter
        fields = (
            "purpose",
            "controllers",
            "organisations",
            "participation",
            "meeting_rules",
            "confidentiality_rules",
            "feedback_procedure",
            "retention_not_retained_months",
            "retention_closed_months",
            "retention_minor_months",
            "emergency_route",
        )
        widgets = {"organisations": forms.CheckboxSelectMultiple}  # noqa: RUF012

    def __init__(self, *args: Any, cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = self.fields["organisations"]
        if not isinstance(organisations, forms.ModelMultipleChoiceField):
            raise RuntimeError("an invariant of this code")  # not input: a broken invariant
        organisations.queryset = Organisation.objects.filter(cell=cell)
        for name in self.fields:
            if isinstance(self.fields[name].widget, forms.Textarea):
                self.fields[name].widget.attrs["rows"] = 4


class StatementTextForm(forms.ModelForm[StatementText]):
    class Meta:
        model = StatementText
        fields = ("text", "validity_months")


class SignStatementForm(forms.Form):
    accept = forms.BooleanField(label=_("I have read this statement and I accept it."))
    signed_name = forms.CharField(label=_("Type your full name to sign"), max_length=200)


class ChooseCellForm(forms.Form):
    cell = forms.IntegerField(widget=forms.HiddenInput)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class CellCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities"), queryset=Municipality.objects.all(), required=False
    )
    new_municipalities = forms.CharField(
        label=_("Other municipalities"),
        help_text=_("One per line: the five-digit NIS code, then the name (e.g. 44021 Gent)."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    chair_name = forms.CharField(label=_("Chair (mayor) — full name"), max_length=200)
    chair_email = forms.EmailField(label=_("Chair (mayor) — e-mail address"))
    admin_name = forms.CharField(label=_("Cell administrator — full name"), max_length=200)
    admin_email = forms.EmailField(label=_("Cell administrator — e-mail address"))

    def clean_new_municipalities(self) -> list[tuple[str, str]]:
        pairs = []
        for number, line in enumerate(self.cleaned_data["new_municipalities"].splitlines(), 1):
            if not line.strip():
                continue
            code, _sep, name = line.strip().partition(" ")
            if not (len(code) == 5 and code.isdigit() and name.strip()):
                raise forms.ValidationError(
                    _("Line %(line)s: write the five-digit NIS code, a space and the name.")
                    % {"line": number}
                )
            pairs.append((code, name.strip()[:120]))
        return pairs

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("municipalities") and not data.get("new_municipalities"):
            self.add_error("municipalities", _("A cell covers at least one municipality."))
        return data


class AppointAdminForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args: Any, cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        if not isinstance(organisation, forms.ModelChoiceField):
            raise RuntimeError("an invariant of this code")  # not input: a broken invariant
        organisation.queryset = Organisation.objects.filter(cell=cell)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file contains"),
        choices=[("organisations", _("Organisations")), ("members", _("Members"))],
    )
    file = forms.FileField(label=_("CSV or XLSX file"))
