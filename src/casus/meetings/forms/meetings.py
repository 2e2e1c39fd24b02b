"""Forms of the meetings core: the meeting, agenda items, invitations, attendance."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casus.access.models import Membership, Table, User
from casus.cases.models import Case

from ..models import ItemKind


class UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class CaseChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Cases are offered by reference only: no names in a select."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} ({obj.get_status_display()})"


class MeetingForm(forms.Form):
    table = forms.ModelChoiceField(queryset=Table.objects.none(), label=_("Table"))
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=1440, initial=120
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    video_link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    chaired_by = UserChoice(queryset=User.objects.none(), label=_("Chair of the meeting"))
    secretary = UserChoice(queryset=User.objects.none(), label=_("Secretary"))
    window_days = forms.IntegerField(
        label=_("Item access after the meeting (days)"), min_value=0, max_value=90, initial=7
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, cell_id: int, with_table: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(
            pk__in=Membership.objects.current().filter(cell_id=cell_id).values("user_id"),
            is_active=True,
        ).order_by("full_name", "pk")
        self.fields["chaired_by"].queryset = people  # type: ignore[attr-defined]
        self.fields["secretary"].queryset = people  # type: ignore[attr-defined]
        if with_table:
            self.fields["table"].queryset = Table.objects.filter(  # type: ignore[attr-defined]
                cell_id=cell_id, is_active=True
            )
        else:
            del self.fields["table"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place") and not data.get("video_link"):
            raise forms.ValidationError(_("Give a place or a video link."))
        return data


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ItemAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    case = CaseChoice(queryset=Case.objects.none(), label=_("Case"), required=False)
    title = forms.CharField(label=_("Title (policy item)"), max_length=200, required=False)

    def __init__(self, *args: Any, cases: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cases is not None:
            self.fields["case"].queryset = cases  # type: ignore[attr-defined]


class ReorderForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class InvitationAddForm(forms.Form):
    membership = forms.IntegerField(label=_("Member"))


class AttendanceForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    items = forms.TypedMultipleChoiceField(
        label=_("Present for"), coerce=int, required=False, choices=[]
    )

    def __init__(self, *args: Any, item_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(pk, pk) for pk in (item_ids or [])]  # type: ignore[attr-defined]


class UserForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
