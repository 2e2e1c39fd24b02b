"""The data-protection officer's view of the audit trail: who did what, never values."""

from django.core.paginator import Paginator
from django.http import HttpResponse

from casus.core.htmx import CellRequest, render_page

from .selectors import audit_event_list_for


def events(request: CellRequest) -> HttpResponse:
    rows = audit_event_list_for(actor=request.user, cell=request.cell)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render_page(request, "audit/events.html", {"page": page}, partial="rows")
