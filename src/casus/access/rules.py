"""The permission engine: the one place that decides who may do what.

Deny by default. A person acts in a cell through their current membership there; installation
roles (administrator, knowledge editor, regional support) never read case content. Services
call ``require`` before writing, selectors before reading; views never decide.
"""

from enum import StrEnum

from casus.core.exceptions import Forbidden

from .models import Cell, Membership, Role, User


class Action(StrEnum):
    """Everything a person can ask to do in a cell."""

    CELL_ENTER = "cell.enter"
    STATEMENT_SIGN = "statement.sign"
    SETUP_VIEW = "setup.view"
    SETUP_DRAFT = "setup.draft"
    SETUP_APPROVE = "setup.approve"
    AUDIT_READ = "audit.read"


class InstallationAction(StrEnum):
    """What installation-wide roles can do; none of it touches case content."""

    CELL_CREATE = "cell.create"
    CELL_ADMIN_APPOINT = "cell_admin.appoint"


_EVERY_ROLE = frozenset(Role)

#: Role × action. Anything absent is refused.
ROLE_ACTIONS: dict[Action, frozenset[Role]] = {
    # Any current member enters their cell (the statement gate comes after this).
    Action.CELL_ENTER: _EVERY_ROLE,
    # Every member signs the confidentiality statement, whatever the role.
    Action.STATEMENT_SIGN: _EVERY_ROLE,
    # The setup is drafted by the cell administrator and approved by the chair.
    Action.SETUP_VIEW: frozenset({Role.CELL_ADMIN, Role.CHAIR}),
    Action.SETUP_DRAFT: frozenset({Role.CELL_ADMIN}),
    Action.SETUP_APPROVE: frozenset({Role.CHAIR}),
    # Logs are for the data-protection officer alone (field names, never values).
    Action.AUDIT_READ: frozenset({Role.DPO}),
}


def membership_for(user: User, cell: Cell | int | None) -> Membership | None:
    """Return the user's current membership in ``cell``, or None; cached on the user object."""
    if cell is None or not user.is_authenticated or not user.is_active:
        return None
    cell_id = cell if isinstance(cell, int) else cell.pk
    cache: dict[int, Membership | None] = user.__dict__.setdefault("_casus_memberships", {})
    if cell_id not in cache:
        cache[cell_id] = (
            Membership.objects.current()
            .filter(user=user, cell_id=cell_id)
            .select_related("organisation", "cell")
            .first()
        )
    return cache[cell_id]


def forget_memberships(user: User) -> None:
    """Drop the cached memberships (after a service changed them)."""
    user.__dict__.pop("_casus_memberships", None)


def can(user: User, action: Action, cell: Cell | int | None) -> bool:
    """Return whether ``user`` may do ``action`` in ``cell`` now."""
    membership = membership_for(user, cell)
    # No current membership in this cell: nothing is allowed.
    if membership is None:
        return False
    # The role must be listed for the action.
    return membership.role in ROLE_ACTIONS[action]


def require(user: User, action: Action, cell: Cell | int | None) -> Membership:
    """Return the membership that allows ``action``, or raise Forbidden (shown as 404)."""
    if not can(user, action, cell):
        raise Forbidden(action)
    membership = membership_for(user, cell)
    assert membership is not None  # noqa: S101 — can() returned True
    return membership


def can_installation(user: User, action: InstallationAction) -> bool:
    """Return whether ``user`` may do an installation-wide ``action``."""
    # Only active, authenticated installation administrators manage cells.
    return bool(user.is_authenticated and user.is_active and user.is_installation_admin)


def require_installation(user: User, action: InstallationAction) -> None:
    """Raise Forbidden unless ``user`` may do the installation-wide ``action``."""
    if not can_installation(user, action):
        raise Forbidden(action)
