"""Forms of the case's course: a step, the closure, a handover decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casus.access.models import Municipality

from ..models import CaseStatus, ClosureReason


class StepForm(forms.Form):
    """A progress step: the target status and the version the page showed."""

    target_status = forms.ChoiceField(choices=CaseStatus.choices)
    version = forms.IntegerField(min_value=1)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for closing"),
        choices=[("", _("Choose a reason")), *ClosureReason.choices],
    )
    evaluation = forms.CharField(
        label=_("Evaluation"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_("How did the pathway go, and what is the situation now?"),
    )
    moved_to = forms.ModelChoiceField(
        label=_("Municipality the person moved to"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        help_text=_(
            "Only when the reason is “moved”: the cell covering that municipality receives a "
            "minimal handover record (name, birth date, contact person)."
        ),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("reason") == ClosureReason.MOVED and not cleaned.get("moved_to"):
            self.add_error("moved_to", _("Choose the municipality the person moved to."))
        return cleaned


class HandoverDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline"))],
    )


class IdentityExportForm(forms.Form):
    """Why an export must show the person's identity (the default export is pseudonymised)."""

    reason = forms.CharField(
        label=_("Why the export needs the person's name and birth date"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
