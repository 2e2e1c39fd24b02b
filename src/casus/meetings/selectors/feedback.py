"""Reads of feedback sheets: only those present for the item, the coordinator and the
information officer, and only while they may read the item."""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from casus.access.models import Cell, User
from casus.access.rules.meeting_roles import may_read_sheet
from casus.core.exceptions import Forbidden

from ..models import FeedbackSheet, FeedbackVote


def sheet_get_for(*, actor: User, cell: Cell, pk: int) -> FeedbackSheet:
    """A feedback sheet of ``cell`` that ``actor`` may read (404 otherwise)."""
    try:
        sheet = FeedbackSheet.objects.select_related(
            "item__meeting__cell", "item__case", "drafted_by", "sent_by"
        ).get(pk=pk, item__meeting__cell=cell)
    except ObjectDoesNotExist:
        raise Forbidden("feedback") from None
    if not may_read_sheet(actor, sheet):
        raise Forbidden("feedback")
    return sheet


@dataclass
class SheetPage:
    sheet: FeedbackSheet
    votes: list[FeedbackVote]
    waiting_for: list[User]
    may_vote: bool


def sheet_page_for(*, actor: User, sheet: FeedbackSheet) -> SheetPage:
    """The votes on the current version and who has not voted yet."""
    votes = list(
        FeedbackVote.objects.filter(sheet=sheet, sheet_version=sheet.version)
        .select_related("user")
        .order_by("voted_at", "id")
    )
    present = list(sheet.item.present.order_by("full_name"))
    voted = {vote.user_id for vote in votes}
    return SheetPage(
        sheet=sheet,
        votes=votes,
        waiting_for=[user for user in present if user.pk not in voted],
        may_vote=any(user.pk == actor.pk for user in present) and actor.pk not in voted,
    )
