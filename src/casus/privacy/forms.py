"""Input shapes of the privacy pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import REASON_MAX_LENGTH, REASON_MIN_LENGTH


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why must the file be opened now, before a meeting?"),
        min_length=REASON_MIN_LENGTH,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The coordinator and the data-protection officer are told at once, and the next "
            "meeting reviews this access."
        ),
    )


class BreakGlassReviewForm(forms.Form):
    note = forms.CharField(
        label=_("What the meeting concluded"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
