"""Meetings of a table: the meeting itself, its agenda, invitations per item, publication with
the meeting-window grants and the e-mail invitations, the locked participant list, attendance
and the art. 458ter confirmations.

Every write checks ``Action.MEETING_MANAGE`` (the coordinator) unless said otherwise, runs in
one transaction and writes one audit row. No case content goes into e-mails or audit data.
"""

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from casus.access.models import CASE_ROLES, Cell, Membership, Role, Table, TableKind, User
from casus.access.rules import Action, forget_case_contexts, membership_for, require
from casus.access.rules.meeting_roles import (
    is_meeting_secretary,
    may_be_present_for,
    may_record_attendance,
)
from casus.audit.services import audit_record
from casus.cases.models import Case, CaseGrant, CaseStatus, GrantReason, Participation
from casus.cases.services.common import (
    Changes,
    apply_changes,
    check_version,
    grant_user,
    initial_values,
)
from casus.core.exceptions import Forbidden, RuleViolation

from ..ics import meeting_ics
from ..models import (
    AgendaItem,
    Attendance,
    ConfirmationMethod,
    Invitation,
    ItemKind,
    Meeting,
    MeetingStatus,
)

logger = logging.getLogger(__name__)

#: The fields of a meeting that its change-log row records.
MEETING_FIELDS = (
    "table",
    "starts_at",
    "duration_minutes",
    "place",
    "video_link",
    "chaired_by",
    "secretary",
    "window_days",
)
#: Statuses in which the agenda and its invitations are still prepared.
OPEN_STATUSES = (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED)


def _record(
    *,
    actor: User,
    action: str,
    meeting: Meeting,
    obj: Any = None,
    changes: Changes | None = None,
    data: dict[str, Any] | None = None,
    case_id: int | None = None,
) -> None:
    """The change-log row of a meeting write (codes and ids only, never case content)."""
    audit_record(
        actor=actor,
        action=action,
        cell=meeting.cell,
        obj=obj if obj is not None else meeting,
        case_id=case_id,
        values=changes or {},
        data={"meeting": meeting.pk, **(data or {})},
    )


def _grant_and_record(
    *,
    actor: User,
    meeting: Meeting,
    case: Case,
    user: User,
    source: Any,
    dossier: bool,
) -> CaseGrant:
    """Write one meeting-window grant and its own audit row (on its case), in the caller's
    transaction."""
    grant = grant_user(
        case=case,
        user=user,
        source=source,
        reason=GrantReason.MEETING,
        dossier=dossier,
        valid_until=meeting.window_ends_at,
    )
    audit_record(
        actor=actor,
        action="MEETING_GRANT_CREATED",
        cell=meeting.cell,
        obj=grant,
        case_id=case.pk,
        data={
            "meeting": meeting.pk,
            "user": user.pk,
            "dossier": dossier,
            "valid_until": meeting.window_ends_at.isoformat(),
        },
    )
    return grant


# --- The meeting ------------------------------------------------------------------------------


def _check_table(cell: Cell, table: Table) -> None:
    if table.cell_id != cell.pk or not table.is_active:
        raise RuleViolation(_("Choose one of the cell's active tables."))


def _check_person(cell: Cell, table: Table, user: User, what: str) -> None:
    """The chair of the meeting and the secretary: current members seated at the table, or
    the cell's chair or coordinator."""
    membership = (
        Membership.objects.current()
        .filter(user=user, cell_id=cell.pk, user__is_active=True)
        .first()
    )
    allowed = membership is not None and (
        membership.role in (Role.CHAIR, Role.COORDINATOR)
        or table.seats.filter(pk=membership.pk).exists()
    )
    if not allowed:
        raise RuleViolation(
            _(
                "The %(what)s must be a current member seated at this table, or the cell's "
                "chair or coordinator."
            )
            % {"what": what}
        )


def _check_meeting_values(
    cell: Cell,
    table: Table,
    *,
    chaired_by: User,
    secretary: User,
    duration_minutes: int,
    window_days: int,
) -> None:
    _check_table(cell, table)
    _check_person(cell, table, chaired_by, _("chair of the meeting"))
    _check_person(cell, table, secretary, _("secretary"))
    if not 1 <= int(duration_minutes) <= 24 * 60:
        raise RuleViolation(_("A meeting lasts between 1 minute and 24 hours."))
    if not 0 <= int(window_days) <= 90:
        raise RuleViolation(_("Item access after the meeting lasts between 0 and 90 days."))


