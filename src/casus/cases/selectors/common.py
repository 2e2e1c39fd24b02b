"""Reads every case page needs: the scoped case, its rights context, the access log."""

from django.http import Http404

from casus.access.models import User
from casus.access.rules import (
    CaseAction,
    CaseContext,
    case_context,
    case_queryset_for,
    case_require,
)
from casus.audit.models import AccessKind
from casus.audit.services import access_record

from ..models import Case


def case_get_for(*, actor: User, cell_id: int, pk: object) -> Case:
    """The case ``pk`` if ``actor`` may see it in ``cell_id``; 404 otherwise (missing or not)."""
    try:
        return (
            case_queryset_for(actor, cell_id)
            .select_related("cell", "lead_organisation", "subject_municipality")
            .get(pk=pk)  # type: ignore[misc]
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def case_get_checked(
    *, actor: User, cell_id: int, pk: object, action: CaseAction = CaseAction.VIEW
) -> tuple[Case, CaseContext]:
    """The case and the actor's rights context, after requiring ``action`` (404 otherwise)."""
    case = case_get_for(actor=actor, cell_id=cell_id, pk=pk)
    return case, case_require(actor, action, case)


def case_read_record(
    *, actor: User, case: Case, kind: str = AccessKind.CASE, obj: object = None, **data: object
) -> None:
    """Log that ``actor`` read ``case`` data (page, attachment, PDF): the access log.

    A read by a chair through break-glass is marked, so that it stands out in the log.
    """
    if case_context(actor, case).break_glass_until() is not None:
        data = {**data, "break_glass": True}
    access_record(
        actor=actor,
        cell=case.cell,
        kind=kind,
        case_id=case.pk,
        obj=obj if obj is not None else case,  # type: ignore[arg-type]
        data=dict(data),
    )


def case_ids_by_reference(*, cell_id: int, reference: str) -> list[int]:
    """The ids of the cell's cases numbered ``reference`` ("2026-004", or "4" for any year).

    For the data-protection officer's log pages, which need an id to filter logs by and may not
    read the case: no permission here, and nothing of the case leaves but its id.
    """
    year_text, _, number_text = reference.strip().rpartition("-")
    if not number_text.isdigit() or (year_text and not year_text.isdigit()):
        return []
    cases = Case.objects.filter(cell_id=cell_id, number=int(number_text))
    if year_text:
        cases = cases.filter(year=int(year_text))
    return list(cases.values_list("pk", flat=True))


def case_references(*, cell_id: int, ids: set[int]) -> dict[int, str]:
    """Case numbers ("2026-004") of the cell by id, for log pages: numbers, never content."""
    rows = Case.objects.filter(cell_id=cell_id, pk__in=ids).values_list("pk", "year", "number")
    return {pk: f"{year}-{number:03d}" for pk, year, number in rows}
