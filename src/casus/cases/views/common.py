"""What every case page shares: the checked case, its tabs, the read log."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casus.access.models import Role
from casus.access.rules import CaseAction, CaseContext
from casus.core.htmx import CellRequest

from ..models import Case
from ..selectors.common import case_get_checked, case_read_record


@dataclass(frozen=True)
class Tab:
    key: str
    label: Promise | str
    url: str


#: (key, label, URL name, the action that shows the tab)
_TABS = (
    ("overview", _("Overview"), "cases:detail", CaseAction.VIEW),
    ("journal", _("Journal"), "cases:journal", CaseAction.DOSSIER),
    ("attachments", _("Attachments"), "cases:attachments", CaseAction.DOSSIER),
    ("assessment", _("Assessment"), "cases:assessment", CaseAction.FOLLOWUP_READ),
    ("pathway", _("Pathway"), "cases:pathway", CaseAction.FOLLOWUP_READ),
)


def case_tabs(context: CaseContext) -> list[Tab]:
    """The tabs of a case page that this person may open (decided here, not in templates)."""
    case = context.case
    return [
        Tab(key, label, reverse(name, args=[case.pk]))
        for key, label, name, action in _TABS
        if context.allows(action)
    ]


def case_for_page(
    request: CellRequest,
    pk: int,
    action: CaseAction = CaseAction.VIEW,
    *,
    log: str | None = None,
) -> tuple[Case, CaseContext]:
    """Fetch the case for a page (404 when not allowed) and, for reads, log the access."""
    case, context = case_get_checked(
        actor=request.user, cell_id=request.cell.pk, pk=pk, action=action
    )
    if log is not None:
        case_read_record(actor=request.user, case=case, kind=log)
    return case, context


def case_page_context(context: CaseContext, tab: str) -> dict[str, object]:
    """The context every case page template needs for its header and tabs (with the chair's
    break-glass: the link to open the file, or until when it is open)."""
    page: dict[str, object] = {
        "case": context.case,
        "rights": context,
        "tabs": case_tabs(context),
        "tab": tab,
    }
    if context.role == Role.CHAIR:
        case = context.case
        if context.allows(CaseAction.BREAK_GLASS):
            page["break_glass_url"] = reverse("privacy:break_glass_open", args=[case.pk])
        else:
            page["break_glass_until"] = context.break_glass_until()
    return page
