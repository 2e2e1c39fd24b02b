"""The form of an information-exchange register entry."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casus.cases.models import Case

from ..models import Counterpart, Direction, LegalBasis


class ExchangeForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    counterpart = forms.ChoiceField(label=_("Counterpart"), choices=Counterpart.choices)
    counterpart_detail = forms.CharField(
        label=_("Counterpart (detail)"), required=False, max_length=200
    )
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    legal_basis_detail = forms.CharField(
        label=_("Legal basis (detail)"), required=False, max_length=200
    )
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=80,
        help_text=_(
            "References only, such as a PV or RIR number: never copies of police or OCAD "
            "database content."
        ),
    )
    subject = forms.CharField(
        label=_("What was exchanged (in a few words)"),
        required=False,
        max_length=300,
        help_text=_("A few words, no content of police or OCAD databases."),
    )
    case = forms.ModelChoiceField(label=_("Case"), queryset=Case.objects.none(), required=False)

    def __init__(self, *args: object, cases: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["case"]
        if not isinstance(field, forms.ModelChoiceField):
            raise RuntimeError("an invariant of this code")  # not input: a broken invariant
        field.queryset = cases  # type: ignore[assignment]
        field.label_from_instance = lambda case: case.reference  # type: ignore[method-assign,assignment]