def meeting_create(
    *,
    actor: User,
    cell: Cell,
    table: Table,
    starts_at: datetime,
    duration_minutes: int,
    place: str,
    video_link: str,
    chaired_by: User,
    secretary: User,
    window_days: int = 7,
) -> Meeting:
    """Plan a meeting of ``table``; its agenda is prepared while it is a draft."""
    require(actor, Action.MEETING_MANAGE, cell)
    _check_meeting_values(
        cell,
        table,
        chaired_by=chaired_by,
        secretary=secretary,
        duration_minutes=duration_minutes,
        window_days=window_days,
    )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            cell=cell,
            table=table,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            place=place,
            video_link=video_link,
            chaired_by=chaired_by,
            secretary=secretary,
            window_days=window_days,
            created_by=actor,
        )
        _record(
            actor=actor,
            action="MEETING_CREATED",
            meeting=meeting,
            changes=initial_values(meeting, MEETING_FIELDS),
        )
    return meeting


def _window_grants(meeting: Meeting) -> "QuerySet[CaseGrant]":
    """The meeting-window grants of ``meeting``: per invitation, and the chair's per item."""
    return CaseGrant.objects.filter(
        Q(
            source_type=Invitation._meta.label_lower,
            source_id__in=Invitation.objects.filter(item__meeting=meeting).values("pk"),
        )
        | Q(
            source_type=AgendaItem._meta.label_lower,
            source_id__in=AgendaItem.objects.filter(meeting=meeting).values("pk"),
        ),
        reason=GrantReason.MEETING,
    )


def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    version: int | None,
    starts_at: datetime,
    duration_minutes: int,
    place: str,
    video_link: str,
    chaired_by: User,
    secretary: User,
    window_days: int,
) -> Meeting:
    """Change a meeting still in preparation (draft or published); the table stays."""
    require(actor, Action.MEETING_MANAGE, meeting.cell_id)
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update().select_related("cell", "table").get(pk=meeting.pk)
        )
        check_version(meeting, version)
        if meeting.status not in OPEN_STATUSES:
            raise RuleViolation(_("A meeting that has started, ended or was cancelled is fixed."))
        _check_meeting_values(
            meeting.cell,
            meeting.table,
            chaired_by=chaired_by,
            secretary=secretary,
            duration_minutes=duration_minutes,
            window_days=window_days,
        )
        changes = apply_changes(
            meeting,
            {
                "starts_at": starts_at,
                "duration_minutes": duration_minutes,
                "place": place,
                "video_link": video_link,
                "chaired_by": chaired_by,
                "secretary": secretary,
                "window_days": window_days,
            },
        )
        if not changes:
            return meeting
        meeting.version += 1
        meeting.save(update_fields=[*changes, "version"])
        if meeting.status == MeetingStatus.PUBLISHED:
            # The window follows the new date; a new chair gets the chair's grants.
            _window_grants(meeting).filter(valid_until__gt=timezone.now()).update(
                valid_until=meeting.window_ends_at
            )
            if "chaired_by" in changes:
                _end_chair_grants(meeting)
                _grant_chair(actor, meeting)
        _record(actor=actor, action="MEETING_UPDATED", meeting=meeting, changes=changes)
    return meeting


# --- The agenda -------------------------------------------------------------------------------


def _lock_for_agenda(actor: User, meeting: Meeting) -> Meeting:
    """Require the coordinator, lock the meeting and refuse once the agenda is published."""
    require(actor, Action.MEETING_MANAGE, meeting.cell_id)
    meeting = Meeting.objects.select_for_update().select_related("cell", "table").get(pk=meeting.pk)
    if meeting.status != MeetingStatus.DRAFT:
        raise RuleViolation(
            _("The agenda can be changed only before it is published (the meeting is %(s)s).")
            % {"s": MeetingStatus(meeting.status).label}
        )
    return meeting


