"""Reads of agenda items for the minutes pages: the item checked against the reader's rights,
its approvals, decisions and feedback sheets."""

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist

from casus.access.models import Cell, User
from casus.access.rules import ItemAccess, item_access, meeting_queryset_for
from casus.core.exceptions import Forbidden

from ..models import AgendaItem, Decision, FeedbackSheet, Meeting, MinutesApproval


def meeting_get_for(*, actor: User, cell: Cell, pk: int) -> Meeting:
    """A meeting of ``cell`` that ``actor`` may open (404 otherwise)."""
    try:
        return meeting_queryset_for(actor, cell).select_related("cell", "table").get(pk=pk)
    except ObjectDoesNotExist:
        raise Forbidden("meeting") from None


def item_get_for(
    *, actor: User, cell: Cell, meeting_pk: int, item_pk: int
) -> tuple[AgendaItem, ItemAccess]:
    """An item listed on ``actor``'s agenda, with what they may see of it (404 otherwise)."""
    meeting = meeting_get_for(actor=actor, cell=cell, pk=meeting_pk)
    try:
        item = AgendaItem.objects.select_related("case", "meeting__cell").get(
            pk=item_pk, meeting=meeting
        )
    except ObjectDoesNotExist:
        raise Forbidden("item") from None
    access = item_access(actor, item)
    if not access.listed:
        raise Forbidden("item")
    return item, access


@dataclass
class MinutesPage:
    item: AgendaItem
    present: list[User]
    approved_ids: set[int]
    decisions: list[Decision] = field(default_factory=list)
    sheets: list[FeedbackSheet] = field(default_factory=list)


def minutes_page_for(*, item: AgendaItem) -> MinutesPage:
    """Who was present, who approved the current version, the decisions, the sheets."""
    approved = set(
        MinutesApproval.objects.filter(item=item, minutes_version=item.version).values_list(
            "user_id", flat=True
        )
    )
    return MinutesPage(
        item=item,
        present=list(item.present.order_by("full_name")),
        approved_ids=approved,
        decisions=list(item.decisions.select_related("action__owner_organisation", "created_by")),
        sheets=list(item.feedback_sheets.all()),
    )
