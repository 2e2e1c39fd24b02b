"""Meetings (art. 458ter case consultation): who sees which meeting and which agenda item.

An invited participant whose organisation is not on the case reads only that item's dossier
(the coordinator's summary and the entries marked for the meeting), and only within the
meeting window: a personal grant without the dossier, written at publication and ending a set
time after the meeting. Once the meeting has started, a present participant who has not
confirmed the art. 458ter obligation sees no item content at all.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from ..models import Cell, Role, User
from . import (
    _ALL_CASES_ROLES,
    _CASE_ROLES,
    _DOSSIER_ROLES,
    Action,
    can,
    grant_valid_q,
    membership_for,
)

if TYPE_CHECKING:
    from casus.meetings.models import AgendaItem, Meeting


def meeting_queryset_for(user: User, cell: Cell | int | None) -> "QuerySet[Meeting]":
    """Meetings of ``cell`` that ``user`` may open (their items are checked one by one)."""
    from casus.meetings.models import Meeting, MeetingStatus

    membership = membership_for(user, cell)
    # No current membership, or a role that is never invited (DPO, cell administrator).
    if membership is None or not can(user, Action.MEETING_LIST, cell):
        return Meeting.objects.none()
    meetings = Meeting.objects.filter(cell_id=membership.cell_id)
    # The coordinator prepares every meeting, drafts included.
    if membership.role == Role.COORDINATOR:
        return meetings
    published = meetings.exclude(status=MeetingStatus.DRAFT)
    # Chair and information officer: every published meeting of the cell.
    if membership.role in _ALL_CASES_ROLES:
        return published
    # Everyone else: meetings they chair or keep the minutes of, or are invited to.
    return published.filter(
        Q(chaired_by_id=membership.user_id)
        | Q(secretary_id=membership.user_id)
        | Q(items__invitations__membership=membership)
    ).distinct()


@dataclass(frozen=True)
class ItemAccess:
    """What one person may see of one agenda item."""

    #: The item is shown on their agenda (policy title, or the case reference).
    listed: bool = False
    #: The item's dossier (summary, entries marked for the meeting; a policy item's text).
    content: bool = False
    #: Their own rights open the whole case file (a link to the case is useful to them).
    full_file: bool = False
    #: Present at a started meeting without having confirmed the art. 458ter obligation.
    awaiting_confirmation: bool = False


def item_access_map(user: User, meeting: "Meeting") -> dict[int, ItemAccess]:
    """``ItemAccess`` of every item of ``meeting`` for ``user``, in a fixed number of queries."""
    from casus.cases.models import CaseGrant, GrantReason
    from casus.meetings.models import Attendance, Invitation, MeetingStatus

    items = list(meeting.items.all())
    membership = membership_for(user, meeting.cell_id)
    # No membership in the meeting's cell, or a role that is never invited: nothing.
    if membership is None or not can(user, Action.MEETING_LIST, meeting.cell_id):
        return {item.pk: ItemAccess() for item in items}
    role = membership.role
    # A draft agenda is the coordinator's work in progress.
    if meeting.status == MeetingStatus.DRAFT and role != Role.COORDINATOR:
        return {item.pk: ItemAccess() for item in items}
    # Present at a started meeting without confirmation: no item content (art. 458ter).
    unconfirmed = meeting.is_locked and (
        Attendance.objects.filter(meeting=meeting, user=user, confirmed_at__isnull=True).exists()
    )
    case_ids = {item.case_id for item in items if item.case_id is not None}
    grants = (
        list(
            CaseGrant.objects.filter(grant_valid_q(), case_id__in=case_ids)
            .filter(Q(organisation_id=membership.organisation_id) | Q(user_id=user.pk))
            .values("case_id", "organisation_id", "dossier", "reason", "source_type", "source_id")
        )
        if case_ids and role in _CASE_ROLES
        else []
    )
    invitation_items = dict(
        Invitation.objects.filter(item__meeting=meeting, membership=membership).values_list(
            "pk", "item_id"
        )
    )
    participates = {g["case_id"] for g in grants if g["organisation_id"] and g["dossier"]}
    personal_dossier = {g["case_id"] for g in grants if not g["organisation_id"] and g["dossier"]}
    # The window is per item: a valid grant written for the invitation to THIS item (an
    # invitation to the same case in another meeting opens that meeting's item only).
    window_items = {
        invitation_items[g["source_id"]]
        for g in grants
        if not g["organisation_id"]
        and g["reason"] == GrantReason.MEETING
        and g["source_type"] == "meetings.invitation"
        and g["source_id"] in invitation_items
    }
    invited = set(invitation_items.values())
    result = {}
    for item in items:
        if item.case_id is None:
            # A policy item: the meeting's managers and those invited for it.
            listed = role in _ALL_CASES_ROLES or item.pk in invited
            full_file = False
            content = listed
        elif role not in _CASE_ROLES:
            # Strategic members never see case items.
            listed = content = full_file = False
        else:
            # Coordinator and information officer by role; the chair by a personal grant for
            # the meetings they attend; a member whose organisation participates.
            full_file = (
                role in _DOSSIER_ROLES
                or (role == Role.MEMBER and item.case_id in participates)
                or (role == Role.CHAIR and item.case_id in personal_dossier)
            )
            listed = role in _ALL_CASES_ROLES or item.pk in invited
            # An invited outsider: only within the meeting window.
            content = full_file or (item.pk in invited and item.pk in window_items)
        result[item.pk] = ItemAccess(
            listed=listed,
            content=content and not unconfirmed,
            full_file=full_file and not unconfirmed,
            awaiting_confirmation=unconfirmed and content,
        )
    return result


def item_access(user: User, item: "AgendaItem") -> ItemAccess:
    """``ItemAccess`` of one item for ``user``."""
    return item_access_map(user, item.meeting).get(item.pk, ItemAccess())