def agenda_item_add(
    *, actor: User, meeting: Meeting, kind: str, case: Case | None = None, title: str = ""
) -> AgendaItem:
    """Add a case item (new case, review, proposed closure) or a policy item to the agenda."""
    with transaction.atomic():
        meeting = _lock_for_agenda(actor, meeting)
        if kind not in ItemKind.values:
            raise RuleViolation(_("Choose the kind of agenda item."))
        title = (title or "").strip()
        if kind == ItemKind.POLICY:
            if case is not None:
                raise RuleViolation(_("A policy item is not about a case."))
            if not title:
                raise RuleViolation(_("Give the policy item a title."))
        else:
            if meeting.table.kind == TableKind.STRATEGIC:
                raise RuleViolation(_("A strategic table discusses policy items only."))
            if case is None or case.cell_id != meeting.cell_id:
                raise RuleViolation(_("Choose a case of this cell."))
            if case.status == CaseStatus.CLOSED:
                raise RuleViolation(_("A closed case is not put on the agenda."))
            if meeting.items.filter(case=case).exists():
                raise RuleViolation(_("This case is already on the agenda."))
            title = ""
        last = meeting.items.aggregate(last=Max("position"))["last"] or 0
        item = AgendaItem.objects.create(
            meeting=meeting, position=last + 1, kind=kind, case=case, title=title
        )
        _record(
            actor=actor,
            action="MEETING_ITEM_ADDED",
            meeting=meeting,
            obj=item,
            changes=initial_values(item, ("kind", "case", "title", "position")),
            case_id=item.case_id,
        )
    return item


def agenda_item_remove(*, actor: User, item: AgendaItem) -> None:
    """Take an item (and its invitations) off a draft agenda."""
    with transaction.atomic():
        meeting = _lock_for_agenda(actor, item.meeting)
        item = AgendaItem.objects.get(pk=item.pk, meeting=meeting)
        invited = list(item.invitations.values_list("membership_id", flat=True))
        item.invitations.all().delete()
        item.present.clear()
        item_id, case_id = item.pk, item.case_id
        _record(
            actor=actor,
            action="MEETING_ITEM_REMOVED",
            meeting=meeting,
            obj=item,
            data={"item": item_id, "kind": item.kind, "invitations": invited},
            case_id=case_id,
        )
        item.delete()


def agenda_reorder(*, actor: User, meeting: Meeting, order: list[int]) -> None:
    """Put the draft agenda's items in ``order`` (every item's id, once)."""
    with transaction.atomic():
        meeting = _lock_for_agenda(actor, meeting)
        items = {item.pk: item for item in meeting.items.all()}
        try:
            wanted = [int(pk) for pk in order]
        except (TypeError, ValueError):
            raise RuleViolation(_("Give every agenda item once.")) from None
        if sorted(wanted) != sorted(items) or len(set(wanted)) != len(wanted):
            raise RuleViolation(_("Give every agenda item once."))
        old = [item.pk for item in sorted(items.values(), key=lambda i: (i.position, i.pk))]
        changed = []
        for position, pk in enumerate(wanted, start=1):
            item = items[pk]
            if item.position != position:
                item.position = position
                changed.append(item)
        AgendaItem.objects.bulk_update(changed, ["position"])
        _record(
            actor=actor,
            action="MEETING_AGENDA_REORDERED",
            meeting=meeting,
            changes={"order": (old, wanted)},
        )


# --- Invitations ------------------------------------------------------------------------------


def invitable_memberships(item: AgendaItem) -> "QuerySet[Membership]":
    """Whom the coordinator may invite for ``item``: current members of the cell whom the
    chair approved; for a case item only case roles, for a policy item also strategic ones."""
    roles = set(CASE_ROLES) if item.case_id is not None else {*CASE_ROLES, Role.STRATEGIC}
    return (
        Membership.objects.current()
        .filter(
            cell_id=item.meeting.cell_id,
            approved_by__isnull=False,
            role__in=roles,
            user__is_active=True,
        )
        .select_related("user", "organisation")
    )


def _participating_organisations(case_ids: set[int]) -> set[tuple[int, int]]:
    """(case id, organisation id) of every active participation of these cases."""
    return set(
        Participation.objects.filter(case_id__in=case_ids, revoked_at__isnull=True).values_list(
            "case_id", "organisation_id"
        )
    )


