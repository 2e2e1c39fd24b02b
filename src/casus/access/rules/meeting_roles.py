"""Who does what in a meeting, beyond reading its items (``rules.meetings``): the secretary's
rights, recording attendance, approving an item's minutes or feedback sheet, reading feedback
sheets. Decided here so that services, selectors and views ask one place.

Imported from this module (``casus.access.rules.meeting_roles``).
"""

from typing import TYPE_CHECKING

from ..models import Cell, User
from . import Action, can, membership_for
from .meetings import item_access

if TYPE_CHECKING:
    from casus.meetings.models import AgendaItem, FeedbackSheet, Meeting


def is_meeting_secretary(user: User, meeting: "Meeting") -> bool:
    """``user`` keeps the minutes of ``meeting`` and is still a current member of its cell."""
    return meeting.secretary_id == user.pk and membership_for(user, meeting.cell_id) is not None


def may_record_attendance(user: User, meeting: "Meeting") -> bool:
    """The coordinator or the meeting's secretary records who is present."""
    return is_meeting_secretary(user, meeting) or can(user, Action.MEETING_MANAGE, meeting.cell_id)


def may_be_present_for(user: User, item: "AgendaItem") -> bool:
    """``user`` can be recorded as present for ``item``: they may read its content now (a
    present person still to confirm the art. 458ter obligation counts as able to read it)."""
    access = item_access(user, item)
    return access.content or access.awaiting_confirmation


def may_approve_item(user: User, item: "AgendaItem") -> bool:
    """``user`` approves (or objects to) the item's minutes and feedback sheets: recorded as
    present for it, still a member of the cell, and not awaiting the art. 458ter confirmation.
    Being present is what counts, not the meeting window (which may have closed since)."""
    from casus.meetings.models import Attendance

    if not item.present.filter(pk=user.pk).exists():
        return False
    if membership_for(user, item.meeting.cell_id) is None:
        return False
    return not Attendance.objects.filter(
        meeting_id=item.meeting_id, user=user, confirmed_at__isnull=True
    ).exists()


def may_see_sheets(user: User, item: "AgendaItem", cell: Cell | int) -> bool:
    """The feedback sheets of an item: those present for it, the information officer and the
    coordinator (each also needs to read the item itself)."""
    return (
        can(user, Action.FEEDBACK_DRAFT, cell)
        or can(user, Action.MEETING_MANAGE, cell)
        or may_approve_item(user, item)
    )


def may_read_sheet(user: User, sheet: "FeedbackSheet") -> bool:
    """A feedback sheet: the information officer and the coordinator while they may read the
    item; those present for the item, who approve it, also after the window closed."""
    item = sheet.item
    cell_id = item.meeting.cell_id
    if may_approve_item(user, item):
        return True
    manages = can(user, Action.FEEDBACK_DRAFT, cell_id) or can(user, Action.MEETING_MANAGE, cell_id)
    return manages and item_access(user, item).content


__all__ = [
    "is_meeting_secretary",
    "may_approve_item",
    "may_be_present_for",
    "may_read_sheet",
    "may_record_attendance",
    "may_see_sheets",
]
