"""Forms of the minutes and decisions of an agenda item."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casus.access.models import Organisation


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "What was discussed and agreed. Nobody is obliged to speak: record only what the "
            "participants chose to share."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    action_description = forms.CharField(
        label=_("Action for the pathway"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty when the decision needs no action."),
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none(), required=False
    )
    due_on = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    next_review_on = forms.DateField(
        label=_("Next review of the case"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: object, cell_id: int, case_item: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["owner_organisation"]
        if not isinstance(field, forms.ModelChoiceField):
            raise RuntimeError("an invariant of this code")  # not input: a broken invariant
        field.queryset = Organisation.objects.filter(cell_id=cell_id, is_active=True).order_by(
            "name"
        )
        if not case_item:
            for name in ("action_description", "owner_organisation", "due_on", "next_review_on"):
                del self.fields[name]