def _refuse_locked(actor: User, meeting: Meeting, item: AgendaItem, data: dict[str, Any]) -> None:
    """Once the meeting started, nobody is added or removed: refused, and the refusal audited
    (in its own transaction, so that it stays when the caller rolls back)."""
    with transaction.atomic():
        _record(
            actor=actor,
            action="MEETING_INVITATION_REFUSED",
            meeting=meeting,
            obj=item,
            data={"item": item.pk, **data},
            case_id=item.case_id,
        )
    raise RuleViolation(
        _("The participant list is locked: the meeting has started. Nobody can be added now.")
    )


def _check_not_locked(actor: User, item: AgendaItem, data: dict[str, Any]) -> None:
    """Require the coordinator; refuse (audited) once the participant list is locked."""
    require(actor, Action.MEETING_MANAGE, item.meeting.cell_id)
    meeting = Meeting.objects.select_related("cell").get(pk=item.meeting_id)
    if meeting.is_locked:
        _refuse_locked(actor, meeting, item, data)


def _lock_open_meeting(meeting_id: int) -> Meeting:
    """Lock the meeting row; refuse when it started meanwhile."""
    meeting = Meeting.objects.select_for_update().select_related("cell", "table").get(pk=meeting_id)
    if meeting.is_locked:  # pragma: no cover — started between the check and the lock
        raise RuleViolation(_("The participant list is locked: the meeting has started."))
    return meeting


def _grant_invitation(
    actor: User, meeting: Meeting, invitation: Invitation, participating: bool
) -> None:
    """The window grant of one invitation on a case item, for an outsider to the case."""
    item = invitation.item
    if item.case_id is None or participating:
        return
    _grant_and_record(
        actor=actor,
        meeting=meeting,
        case=item.case,  # type: ignore[arg-type]
        user=invitation.membership.user,
        source=invitation,
        dossier=False,
    )


def _create_invitation(
    *, actor: User, meeting: Meeting, item: AgendaItem, membership: Membership
) -> Invitation:
    invitation = Invitation.objects.create(item=item, membership=membership, invited_by=actor)
    if meeting.status == MeetingStatus.PUBLISHED and item.case_id is not None:
        participating = (item.case_id, membership.organisation_id) in (
            _participating_organisations({item.case_id})
        )
        _grant_invitation(actor, meeting, invitation, participating)
    return invitation


def invitations_default(*, actor: User, item: AgendaItem) -> list[Invitation]:
    """Invite the default participants of ``item``: the table's seated, chair-approved members
    whose organisation participates in the case (a policy item: every seat). Returns the new
    invitations; those already invited stay."""
    _check_not_locked(actor, item, {"default": True})
    with transaction.atomic():
        meeting = _lock_open_meeting(item.meeting_id)
        item = AgendaItem.objects.select_related("case", "meeting").get(pk=item.pk)
        seats = invitable_memberships(item).filter(tables=meeting.table)
        if item.case_id is not None:
            organisations = {org for _case, org in _participating_organisations({item.case_id})}
            seats = seats.filter(organisation_id__in=organisations)
        already = set(item.invitations.values_list("membership_id", flat=True))
        created = [
            _create_invitation(actor=actor, meeting=meeting, item=item, membership=membership)
            for membership in seats.order_by("user__full_name", "pk")
            if membership.pk not in already
        ]
        _record(
            actor=actor,
            action="MEETING_INVITATIONS_DEFAULTED",
            meeting=meeting,
            obj=item,
            data={"item": item.pk, "memberships": [i.membership_id for i in created]},
            case_id=item.case_id,
        )
    return created


def invitation_add(*, actor: User, item: AgendaItem, membership: Membership) -> Invitation:
    """Invite one chair-approved member for ``item`` (refused and audited once locked)."""
    _check_not_locked(actor, item, {"membership": membership.pk, "add": True})
    with transaction.atomic():
        meeting = _lock_open_meeting(item.meeting_id)
        item = AgendaItem.objects.select_related("case", "meeting").get(pk=item.pk)
        if not invitable_memberships(item).filter(pk=membership.pk).exists():
            raise RuleViolation(
                _(
                    "Only current members of the cell whom the chair approved can be invited "
                    "(for a case item: members with a case role)."
                )
            )
        if item.invitations.filter(membership=membership).exists():
            raise RuleViolation(_("This member is already invited for this item."))
        invitation = _create_invitation(
            actor=actor, meeting=meeting, item=item, membership=membership
        )
        _record(
            actor=actor,
            action="MEETING_INVITATION_ADDED",
            meeting=meeting,
            obj=invitation,
            changes=initial_values(invitation, ("item", "membership")),
            case_id=item.case_id,
        )
    return invitation


