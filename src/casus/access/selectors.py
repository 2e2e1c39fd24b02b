"""Every read of cells, organisations, memberships, charters and statements a user triggers.

Each selector starts from rows of the actor's cell; an id from another cell is simply not found.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import (
    MANDATORY_ROLES,
    Cell,
    Charter,
    DocumentStatus,
    Membership,
    MembershipRequest,
    Organisation,
    RequestStatus,
    Role,
    StatementSignature,
    StatementText,
    Table,
    User,
)
from .rules import Action, require


def cell_list_for(*, actor: User) -> QuerySet[Cell]:
    """Cells in which the actor holds a current membership."""
    if not actor.is_authenticated:
        return Cell.objects.none()
    cell_ids = Membership.objects.current().filter(user=actor).values("cell_id")
    return Cell.objects.filter(pk__in=cell_ids).order_by("name")


def membership_list_mine(*, actor: User) -> QuerySet[Membership]:
    """The actor's own current memberships, one per cell."""
    return (
        Membership.objects.current()
        .filter(user=actor)
        .select_related("cell", "organisation")
        .order_by("cell__name")
    )


def _get(queryset: QuerySet, pk: object):  # type: ignore[type-arg,no-untyped-def]
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def organisation_list_for(*, actor: User, cell: Cell) -> QuerySet[Organisation]:
    require(actor, Action.SETUP_VIEW, cell)
    return Organisation.objects.filter(cell=cell).order_by("name")


def organisation_get_for(*, actor: User, cell: Cell, pk: object) -> Organisation:
    return _get(organisation_list_for(actor=actor, cell=cell), pk)  # type: ignore[no-any-return]


def table_list_for(*, actor: User, cell: Cell) -> QuerySet[Table]:
    require(actor, Action.SETUP_VIEW, cell)
    seats = Membership.objects.current().select_related("user", "organisation")
    return (
        Table.objects.filter(cell=cell)
        .prefetch_related(Prefetch("seats", queryset=seats, to_attr="current_seats"))
        .order_by("kind", "name")
    )


def table_get_for(*, actor: User, cell: Cell, pk: object) -> Table:
    return _get(table_list_for(actor=actor, cell=cell), pk)  # type: ignore[no-any-return]


def membership_list_for(*, actor: User, cell: Cell) -> QuerySet[Membership]:
    """Open memberships of the cell (including those whose term has not started yet)."""
    require(actor, Action.SETUP_VIEW, cell)
    return (
        Membership.objects.filter(cell=cell, ended_at__isnull=True)
        .select_related("user", "organisation")
        .prefetch_related("tables")
        .order_by("user__full_name")
    )


def membership_get_for(*, actor: User, cell: Cell, pk: object) -> Membership:
    return _get(membership_list_for(actor=actor, cell=cell), pk)  # type: ignore[no-any-return]


def membership_request_list_for(
    *, actor: User, cell: Cell, pending_only: bool = False
) -> QuerySet[MembershipRequest]:
    require(actor, Action.SETUP_VIEW, cell)
    queryset = (
        MembershipRequest.objects.filter(cell=cell)
        .select_related("organisation", "requested_by", "decided_by", "membership__user")
        .prefetch_related("tables")
    )
    if pending_only:
        queryset = queryset.filter(status=RequestStatus.PENDING)
    return queryset.order_by("-requested_at")


def membership_request_get_for(*, actor: User, cell: Cell, pk: object) -> MembershipRequest:
    return _get(  # type: ignore[no-any-return]
        membership_request_list_for(actor=actor, cell=cell), pk
    )


def charter_list_for(*, actor: User, cell: Cell) -> QuerySet[Charter]:
    require(actor, Action.SETUP_VIEW, cell)
    return (
        Charter.objects.filter(cell=cell)
        .select_related("drafted_by", "adopted_by")
        .prefetch_related("organisations")
        .order_by("-version")
    )


def charter_get_for(*, actor: User, cell: Cell, pk: object) -> Charter:
    return _get(charter_list_for(actor=actor, cell=cell), pk)  # type: ignore[no-any-return]


def charter_active(*, cell: Cell) -> Charter | None:
    """The cell's active charter; without one the cell accepts no signal."""
    return Charter.objects.filter(cell=cell, status=DocumentStatus.ACTIVE).first()


def statement_text_list_for(*, actor: User, cell: Cell) -> QuerySet[StatementText]:
    require(actor, Action.SETUP_VIEW, cell)
    return StatementText.objects.filter(cell=cell).order_by("-version")


def statement_text_get_for(*, actor: User, cell: Cell, pk: object) -> StatementText:
    return _get(  # type: ignore[no-any-return]
        statement_text_list_for(actor=actor, cell=cell), pk
    )


def statement_active(*, cell: Cell | int) -> StatementText | None:
    """The statement text members must have signed, if the cell has one."""
    return StatementText.objects.filter(cell=cell, status=DocumentStatus.ACTIVE).first()


def statement_signature_current(*, user: User, cell: Cell | int) -> StatementSignature | None:
    """The user's valid signature of the cell's active statement, or None."""
    return (
        StatementSignature.objects.filter(
            user=user,
            text__cell=cell,
            text__status=DocumentStatus.ACTIVE,
            expires_at__gt=timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )


def mandatory_roles_missing(*, cell: Cell) -> list[Role]:
    """Mandatory roles not filled by a current member (an information officer also needs a
    valid clearance)."""
    today = timezone.localdate()
    current = Membership.objects.current(today).filter(cell=cell, role__in=MANDATORY_ROLES)
    filled = set()
    for membership in current:
        if membership.role == Role.INFORMATION_OFFICER and not membership.clearance_is_valid(today):
            continue
        filled.add(membership.role)
    return [Role(role) for role in MANDATORY_ROLES if role not in filled]


def setup_status_for(*, actor: User, cell: Cell) -> dict[str, object]:
    """What the cell still needs before it can work (for the dashboard)."""
    require(actor, Action.CELL_ENTER, cell)
    return {
        "charter": charter_active(cell=cell),
        "missing_roles": [role.label for role in mandatory_roles_missing(cell=cell)],
        "pending_requests": MembershipRequest.objects.filter(
            cell=cell, status=RequestStatus.PENDING
        ).count(),
        "draft_charters": Charter.objects.filter(cell=cell, status=DocumentStatus.DRAFT).count(),
        "draft_statements": StatementText.objects.filter(
            cell=cell, status=DocumentStatus.DRAFT
        ).count(),
    }
