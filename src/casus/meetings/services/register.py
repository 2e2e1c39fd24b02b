"""The information-exchange register: what passed to or from the LTF, police or others.

References only (a PV or RIR number), never copies of police or OCAD database content.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access.models import Cell, User
from casus.access.rules import Action, require
from casus.audit.services import audit_record
from casus.cases.models import Case
from casus.cases.services.common import initial_values
from casus.core.exceptions import Forbidden, RuleViolation

from ..models import Counterpart, Direction, ExchangeEntry, LegalBasis

#: The fields of an entry, in the change log.
ENTRY_FIELDS = (
    "direction",
    "counterpart",
    "counterpart_detail",
    "occurred_on",
    "legal_basis",
    "legal_basis_detail",
    "reference",
    "subject",
    "case",
)


def exchange_record(
    *,
    actor: User,
    cell: Cell,
    direction: str,
    counterpart: str,
    counterpart_detail: str,
    occurred_on: date,
    legal_basis: str,
    legal_basis_detail: str,
    reference: str,
    subject: str,
    case: Case | None = None,
) -> ExchangeEntry:
    """Enter one exchange in ``cell``'s register (the information officer)."""
    require(actor, Action.EXCHANGE_WRITE, cell)
    counterpart_detail = counterpart_detail.strip()
    legal_basis_detail = legal_basis_detail.strip()
    if direction not in Direction.values:
        raise RuleViolation(_("Choose the direction of the exchange."))
    if counterpart not in Counterpart.values:
        raise RuleViolation(_("Choose one of the listed counterparts."))
    if legal_basis not in LegalBasis.values:
        raise RuleViolation(_("Choose one of the listed legal bases."))
    if counterpart == Counterpart.OTHER and not counterpart_detail:
        raise RuleViolation(_("Name the counterpart."))
    if legal_basis == LegalBasis.OTHER and not legal_basis_detail:
        raise RuleViolation(_("Describe the legal basis."))
    if occurred_on > timezone.localdate():
        raise RuleViolation(_("The date of the exchange cannot lie in the future."))
    if case is not None and case.cell_id != cell.pk:
        raise Forbidden("case")
    with transaction.atomic():
        entry = ExchangeEntry.objects.create(
            cell=cell,
            case=case,
            direction=direction,
            counterpart=counterpart,
            counterpart_detail=counterpart_detail,
            occurred_on=occurred_on,
            legal_basis=legal_basis,
            legal_basis_detail=legal_basis_detail,
            reference=reference.strip(),
            subject=subject.strip(),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="EXCHANGE_RECORDED",
            cell=cell,
            obj=entry,
            case_id=case.pk if case is not None else None,
            values=initial_values(entry, ENTRY_FIELDS),
        )
    return entry