def invitation_remove(*, actor: User, invitation: Invitation) -> None:
    """Withdraw an invitation (its window grant ends); refused and audited once locked."""
    item = invitation.item
    _check_not_locked(actor, item, {"membership": invitation.membership_id, "remove": True})
    with transaction.atomic():
        meeting = _lock_open_meeting(item.meeting_id)
        invitation = Invitation.objects.select_related("membership__user").get(pk=invitation.pk)
        now = timezone.now()
        CaseGrant.objects.filter(
            source_type=Invitation._meta.label_lower, source_id=invitation.pk
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now)).update(valid_until=now)
        forget_case_contexts(invitation.membership.user)
        _record(
            actor=actor,
            action="MEETING_INVITATION_REMOVED",
            meeting=meeting,
            obj=invitation,
            changes={"membership": (invitation.membership_id, None)},
            data={"item": item.pk},
            case_id=item.case_id,
        )
        invitation.delete()


# --- Publication and the course of the meeting --------------------------------------------------


def _lock_meeting(actor: User, meeting: Meeting, version: int | None) -> Meeting:
    require(actor, Action.MEETING_MANAGE, meeting.cell_id)
    meeting = Meeting.objects.select_for_update().select_related("cell", "table").get(pk=meeting.pk)
    check_version(meeting, version)
    return meeting


def _grant_chair(actor: User, meeting: Meeting) -> None:
    """The meeting's chair, when they hold the chair role, reads the files of its case items."""
    chair = meeting.chaired_by
    membership = membership_for(chair, meeting.cell_id)
    if membership is None or membership.role != Role.CHAIR:
        return
    for item in meeting.items.filter(case__isnull=False).select_related("case"):
        _grant_and_record(
            actor=actor,
            meeting=meeting,
            case=item.case,  # type: ignore[arg-type]
            user=chair,
            source=item,
            dossier=True,
        )


def _end_chair_grants(meeting: Meeting) -> None:
    now = timezone.now()
    CaseGrant.objects.filter(
        source_type=AgendaItem._meta.label_lower,
        source_id__in=meeting.items.values("pk"),
        reason=GrantReason.MEETING,
        valid_until__gt=now,
    ).update(valid_until=now)


def _set_status(meeting: Meeting, status: str, **stamps: datetime) -> Changes:
    changes = apply_changes(meeting, {"status": status, **stamps})
    meeting.version += 1
    meeting.save(update_fields=[*changes, "version"])
    return changes


def meeting_publish(*, actor: User, meeting: Meeting, version: int | None) -> Meeting:
    """Publish the agenda: the window grants start, the invitations are e-mailed."""
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting, version)
        if meeting.status != MeetingStatus.DRAFT:
            raise RuleViolation(_("Only an agenda in preparation can be published."))
        if not meeting.items.exists():
            raise RuleViolation(_("Add at least one item before publishing the agenda."))
        changes = _set_status(meeting, MeetingStatus.PUBLISHED, published_at=timezone.now())
        invitations = list(
            Invitation.objects.filter(item__meeting=meeting).select_related(
                "item__case", "membership__user"
            )
        )
        participations = _participating_organisations(
            {i.item.case_id for i in invitations if i.item.case_id is not None}
        )
        for invitation in invitations:
            _grant_invitation(
                actor,
                meeting,
                invitation,
                (invitation.item.case_id, invitation.membership.organisation_id) in participations,
            )
        _grant_chair(actor, meeting)
        _record(actor=actor, action="MEETING_PUBLISHED", meeting=meeting, changes=changes)
        people = {i.membership.user for i in invitations}
        people |= {meeting.chaired_by, meeting.secretary}
        recipients = sorted((u for u in people if u.is_active), key=lambda u: u.pk)
        meeting_pk = meeting.pk
        transaction.on_commit(lambda: _mail_invitations(meeting_pk, recipients))
    return meeting


