"""Writes of break-glass access and its review."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casus.access.models import Membership, Role, User
from casus.access.rules import (
    Action,
    CaseAction,
    case_context,
    require,
)
from casus.audit.services import audit_record
from casus.cases.models import (
    Case,
    GrantReason,
)
from casus.cases.services.common import grant_user, lock
from casus.core.exceptions import RuleViolation
from casus.core.notices import notify

from ..models import (
    BreakGlass,
)

#: How long one break-glass access lasts.
BREAK_GLASS_HOURS = 24
#: The shortest reason accepted: a few words that say why it cannot wait for a meeting.
REASON_MIN_LENGTH = 20
REASON_MAX_LENGTH = 2000
BREAK_GLASS_NOTIFICATION = "break_glass_opened"


def break_glass_open(*, actor: User, case: Case, reason: str) -> BreakGlass:
    """Open ``case``'s file to the chair for 24 hours, with a written reason.

    The view asks for re-authentication first. The coordinator and the data-protection officer
    are notified (no content: the kind and the case number); the use waits for review at the
    next meeting.
    """
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise RuleViolation(
            _("Write why the file must be opened now, in at least %(count)d characters.")
            % {"count": REASON_MIN_LENGTH}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise RuleViolation(
            _("Keep the reason under %(count)d characters.") % {"count": REASON_MAX_LENGTH}
        )
    with transaction.atomic():
        case = lock(case)
        case_context(actor, case).require(CaseAction.BREAK_GLASS)
        now = timezone.now()
        access = BreakGlass.objects.create(
            cell_id=case.cell_id,
            case=case,
            user=actor,
            reason=reason,
            opened_at=now,
            expires_at=now + timedelta(hours=BREAK_GLASS_HOURS),
        )
        grant_user(
            case=case,
            user=actor,
            source=access,
            reason=GrantReason.BREAK_GLASS,
            dossier=True,
            valid_from=now,
            valid_until=access.expires_at,
        )
        audit_record(
            actor=actor,
            action="BREAK_GLASS_OPENED",
            cell=case.cell,
            obj=access,
            case_id=case.pk,
            values={"reason": (None, reason), "expires_at": (None, access.expires_at)},
        )
        access_pk, cell_pk, reference = access.pk, case.cell_id, case.reference
        transaction.on_commit(lambda: _notify(access_pk, cell_pk, reference))
    return access


def _notify(access_pk: int, cell_pk: int, reference: str) -> None:
    """Tell the cell's coordinators and DPOs at once: a notice and a content-free e-mail."""
    seats = (
        Membership.objects.current()
        .filter(cell_id=cell_pk, role__in=[Role.COORDINATOR, Role.DPO], user__is_active=True)
        .select_related("user")
    )
    notify(
        users=(membership.user for membership in seats),
        cell_id=cell_pk,
        kind=BREAK_GLASS_NOTIFICATION,
        reference=reference,
        url=reverse("privacy:break_glass_list"),
        key=f"{BREAK_GLASS_NOTIFICATION}:{access_pk}",
        subject=gettext_lazy("[Casus] A break-glass access was opened"),
        body=gettext_lazy(
            "The chair of your cell opened a case file by break-glass.\n\n"
            "Open %(url)s to see which one and when.\n"
        ),
        what="break-glass",
    )


def break_glass_review(*, actor: User, access: BreakGlass, note: str) -> BreakGlass:
    """Record that the meeting reviewed a break-glass use (the coordinator writes it down)."""
    require(actor, Action.BREAK_GLASS_REVIEW, access.cell_id)
    note = (note or "").strip()
    if not note:
        raise RuleViolation(_("Write what the meeting concluded about this access."))
    if len(note) > REASON_MAX_LENGTH:
        raise RuleViolation(
            _("Keep the review under %(count)d characters.") % {"count": REASON_MAX_LENGTH}
        )
    with transaction.atomic():
        access = lock(access)
        if access.reviewed_at is not None:
            raise RuleViolation(_("This access has already been reviewed."))
        access.reviewed_at = timezone.now()
        access.reviewed_by = actor
        access.review_note = note
        access.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
        audit_record(
            actor=actor,
            action="BREAK_GLASS_REVIEWED",
            cell=access.cell,
            obj=access,
            case_id=access.case_id,
            values={"review_note": ("", note), "reviewed_at": (None, access.reviewed_at)},
        )
    return access
