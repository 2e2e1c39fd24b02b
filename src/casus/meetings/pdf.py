"""The agenda and minutes of a meeting as PDFs: only what the reader may see, with a
confidentiality banner and a watermark (the reader's name and the time) on every page."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from casus.access.models import User
from casus.access.rules import ItemAccess, item_access_map
from casus.core.pdf import html_to_pdf, render_html

from .models import AgendaItem, Decision, Meeting

TEMPLATES = {"agenda": "meetings/pdf/agenda.html", "minutes": "meetings/pdf/minutes.html"}


@dataclass
class PdfItem:
    item: AgendaItem
    access: ItemAccess
    decisions: list[Decision] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.item.case_id is not None:
            return self.item.case.reference  # type: ignore[union-attr]
        return self.item.title


def pdf_items_for(*, reader: User, meeting: Meeting) -> list[PdfItem]:
    """The items listed for ``reader``, each with what they may see; a fixed number of
    queries."""
    access = item_access_map(reader, meeting)
    items = (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("case")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("action__owner_organisation"),
            )
        )
    )
    result = []
    for item in items:
        seen = access.get(item.pk, ItemAccess())
        if not seen.listed:
            continue
        decisions = list(item.decisions.all()) if seen.content else []
        result.append(PdfItem(item=item, access=seen, decisions=decisions))
    return result


def meeting_pdf_filename(meeting: Meeting, kind: str) -> str:
    """The download name: the meeting's date only."""
    return f"{kind}-{timezone.localtime(meeting.starts_at):%Y-%m-%d}-{meeting.pk}.pdf"


def meeting_pdf_html(
    *,
    reader: User,
    meeting: Meeting,
    kind: str,
    at: datetime | None = None,
    items: list[PdfItem] | None = None,
) -> str:
    """The HTML of the agenda or minutes PDF for ``reader``."""
    at = timezone.localtime(at or timezone.now())
    context: dict[str, Any] = {
        "meeting": meeting,
        "items": items if items is not None else pdf_items_for(reader=reader, meeting=meeting),
        "reader_name": reader.full_name or reader.email,
        "printed_at": at,
    }
    return render_html(TEMPLATES[kind], context)


def meeting_pdf(
    *,
    reader: User,
    meeting: Meeting,
    kind: str,
    at: datetime | None = None,
    items: list[PdfItem] | None = None,
) -> bytes:
    """The PDF bytes of the agenda (``kind="agenda"``) or the minutes (``"minutes"``)."""
    return html_to_pdf(
        meeting_pdf_html(reader=reader, meeting=meeting, kind=kind, at=at, items=items)
    )
