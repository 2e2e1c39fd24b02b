"""Work views: the case list with its filters, the name search and the dashboard's cards.

Every query starts from ``case_queryset_for`` (need-to-know) and runs a fixed number of
queries, whatever the number of cases, participants or actions.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from casus.access.models import Cell, User
from casus.access.rules import (
    Action,
    can,
    case_queryset_for,
    membership_for,
    participating_cases,
    require,
)
from casus.audit.models import AccessKind
from casus.audit.services import access_record

from ..identity import identity_key, name_key, search_token
from ..models import Case, CaseStatus, PathwayAction, Signal, SignalStatus
from ..models.followup import OPEN_ACTION_STATUSES, overdue_q

#: "My actions due": open actions due within this many days (or overdue).
ACTIONS_DUE_DAYS = 14
#: "Reviews due": cases whose next review falls within this many days (or has passed).
REVIEWS_DUE_DAYS = 7
#: How many rows a dashboard card lists (the card links to the full list).
CARD_ROWS = 10


# --- Case list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    """The case list's filters, already checked by the form (``None``/False: not filtered)."""

    status: str | None = None
    lead_id: int | None = None
    overdue: bool = False
    review_due: bool = False
    year: int | None = None
    number: int | None = None


def _has_overdue_actions(actor: User, cell: Cell | int, today: date) -> Exists:
    """True for a case with an open action whose due date has passed, among the cases whose
    pathway ``actor`` may read (``participating_cases``); False for a case seen only as an
    overview (a member's meeting window or break-glass), which must not reveal the pathway."""
    return Exists(
        participating_cases(actor, cell)
        .filter(pk=OuterRef("pk"))
        .filter(overdue_q(prefix="actions__", today=today))
    )


def case_list_for(
    *, actor: User, cell: Cell | int, filters: CaseFilters | None = None, today: date | None = None
) -> QuerySet[Case]:
    """The cases ``actor`` may see in ``cell``, filtered, newest first (one query per page)."""
    filters = filters or CaseFilters()
    today = today or timezone.localdate()
    cases = (
        case_queryset_for(actor, cell)
        .select_related("lead_organisation")
        .annotate(has_overdue=_has_overdue_actions(actor, cell, today))
        .order_by("-year", "-number")
    )
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.lead_id is not None:
        cases = cases.filter(lead_organisation_id=filters.lead_id)
    if filters.overdue:
        # Only the cases whose pathway the reader may read (see ``_has_overdue_actions``).
        cases = cases.filter(has_overdue=True)
    if filters.review_due:
        cases = cases.filter(next_review_on__lte=today).exclude(status=CaseStatus.CLOSED)
    if filters.number is not None:
        cases = cases.filter(number=filters.number)
    if filters.year is not None:
        cases = cases.filter(year=filters.year)
    return cases


def case_list_record(*, actor: User, cell: Cell, page: int, case_ids: list[int]) -> None:
    """Log that ``actor`` saw a page of the case list (the subjects' names): the access log."""
    access_record(
        actor=actor,
        cell=cell,
        kind=AccessKind.CASE,
        data={"view": "list", "page": page, "cases": case_ids},
    )


# --- Name search ----------------------------------------------------------------------------


@dataclass
class PersonSearchResult:
    cases: list[Case] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cases) + len(self.signals)


def person_search(
    *,
    actor: User,
    cell: Cell,
    family_name: str,
    given_names: str,
    birth_date: date | None = None,
) -> PersonSearchResult:
    """Exact search on the normalised name (and birth date); logged by its token only.

    Chair, coordinator and information officer only (404 otherwise). The coordinator and the
    information officer also find signals still awaiting their screening or decision.
    """
    require(actor, Action.PERSON_SEARCH, cell)
    key = name_key(cell_id=cell.pk, family_name=family_name, given_names=given_names)
    narrow: dict[str, str] = {}
    if birth_date is not None:
        narrow["identity_key"] = identity_key(
            cell_id=cell.pk,
            family_name=family_name,
            given_names=given_names,
            birth_date=birth_date,
        )
    cases = list(
        case_queryset_for(actor, cell)
        .filter(name_key=key, **narrow)
        .select_related("lead_organisation")
        .order_by("-year", "-number")
    )
    signals: list[Signal] = []
    # Those who screen signals also find the ones not yet handled (received or proposed).
    if can(actor, Action.SIGNAL_SCREEN, cell):
        signals = list(
            Signal.objects.filter(
                cell=cell,
                name_key=key,
                status__in=[SignalStatus.RECEIVED, SignalStatus.PROPOSED],
                handled_at__isnull=True,
                **narrow,
            ).order_by("-received_at", "-id")
        )
    result = PersonSearchResult(cases=cases, signals=signals)
    access_record(
        actor=actor,
        cell=cell,
        kind=AccessKind.SEARCH,
        data={
            "token": search_token(cell_id=cell.pk, text=f"{family_name} {given_names}"),
            "results": result.count,
        },
    )
    return result


# --- Dashboard ------------------------------------------------------------------------------


@dataclass
class Dashboard:
    """The per-role cards; ``None`` means the card is not shown to this person."""

    signals_awaiting: int | None = None
    decisions_awaiting: int | None = None
    my_actions: list[PathwayAction] | None = None
    cases_led: list[Case] | None = None
    cases_led_total: int = 0
    reviews_due: list[Case] | None = None
    organisation_id: int | None = None
    today: date = field(default_factory=timezone.localdate)

    @property
    def has_case_cards(self) -> bool:
        return self.my_actions is not None


def dashboard_for(*, actor: User, cell: Cell, today: date | None = None) -> Dashboard:
    """The case cards of ``actor``'s dashboard in ``cell``, scoped by role and need-to-know."""
    today = today or timezone.localdate()
    board = Dashboard(today=today)
    membership = membership_for(actor, cell)
    # No case role (strategic member, DPO, cell administrator): no case cards at all.
    if membership is None or not can(actor, Action.CASE_LIST, cell):
        return board
    board.organisation_id = membership.organisation_id
    if can(actor, Action.SIGNAL_SCREEN, cell):
        board.signals_awaiting = Signal.objects.filter(
            cell=cell, status=SignalStatus.RECEIVED
        ).count()
    if can(actor, Action.SIGNAL_DECIDE, cell):
        board.decisions_awaiting = Signal.objects.filter(
            cell=cell, status=SignalStatus.PROPOSED
        ).count()
    board.my_actions = list(
        PathwayAction.objects.filter(
            case__in=participating_cases(actor, cell),
            owner_organisation_id=membership.organisation_id,
            status__in=OPEN_ACTION_STATUSES,
            due_on__lte=today + timedelta(days=ACTIONS_DUE_DAYS),
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case")
        .order_by("due_on", "id")[:CARD_ROWS]
    )
    led = (
        case_queryset_for(actor, cell)
        .filter(lead_organisation_id=membership.organisation_id)
        .exclude(status=CaseStatus.CLOSED)
    )
    board.cases_led = list(
        led.annotate(has_overdue=_has_overdue_actions(actor, cell, today)).order_by(
            "-year", "-number"
        )[:CARD_ROWS]
    )
    board.cases_led_total = led.count()
    if can(actor, Action.REVIEWS_TRACK, cell):
        board.reviews_due = list(
            case_queryset_for(actor, cell)
            .filter(next_review_on__lte=today + timedelta(days=REVIEWS_DUE_DAYS))
            .exclude(status=CaseStatus.CLOSED)
            .order_by("next_review_on", "-year", "-number")[:CARD_ROWS]
        )
    return board