def meeting_url(meeting: Meeting) -> str:
    return str(settings.CASUS_BASE_URL).rstrip("/") + reverse("meetings:detail", args=[meeting.pk])


def _mail_invitations(meeting_pk: int, recipients: list[User]) -> None:
    """One e-mail per person, in their language, with the .ics: no case content at all."""
    meeting = Meeting.objects.select_related("table").get(pk=meeting_pk)
    ics = meeting_ics(meeting)
    url = meeting_url(meeting)
    for user in recipients:
        try:
            _mail_invitation(meeting, ics, url, user)
        except Exception:
            # Already committed: the others still get theirs. No address, no case content.
            logger.exception(
                "Meeting invitation e-mail failed (meeting %s, user %s).", meeting.pk, user.pk
            )


def _mail_invitation(meeting: Meeting, ics: Any, url: str, user: User) -> None:
    """The invitation e-mail of one person."""
    with translation.override(user.language):
        when = formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
        subject = _("[Casus] Invitation: %(table)s, %(when)s") % {
            "table": meeting.table.name,
            "when": when,
        }
        body = _(
            "You are invited to a meeting of %(table)s on %(when)s.\n"
            "Place: %(place)s\n\n"
            "Open %(url)s to read the agenda items you are invited for. What is said at "
            "the meeting is confidential (art. 458ter of the Criminal Code).\n"
        ) % {
            "table": meeting.table.name,
            "when": when,
            "place": meeting.place or meeting.video_link or "-",
            "url": url,
        }
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach("meeting.ics", ics, "text/calendar")
    message.send()


def meeting_start(*, actor: User, meeting: Meeting, version: int | None) -> Meeting:
    """Open the meeting: the participant list locks."""
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting, version)
        if meeting.status != MeetingStatus.PUBLISHED:
            raise RuleViolation(_("Only a meeting with a published agenda can start."))
        changes = _set_status(meeting, MeetingStatus.STARTED, started_at=timezone.now())
        _record(actor=actor, action="MEETING_STARTED", meeting=meeting, changes=changes)
    return meeting


def meeting_end(*, actor: User, meeting: Meeting, version: int | None) -> Meeting:
    """Close the meeting: window access lasts ``window_days`` from now."""
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting, version)
        if meeting.status != MeetingStatus.STARTED:
            raise RuleViolation(_("Only a meeting in session can end."))
        changes = _set_status(meeting, MeetingStatus.ENDED, ended_at=timezone.now())
        # Only grants still running: those ended meanwhile (a replaced chair) stay ended.
        moved = (
            _window_grants(meeting)
            .filter(valid_until__gt=timezone.now())
            .update(valid_until=meeting.window_ends_at)
        )
        _record(
            actor=actor,
            action="MEETING_ENDED",
            meeting=meeting,
            changes=changes,
            data={"grants": moved},
        )
    return meeting


def meeting_cancel(*, actor: User, meeting: Meeting, version: int | None) -> Meeting:
    """Cancel a meeting before it starts: every window grant ends now."""
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting, version)
        if meeting.status not in OPEN_STATUSES:
            raise RuleViolation(_("Only a meeting that has not started can be cancelled."))
        changes = _set_status(meeting, MeetingStatus.CANCELLED)
        now = timezone.now()
        ended = _window_grants(meeting).filter(valid_until__gt=now).update(valid_until=now)
        _record(
            actor=actor,
            action="MEETING_CANCELLED",
            meeting=meeting,
            changes=changes,
            data={"grants": ended},
        )
    return meeting


# --- Attendance and the art. 458ter confirmation ----------------------------------------------


def _is_current_member(user: User, cell_id: int) -> bool:
    return membership_for(user, cell_id) is not None


