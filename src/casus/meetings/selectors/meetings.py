"""Reads of the meetings core: the list, one meeting's page, the agenda proposal, an item's
dossier. Every read starts from ``meeting_queryset_for`` and ``item_access_map``."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from casus.access.models import Cell, Membership, Role, TableKind, User
from casus.access.rules import (
    Action,
    ItemAccess,
    can,
    case_context,
    case_queryset_for,
    item_access_map,
    meeting_queryset_for,
    require,
)
from casus.access.rules.meeting_roles import is_meeting_secretary
from casus.cases.models import Case, CaseStatus, JournalEntry

from ..models import AgendaItem, Attendance, Invitation, ItemKind, Meeting, MeetingStatus
from ..services.meetings import invitable_memberships


def meeting_list_for(*, actor: User, cell: Cell | int) -> "QuerySet[Meeting]":
    """The meetings ``actor`` may open in ``cell``, newest first (404 without the right)."""
    require(actor, Action.MEETING_LIST, cell)
    return meeting_queryset_for(actor, cell).select_related("table").order_by("-starts_at", "-pk")


def meeting_get_for(*, actor: User, cell: Cell | int, pk: object) -> Meeting:
    """The meeting ``pk`` if ``actor`` may open it in ``cell``; 404 otherwise."""
    try:
        return (
            meeting_queryset_for(actor, cell)
            .select_related("cell", "table", "chaired_by", "secretary")
            .get(pk=pk)  # type: ignore[misc]
        )
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class Proposal:
    """A case the data propose for the agenda, and as which kind of item."""

    kind: str
    case: Case

    @property
    def kind_label(self) -> str:
        return str(ItemKind(self.kind).label)


def agenda_proposal_for(*, actor: User, meeting: Meeting) -> list[Proposal]:
    """What the data propose for ``meeting``: new cases on the list never on an agenda, running
    cases whose review is due by the meeting date, cases in evaluation (proposed closure).
    Cases already on this agenda are left out; a strategic table takes policy items only."""
    require(actor, Action.MEETING_MANAGE, meeting.cell_id)
    if meeting.table.kind == TableKind.STRATEGIC or meeting.status != MeetingStatus.DRAFT:
        return []
    day = timezone.localdate(meeting.starts_at)
    on_an_agenda = AgendaItem.objects.filter(case_id=OuterRef("pk")).exclude(
        meeting__status=MeetingStatus.CANCELLED
    )
    cases = (
        case_queryset_for(actor, meeting.cell_id)
        .exclude(agenda_items__meeting=meeting)
        .annotate(on_an_agenda=Exists(on_an_agenda))
        .order_by("year", "number")
    )
    running = (CaseStatus.IN_DISCUSSION, CaseStatus.FOLLOW_UP)
    return [
        *(
            Proposal(ItemKind.NEW_CASE, case)
            for case in cases.filter(status=CaseStatus.ON_LIST, on_an_agenda=False)
        ),
        *(
            Proposal(ItemKind.REVIEW, case)
            for case in cases.filter(status__in=running, next_review_on__lte=day)
        ),
        *(Proposal(ItemKind.CLOSURE, case) for case in cases.filter(status=CaseStatus.EVALUATION)),
    ]


@dataclass
class ItemRow:
    """One item of a meeting page, with what the reader may see and (coordinator) manage."""

    item: AgendaItem
    access: ItemAccess
    invitations: list[Invitation] = field(default_factory=list)
    candidates: list[Membership] = field(default_factory=list)


@dataclass
class MeetingPage:
    meeting: Meeting
    rows: list[ItemRow]
    can_manage: bool
    is_secretary: bool
    attendance: Attendance | None
    attendances: list[Attendance]
    present_candidates: list[User]


def meeting_page_for(*, actor: User, meeting: Meeting) -> MeetingPage:
    """The meeting page: the items the reader may see; for the coordinator the invitations and
    whom they may still invite; attendance for the coordinator and the secretary."""
    access = item_access_map(actor, meeting)
    can_manage = can(actor, Action.MEETING_MANAGE, meeting.cell_id)
    is_secretary = is_meeting_secretary(actor, meeting)
    items = list(
        meeting.items.select_related("case").prefetch_related(
            Prefetch(
                "invitations",
                queryset=Invitation.objects.select_related(
                    "membership__user", "membership__organisation"
                ).order_by("membership__user__full_name", "pk"),
            )
        )
    )
    rows = [
        ItemRow(item=item, access=access.get(item.pk, ItemAccess()))
        for item in items
        if can_manage or access.get(item.pk, ItemAccess()).listed
    ]
    if can_manage:
        members = (
            list(
                invitable_memberships(AgendaItem(meeting=meeting)).order_by("user__full_name", "pk")
            )
            if items
            else []
        )
        for row in rows:
            row.invitations = list(row.item.invitations.all())
            invited = {i.membership_id for i in row.invitations}
            policy_ok = row.item.case_id is None
            row.candidates = [
                m
                for m in members
                if m.pk not in invited and (policy_ok or m.role != Role.STRATEGIC)
            ]
    attendances = list(
        meeting.attendances.select_related("user", "recorded_by").order_by("user__full_name")
    )
    own = next((a for a in attendances if a.user_id == actor.pk), None)
    present_candidates: list[User] = []
    if (can_manage or is_secretary) and meeting.is_locked:
        people = {
            meeting.chaired_by_id: meeting.chaired_by,
            meeting.secretary_id: meeting.secretary,
        }
        for item in items:
            for invitation in item.invitations.all():
                people[invitation.membership.user_id] = invitation.membership.user
        present_candidates = sorted(people.values(), key=lambda u: (u.full_name, u.pk))
    if not (can_manage or is_secretary):
        attendances = [a for a in attendances if a.user_id == actor.pk]
    return MeetingPage(
        meeting=meeting,
        rows=rows,
        can_manage=can_manage,
        is_secretary=is_secretary,
        attendance=own,
        attendances=attendances,
        present_candidates=present_candidates,
    )


def item_get_for(
    *, actor: User, meeting: Meeting, item_pk: object
) -> tuple[AgendaItem, ItemAccess]:
    """The item of ``meeting`` and what ``actor`` may see of it; 404 unless it is listed."""
    try:
        item = meeting.items.select_related("case__cell").get(pk=item_pk)  # type: ignore[misc]
    except (AgendaItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access = item_access_map(actor, meeting).get(item.pk, ItemAccess())
    if not access.listed:
        raise Http404
    return item, access


def item_entries_for(*, actor: User, item: AgendaItem) -> list[JournalEntry]:
    """The journal entries marked for the meeting that ``actor`` may read (entry visibility
    by their role and organisation); call only when the item's content is shown."""
    if item.case is None:
        return []
    context = case_context(actor, item.case)
    meeting = item.meeting
    # "Marked for the coming meeting": marked (written or last edited) after the start of the
    # previous meeting that had this case on its agenda, and before this meeting ended.
    previous = (
        Meeting.objects.filter(
            items__case=item.case, starts_at__lt=meeting.starts_at, cell_id=meeting.cell_id
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(pk=meeting.pk)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    entries = JournalEntry.objects.filter(
        case=item.case, for_meeting=True, updated_at__lte=meeting.ended_at or meeting.ends_at
    )
    if previous is not None:
        entries = entries.filter(updated_at__gt=previous)
    return list(
        entries.filter(context.entry_q())
        .select_related("author", "organisation")
        .order_by("occurred_on", "pk")
    )


def is_present_participant(actor: User, meeting: Meeting) -> bool:
    return meeting.attendances.filter(user=actor).exists()


__all__ = [
    "ItemRow",
    "MeetingPage",
    "Proposal",
    "agenda_proposal_for",
    "item_entries_for",
    "item_get_for",
    "meeting_get_for",
    "meeting_list_for",
    "meeting_page_for",
]
