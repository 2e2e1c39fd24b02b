"""Form helpers shared by every app."""

from django import forms

from .exceptions import CasusError


def add_rule_error(form: forms.BaseForm, error: CasusError) -> None:
    """Show a service's refusal at the top of the form it came from."""
    form.add_error(None, error.message)
