"""What the strategy pages share: the year asked for, and the panel of an edit conflict."""

from datetime import date
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

from ..models import FIRST_YEAR, LAST_YEAR

FORM_PAGE = "strategy/form.html"


def year_of(request: HttpRequest) -> int:
    """The year in the query string, if it is one we keep; this year otherwise."""
    raw = request.GET.get("year", "")
    if raw.isascii() and raw.isdigit() and len(raw) == 4 and FIRST_YEAR <= int(raw) <= LAST_YEAR:
        return int(raw)
    return timezone.localdate().year


def rebound(request: HttpRequest, version: int) -> QueryDict:
    """The user's unsaved input, with the version moved to the current one."""
    data = request.POST.copy()
    data["version"] = str(version)
    return data


def _shown(obj: Model, name: str) -> Any:
    display = getattr(obj, f"get_{name}_display", None)
    if display is not None:
        return display()
    value = getattr(obj, name)
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Model):
        return str(value)
    return value


def conflict_facts(
    obj: Model, names: tuple[str, ...], mine: dict[str, Any]
) -> list[dict[str, Any]]:
    """The stored values of ``obj`` after a conflict, flagged where they differ from the input."""
    rows = []
    for name in names:
        value = getattr(obj, name)
        stored = value.pk if isinstance(value, Model) else value
        given = mine.get(name)
        given = given.pk if isinstance(given, Model) else given
        rows.append(
            {
                "label": capfirst(str(getattr(obj._meta.get_field(name), "verbose_name", name))),
                "value": _shown(obj, name),
                "changed": stored != given,
            }
        )
    return rows