def attendance_record(
    *, actor: User, meeting: Meeting, user: User, present_for_items: list[int]
) -> Attendance:
    """Record who is present, and for which items (the coordinator or the meeting's secretary).

    Only invited people, the meeting's chair and its secretary can be present; an item only
    for those invited for it (chair and secretary: every item).
    """
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("cell").get(pk=meeting.pk)
        if not may_record_attendance(actor, meeting):
            require(actor, Action.MEETING_MANAGE, meeting.cell_id)
        # Only in session: approvals of minutes and feedback rest on who was present.
        if meeting.status != MeetingStatus.STARTED:
            raise RuleViolation(
                _("Attendance is recorded while the meeting is in session (once it has started).")
            )
        items = {item.pk: item for item in meeting.items.all()}
        invited_for = set(
            Invitation.objects.filter(item__meeting=meeting, membership__user=user).values_list(
                "item_id", flat=True
            )
        )
        runs_meeting = user.pk in (meeting.chaired_by_id, meeting.secretary_id)
        if not invited_for and not runs_meeting:
            raise RuleViolation(
                _("Only invited people, the chair and the secretary can be recorded as present.")
            )
        try:
            wanted = {int(pk) for pk in present_for_items}
        except (TypeError, ValueError):
            raise RuleViolation(_("Choose items of this meeting.")) from None
        if not wanted <= set(items):
            raise RuleViolation(_("Choose items of this meeting."))
        if not runs_meeting and not wanted <= invited_for:
            raise RuleViolation(_("A person is present only for the items they were invited for."))
        newly = wanted - set(
            AgendaItem.present.through.objects.filter(
                agendaitem__meeting=meeting, user=user
            ).values_list("agendaitem_id", flat=True)
        )
        if any(not may_be_present_for(user, items[pk]) for pk in newly):
            raise RuleViolation(
                _("A person is present only for items whose content they may read.")
            )
        attendance, created = Attendance.objects.get_or_create(meeting=meeting, user=user)
        before = sorted(
            AgendaItem.present.through.objects.filter(
                agendaitem__meeting=meeting, user=user
            ).values_list("agendaitem_id", flat=True)
        )
        for pk, item in items.items():
            if pk in wanted:
                item.present.add(user)
            else:
                item.present.remove(user)
        _record(
            actor=actor,
            action="MEETING_ATTENDANCE_RECORDED",
            meeting=meeting,
            obj=attendance,
            changes={"present_for_items": (before, sorted(wanted))},
            data={"user": user.pk, "created": created},
        )
    return attendance


def secrecy_confirm(*, actor: User, meeting: Meeting) -> Attendance:
    """The present participant confirms the art. 458ter obligation on their own device."""
    if not _is_current_member(actor, meeting.cell_id):
        raise Forbidden(Action.MEETING_LIST)
    return _confirm(actor=actor, meeting=meeting, user=actor, method=ConfirmationMethod.OWN_DEVICE)


def secrecy_record(*, actor: User, meeting: Meeting, user: User) -> Attendance:
    """The secretary records a confirmation signed on the paper attendance sheet."""
    if not is_meeting_secretary(actor, meeting):
        raise Forbidden(Action.MEETING_MANAGE)
    return _confirm(
        actor=actor, meeting=meeting, user=user, method=ConfirmationMethod.ATTENDANCE_SHEET
    )


def _confirm(*, actor: User, meeting: Meeting, user: User, method: str) -> Attendance:
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("cell").get(pk=meeting.pk)
        if meeting.status != MeetingStatus.STARTED:
            raise RuleViolation(_("The obligation is confirmed while the meeting is in session."))
        attendance = (
            Attendance.objects.select_for_update().filter(meeting=meeting, user=user).first()
        )
        if attendance is None:
            raise RuleViolation(_("Only a person recorded as present confirms the obligation."))
        if attendance.confirmed_at is not None:
            raise RuleViolation(_("The obligation has already been confirmed."))
        changes = apply_changes(
            attendance,
            {
                "confirmed_at": timezone.now(),
                "method": method,
                "recorded_by": actor if method == ConfirmationMethod.ATTENDANCE_SHEET else None,
            },
        )
        attendance.save(update_fields=list(changes))
        _record(
            actor=actor,
            action="MEETING_SECRECY_CONFIRMED",
            meeting=meeting,
            obj=attendance,
            changes=changes,
            data={"user": user.pk, "method": method},
        )
    return attendance


__all__ = [
    "agenda_item_add",
    "agenda_item_remove",
    "agenda_reorder",
    "attendance_record",
    "invitable_memberships",
    "invitation_add",
    "invitation_remove",
    "invitations_default",
    "meeting_cancel",
    "meeting_create",
    "meeting_end",
    "meeting_publish",
    "meeting_start",
    "meeting_update",
    "secrecy_confirm",
    "secrecy_record",
]
