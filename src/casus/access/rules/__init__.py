"""The permission engine: the one place that decides who may do what.

Deny by default. A person acts in a cell through their current membership there; installation
roles (administrator, knowledge editor, regional support) never read case content. Services
call ``require`` before writing, selectors before reading; views never decide.
"""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casus.core.exceptions import Forbidden

from ..models import Cell, Membership, OrganisationKind, Role, User

if TYPE_CHECKING:
    from casus.cases.models import Case, Signal


class Action(StrEnum):
    """Everything a person can ask to do in a cell."""

    CELL_ENTER = "cell.enter"
    STATEMENT_SIGN = "statement.sign"
    SETUP_VIEW = "setup.view"
    SETUP_DRAFT = "setup.draft"
    SETUP_APPROVE = "setup.approve"
    AUDIT_READ = "audit.read"
    # Signals and the case list (cell level; each case is then checked with CaseAction).
    SIGNAL_SUBMIT = "signal.submit"
    SIGNAL_ENTER_OUTSIDE = "signal.enter_outside"
    SIGNAL_SCREEN = "signal.screen"
    SIGNAL_DECIDE = "signal.decide"
    PERSON_SEARCH = "person.search"
    CASE_LIST = "case.list"
    CASE_LIST_ALL = "case.list_all"
    SCENARIO_MANAGE = "scenario.manage"
    LIFE_DOMAIN_MANAGE = "life_domain.manage"
    HANDOVER_ACCEPT = "handover.accept"
    REVIEWS_TRACK = "reviews.track"
    # Meetings (issue 4): the coordinator builds agendas, invites, keeps minutes.
    MEETING_MANAGE = "meeting.manage"
    MEETING_LIST = "meeting.list"
    FEEDBACK_DRAFT = "feedback.draft"
    FEEDBACK_SEND = "feedback.send"
    EXCHANGE_READ = "exchange.read"
    EXCHANGE_WRITE = "exchange.write"
    # Privacy
    BREAK_GLASS_LIST = "break_glass.list"
    BREAK_GLASS_REVIEW = "break_glass.review"
    # Retention: the coordinator prepares a purge (dry run), the chair approves it, the DPO
    # reads the reports and the destruction log.
    RETENTION_PREPARE = "retention.prepare"
    RETENTION_APPROVE = "retention.approve"
    RETENTION_READ = "retention.read"
    # Data-subject requests: the coordinator compiles, the information officer and members
    # review their own organisation's entries, the chair decides, the DPO sees the decision.
    SUBJECT_REQUEST_COMPILE = "subject_request.compile"
    SUBJECT_REQUEST_REVIEW = "subject_request.review"
    SUBJECT_REQUEST_DECIDE = "subject_request.decide"
    SUBJECT_REQUEST_DECISIONS = "subject_request.decisions"
    # The GDPR art. 30 record and the DPIA annex, produced from the charter.
    PROCESSING_RECORD_READ = "processing_record.read"
    # Strategy (issue 6): the strategic table's priorities, annual plan and local diagnosis;
    # the annual self-evaluation, answered by every member and read by the strategic roles.
    STRATEGY_READ = "strategy.read"
    STRATEGY_WRITE = "strategy.write"
    SELF_EVALUATION_ANSWER = "self_evaluation.answer"
    # Monitoring: exact figures for any period, or the published (suppressed) fixed periods.
    MONITORING_EXACT = "monitoring.exact"
    MONITORING_PUBLISHED = "monitoring.published"
    # The chair opts the cell in to (or out of) a regional support body's aggregates.
    MONITORING_REGIONAL_OPT_IN = "monitoring.regional_opt_in"


class CaseAction(StrEnum):
    """What a person can ask to do with one case (product.md's permission matrix)."""

    VIEW = "case.view"  # overview: identity, status, screening summary, pathway, decisions
    DOSSIER = "case.dossier"  # journal and attachments (then each entry's visibility)
    JOURNAL_WRITE = "case.journal_write"  # journal entries and attachments
    POLICE_WRITE = "case.police_write"  # entries marked police-only
    FOLLOWUP_READ = "case.followup_read"  # assessments, pathway, reviews
    FOLLOWUP_WRITE = "case.followup_write"
    PARTICIPANTS = "case.participants"  # add and revoke participating organisations
    PROGRESS = "case.progress"  # the case's course: steps and the coordinator's summary
    CLOSE = "case.close"  # close and reopen
    PDF = "case.pdf"
    BREAK_GLASS = "case.break_glass"  # the chair opens the file for 24 hours, with a reason


class InstallationAction(StrEnum):
    """What installation-wide roles can do; none of it touches case content."""

    CELL_CREATE = "cell.create"
    CELL_ADMIN_APPOINT = "cell_admin.appoint"
    # Regional support bodies and who works for them: the installation administrator.
    REGIONAL_BODY_MANAGE = "regional_body.manage"
    # Practice fiches and the social map: written and published by knowledge editors.
    KNOWLEDGE_EDIT = "knowledge.edit"
    # Suppressed indicators of the cells that opted in: regional support.
    REGIONAL_VIEW = "regional.view"


_EVERY_ROLE = frozenset(Role)
_CASE_ROLES = frozenset({Role.CHAIR, Role.COORDINATOR, Role.INFORMATION_OFFICER, Role.MEMBER})
_ALL_CASES_ROLES = frozenset({Role.CHAIR, Role.COORDINATOR, Role.INFORMATION_OFFICER})
_STRATEGY_ROLES = _ALL_CASES_ROLES | {Role.STRATEGIC}

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
    # Every case role submits signals; the coordinator also enters them for outside reporters.
    Action.SIGNAL_SUBMIT: _CASE_ROLES,
    Action.SIGNAL_ENTER_OUTSIDE: frozenset({Role.COORDINATOR}),
    # Pre-screening is done by the coordinator with the information officer.
    Action.SIGNAL_SCREEN: frozenset({Role.COORDINATOR, Role.INFORMATION_OFFICER}),
    # The chair alone decides what goes on the case list.
    Action.SIGNAL_DECIDE: frozenset({Role.CHAIR}),
    # Searching persons by name: chair, coordinator, information officer.
    Action.PERSON_SEARCH: _ALL_CASES_ROLES,
    # The case list exists for every case role; it is scoped by case_queryset_for.
    Action.CASE_LIST: _CASE_ROLES,
    # Chair, coordinator and information officer see (the overview of) every case.
    Action.CASE_LIST_ALL: _ALL_CASES_ROLES,
    # Scenario templates (tactical table) and life domains are kept by the coordinator.
    Action.SCENARIO_MANAGE: frozenset({Role.COORDINATOR}),
    Action.LIFE_DOMAIN_MANAGE: frozenset({Role.COORDINATOR}),
    # A handover from another cell is accepted by the receiving coordinator.
    Action.HANDOVER_ACCEPT: frozenset({Role.COORDINATOR}),
    # Reviews due across the cell are tracked by the coordinator and the information officer.
    Action.REVIEWS_TRACK: frozenset({Role.COORDINATOR, Role.INFORMATION_OFFICER}),
    # "build agenda, send invitations, write minutes" — the coordinator.
    Action.MEETING_MANAGE: frozenset({Role.COORDINATOR}),
    # Meetings are listed for every case role and strategic members (each sees only the
    # meetings and items ``meeting_queryset_for`` and ``item_access`` allow).
    Action.MEETING_LIST: _CASE_ROLES | {Role.STRATEGIC},
    # "draft and send feedback sheets to the LTF"; "mark a feedback sheet sent;
    # information-exchange register" — the information officer.
    Action.FEEDBACK_DRAFT: frozenset({Role.INFORMATION_OFFICER}),
    Action.FEEDBACK_SEND: frozenset({Role.INFORMATION_OFFICER}),
    Action.EXCHANGE_WRITE: frozenset({Role.INFORMATION_OFFICER}),
    # "read information-exchange register" — chair, coordinator, information officer.
    Action.EXCHANGE_READ: _ALL_CASES_ROLES,
    # Break-glass uses: listed to the chair, the coordinator (who brings them to the next
    # meeting and records the review) and the DPO (who is told of each one).
    Action.BREAK_GLASS_LIST: frozenset({Role.CHAIR, Role.COORDINATOR, Role.DPO}),
    Action.BREAK_GLASS_REVIEW: frozenset({Role.COORDINATOR}),
    # "retention: dry run, approve purge" — the coordinator prepares, the chair approves;
    # "DPO: read report". The chair and the coordinator read the reports they act on.
    Action.RETENTION_PREPARE: frozenset({Role.COORDINATOR}),
    Action.RETENTION_APPROVE: frozenset({Role.CHAIR}),
    Action.RETENTION_READ: frozenset({Role.CHAIR, Role.COORDINATOR, Role.DPO}),
    # "data-subject requests: compile / review own entries / decide / see decision".
    Action.SUBJECT_REQUEST_COMPILE: frozenset({Role.COORDINATOR}),
    Action.SUBJECT_REQUEST_REVIEW: frozenset({Role.INFORMATION_OFFICER, Role.MEMBER}),
    Action.SUBJECT_REQUEST_DECIDE: frozenset({Role.CHAIR}),
    Action.SUBJECT_REQUEST_DECISIONS: frozenset({Role.DPO}),
    # The record of processing and the DPIA annex: the controllers' representatives (chair,
    # coordinator), the DPO who keeps them, and the administrator who drafts the charter.
    Action.PROCESSING_RECORD_READ: frozenset(
        {Role.CHAIR, Role.COORDINATOR, Role.DPO, Role.CELL_ADMIN}
    ),
    # "strategic plan, diagnosis, self-evaluation: ✔ C, K, I, S; answer M, M'".
    Action.STRATEGY_READ: _STRATEGY_ROLES,
    Action.STRATEGY_WRITE: _STRATEGY_ROLES,
    Action.SELF_EVALUATION_ANSWER: _STRATEGY_ROLES | {Role.MEMBER},
    # "monitoring: exact C, K, I; suppressed S". The exact roles may also look at what the
    # strategic table sees.
    Action.MONITORING_EXACT: _ALL_CASES_ROLES,
    Action.MONITORING_PUBLISHED: _ALL_CASES_ROLES | {Role.STRATEGIC},
    # The chair approves everything that leaves the cell, aggregates included.
    Action.MONITORING_REGIONAL_OPT_IN: frozenset({Role.CHAIR}),
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
    if membership is None:
        raise RuntimeError("can() returned True")  # not input: a broken invariant
    return membership


def can_installation(user: User, action: InstallationAction) -> bool:
    """Return whether ``user`` may do an installation-wide ``action``."""
    # Nobody logged out or deactivated.
    if not (user.is_authenticated and user.is_active):
        return False
    # Knowledge editors write practice fiches and the social map.
    if action is InstallationAction.KNOWLEDGE_EDIT:
        return bool(user.is_knowledge_editor)
    # Regional support reads the aggregates of the cells that opted in.
    if action is InstallationAction.REGIONAL_VIEW:
        return bool(user.is_regional_support)
    # Everything else (cells, cell administrators, regional bodies): installation administrators.
    return bool(user.is_installation_admin)


def require_installation(user: User, action: InstallationAction) -> None:
    """Raise Forbidden unless ``user`` may do the installation-wide ``action``."""
    if not can_installation(user, action):
        raise Forbidden(action)


# --- Cases: need-to-know ----------------------------------------------------------------------
#
# Chair, coordinator and information officer see every case of their cell (the chair only the
# overview). A member sees a case only through an active grant: their organisation's
# participation, or a grant to them personally (a meeting window, a break-glass). Every case
# query starts from ``case_queryset_for``; a case outside it is answered 404.

#: Roles that read every case's dossier (journal, attachments) by their role alone.
_DOSSIER_ROLES = frozenset({Role.COORDINATOR, Role.INFORMATION_OFFICER})
#: Roles that write journal entries and upload attachments on cases they can see.
_WRITER_ROLES = frozenset({Role.COORDINATOR, Role.INFORMATION_OFFICER, Role.MEMBER})


#: Roles that see every case of their cell (the chair: the overview).
ALL_CASES_ROLES = _ALL_CASES_ROLES


def grant_valid_q(at: datetime | None = None, prefix: str = "") -> Q:
    """Q for grants valid at ``at`` (now): started, and not revoked or expired."""
    at = at or timezone.now()
    return Q(**{f"{prefix}valid_from__lte": at}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": at})
    )


def _active_grants(membership: Membership, at: datetime | None = None) -> "QuerySet":  # type: ignore[type-arg]
    """Grants that are valid now for this membership's organisation or its person."""
    from casus.cases.models import CaseGrant

    return CaseGrant.objects.filter(
        # A grant to the member's organisation (participation) or to the member personally.
        Q(organisation_id=membership.organisation_id) | Q(user_id=membership.user_id),
        grant_valid_q(at),
    )


def participating_cases(user: User, cell: Cell | int | None) -> "QuerySet[Case]":
    """Cases whose follow-up (assessment, pathway) ``user`` may read: every visible case for
    chair, coordinator and information officer; for a member, the cases in which their
    organisation participates now (the rule of ``CaseAction.FOLLOWUP_READ``)."""
    from casus.cases.models import CaseGrant

    cases = case_queryset_for(user, cell)
    membership = membership_for(user, cell)
    if membership is None or membership.role in _ALL_CASES_ROLES:
        return cases
    participation = CaseGrant.objects.filter(
        grant_valid_q(),
        case_id=OuterRef("pk"),
        # A grant to the member's organisation, with the dossier: participation.
        organisation_id=membership.organisation_id,
        dossier=True,
    )
    return cases.filter(Exists(participation))


def sees_case(
    *,
    role: str,
    organisation_id: int,
    user_id: int,
    case_id: int,
    grants: set[tuple[int, str, int]],
    followup: bool = False,
) -> bool:
    """Bulk form of ``case_queryset_for`` (``followup``: of ``participating_cases``) for
    background jobs. ``grants`` holds the valid ``(case_id, "organisation", id)``,
    ``(case_id, "participation", id)`` (an organisation grant with the dossier) and
    ``(case_id, "user", id)`` (a personal grant with the dossier) triples."""
    # Chair, coordinator and information officer: every case and its follow-up.
    if role in _ALL_CASES_ROLES:
        return True
    # The follow-up: only through the organisation's participation.
    if followup:
        return (case_id, "participation", organisation_id) in grants
    # The case: an active grant to the organisation or a personal dossier grant.
    return (case_id, "organisation", organisation_id) in grants or (
        case_id,
        "user",
        user_id,
    ) in grants


def case_queryset_for(user: User, cell: Cell | int | None) -> "QuerySet[Case]":
    """Cases of ``cell`` that ``user`` may see at all (the overview); empty when none."""
    from casus.cases.models import Case

    membership = membership_for(user, cell)
    # No current membership, or a role without case access (strategic, DPO, administrator).
    if membership is None or membership.role not in _CASE_ROLES:
        return Case.objects.none()
    cases = Case.objects.filter(cell_id=membership.cell_id)
    # Chair, coordinator and information officer see every case of the cell.
    if membership.role in _ALL_CASES_ROLES:
        return cases
    # A member sees a case only through an active grant that opens the file: their
    # organisation's participation or a personal dossier grant (joined, indexed). A meeting
    # window (no dossier) opens only that agenda item, through the meetings rules.
    return cases.filter(
        Exists(_active_grants(membership).filter(case_id=OuterRef("pk"), dossier=True))
    )


class CaseContext:
    """What decides one person's rights on one case, computed once per request."""

    def __init__(self, user: User, case: "Case") -> None:
        self.membership = membership_for(user, case.cell_id)
        self.case = case
        membership = self.membership
        self.role = membership.role if membership is not None else None
        self.organisation_id = membership.organisation_id if membership is not None else None
        grants = (
            list(
                _active_grants(membership)
                .filter(case_id=case.pk)
                .values("organisation_id", "dossier")
            )
            if membership is not None and self.role in _CASE_ROLES
            else []
        )
        # The member's organisation participates (an organisation grant with the dossier).
        self.participates = any(g["organisation_id"] and g["dossier"] for g in grants)
        # A personal grant with the dossier (meeting attended, break-glass).
        self.personal_dossier = any(not g["organisation_id"] and g["dossier"] for g in grants)
        # A window grant without the dossier opens only a meeting item, not the case file.
        self.any_grant = self.participates or self.personal_dossier
        self.is_police = bool(
            membership is not None and membership.organisation.kind == OrganisationKind.POLICE
        )
        self.is_lead = bool(
            membership is not None and case.lead_organisation_id == membership.organisation_id
        )

    def break_glass_until(self) -> datetime | None:
        """When the person's break-glass access to this case ends (None: none now); read once
        per request, for the case header and the access log alike."""
        if "_break_glass_until" not in self.__dict__:
            self._break_glass_until = (
                break_glass_until(self.membership.user, self.case.pk)
                if self.membership is not None and self.role == Role.CHAIR
                else None
            )
        return self._break_glass_until

    def allows(self, action: CaseAction) -> bool:
        role = self.role
        # No case role in this cell: nothing.
        if role not in _CASE_ROLES:
            return False
        if action is CaseAction.VIEW:
            # Chair, coordinator, information officer: every case; a member: through a grant.
            return role in _ALL_CASES_ROLES or self.any_grant
        if action is CaseAction.DOSSIER:
            # Coordinator and information officer by role; a member whose organisation
            # participates; the chair only through a personal grant (meeting, break-glass).
            return (
                role in _DOSSIER_ROLES
                or (role == Role.MEMBER and self.participates)
                or (role == Role.CHAIR and self.personal_dossier)
            )
        if action is CaseAction.JOURNAL_WRITE:
            # Coordinator, information officer, participating members; never the chair.
            return role in _DOSSIER_ROLES or (role == Role.MEMBER and self.participates)
        if action is CaseAction.POLICE_WRITE:
            # The information officer, and participating members of a police organisation.
            return role == Role.INFORMATION_OFFICER or (
                role == Role.MEMBER and self.participates and self.is_police
            )
        if action in (CaseAction.FOLLOWUP_READ, CaseAction.PDF):
            # Chair, coordinator, information officer, and participating members.
            return role in _ALL_CASES_ROLES or (role == Role.MEMBER and self.participates)
        if action is CaseAction.FOLLOWUP_WRITE:
            # Coordinator, information officer, and members of the lead partner.
            return role in _DOSSIER_ROLES or (
                role == Role.MEMBER and self.participates and self.is_lead
            )
        if action in (CaseAction.PARTICIPANTS, CaseAction.CLOSE):
            # Chair and coordinator.
            return role in {Role.CHAIR, Role.COORDINATOR}
        if action is CaseAction.PROGRESS:
            # The coordinator manages the pathway's course.
            return role == Role.COORDINATOR
        if action is CaseAction.BREAK_GLASS:
            # The chair, and only while no personal grant already opens the file.
            return role == Role.CHAIR and not self.personal_dossier
        return False  # pragma: no cover — every CaseAction is handled above

    def require(self, action: CaseAction) -> None:
        if not self.allows(action):
            raise Forbidden(action)

    def entry_q(self) -> Q:
        """Which journal entries and attachments of this case the person may read."""
        role = self.role
        # "My organisation only": readable by the author's organisation alone, whatever the role.
        visible = Q(visibility="own_organisation", organisation_id=self.organisation_id)
        # "All participants": everyone who has the dossier.
        visible |= Q(visibility="all")
        # "Police only": the information officer, the chair (reads), members of a police
        # organisation; never the coordinator.
        # (A police member only through their organisation's participation: an invited
        # outsider from another police service reads no police-only entries.)
        if role in {Role.INFORMATION_OFFICER, Role.CHAIR} or (
            role == Role.MEMBER and self.is_police and self.participates
        ):
            visible |= Q(visibility="police")
        return visible

    def revision_q(self, prefix: str = "") -> Q:
        """Which earlier wordings of journal entries the person may read: the rule of
        ``entry_q`` applied to the revision's own visibility (``prefix`` e.g. "revisions__")."""
        role = self.role
        # "My organisation only" at the time: the (author's) organisation alone.
        visible = Q(
            **{
                f"{prefix}visibility": "own_organisation",
                f"{prefix}entry__organisation_id": self.organisation_id,
            }
        )
        # "All participants" at the time: everyone who has the dossier.
        visible |= Q(**{f"{prefix}visibility": "all"})
        # "Police only" at the time: the officer, the chair and police members.
        if role in {Role.INFORMATION_OFFICER, Role.CHAIR} or (
            role == Role.MEMBER and self.is_police and self.participates
        ):
            visible |= Q(**{f"{prefix}visibility": "police"})
        return visible

    def may_edit_entry(self, author_id: int) -> bool:
        """Only the author edits a journal entry, while they may still write in the case."""
        return (
            self.membership is not None
            and author_id == self.membership.user_id
            and self.allows(CaseAction.JOURNAL_WRITE)
        )

    def may_set_action_status(self, owner_organisation_id: int) -> bool:
        """Pathway writers set any action's status; a participating member also sets the
        status of the actions their organisation owns."""
        # Coordinator, information officer, members of the lead partner.
        if self.allows(CaseAction.FOLLOWUP_WRITE):
            return True
        # A participating member whose organisation owns the action.
        return (
            self.role == Role.MEMBER
            and self.participates
            and self.organisation_id == owner_organisation_id
        )


def break_glass_until(user: User, case_id: int) -> datetime | None:
    """When ``user``'s break-glass access to the case ends, or None when there is none now."""
    from casus.cases.models import CaseGrant, GrantReason

    return (
        CaseGrant.objects.filter(
            grant_valid_q(), case_id=case_id, user_id=user.pk, reason=GrantReason.BREAK_GLASS
        )
        .order_by("-valid_until")
        .values_list("valid_until", flat=True)
        .first()
    )


def case_context(user: User, case: "Case") -> CaseContext:
    """Return (and cache on the user object) the rights context of ``user`` on ``case``."""
    cache: dict[int, CaseContext] = user.__dict__.setdefault("_casus_case_contexts", {})
    if case.pk not in cache:
        cache[case.pk] = CaseContext(user, case)
    return cache[case.pk]


def forget_case_contexts(user: User) -> None:
    """Drop cached case contexts (after a grant changed)."""
    user.__dict__.pop("_casus_case_contexts", None)


def case_can(user: User, action: CaseAction, case: "Case") -> bool:
    """Return whether ``user`` may do ``action`` on ``case`` now."""
    return case_context(user, case).allows(action)


def case_require(user: User, action: CaseAction, case: "Case") -> CaseContext:
    """Return the context that allows ``action`` on ``case``, or raise Forbidden (404)."""
    context = case_context(user, case)
    context.require(action)
    return context


def signal_queryset_for(user: User, cell: Cell | int) -> "QuerySet[Signal]":
    """Signals ``user`` may open (content, opinions): every signal of the cell for the
    screeners, the signals proposed to the chair for the chair; none for anyone else — the
    reporter included, who sees only their own signals' status (``signal_list_mine``)."""
    from casus.cases.models import ScreeningOutcome, Signal

    cell_id = cell if isinstance(cell, int) else cell.pk
    signals = Signal.objects.filter(cell_id=cell_id)
    # The coordinator and the information officer screen every signal of the cell.
    if can(user, Action.SIGNAL_SCREEN, cell_id):
        return signals
    # The chair sees the signals that were proposed to them (pending or decided).
    if can(user, Action.SIGNAL_DECIDE, cell_id):
        return signals.filter(screening_outcome=ScreeningOutcome.PROPOSED)
    return signals.none()


def signal_join_allowed(user: User, signal: "Signal", case: "Case") -> bool:
    """Whether ``user`` may join ``signal`` to ``case`` now (the stage and the case decide).

    A received signal is joined at screening (coordinator, information officer), a proposed
    one by the chair; joining reopens a closed case, which only chair and coordinator may.
    """
    from casus.cases.models import CaseStatus, SignalStatus

    # Only within one cell.
    if case.cell_id != signal.cell_id:
        return False
    # At screening: the screeners; once proposed: the chair.
    stage_allows = (
        signal.status == SignalStatus.RECEIVED and can(user, Action.SIGNAL_SCREEN, signal.cell_id)
    ) or (
        signal.status == SignalStatus.PROPOSED and can(user, Action.SIGNAL_DECIDE, signal.cell_id)
    )
    if not stage_allows:
        return False
    # Reopening a closed case: chair and coordinator only.
    return case.status != CaseStatus.CLOSED or case_can(user, CaseAction.CLOSE, case)


def signal_source_visible(user: User, cell: Cell | int) -> bool:
    """An anonymous source is visible to the coordinator and the information officer only."""
    membership = membership_for(user, cell)
    return membership is not None and membership.role in {
        Role.COORDINATOR,
        Role.INFORMATION_OFFICER,
    }


# The meeting rules build on the case rules above; re-exported here.
from .meetings import ItemAccess as ItemAccess  # noqa: E402
from .meetings import item_access as item_access  # noqa: E402
from .meetings import item_access_map as item_access_map  # noqa: E402
from .meetings import meeting_queryset_for as meeting_queryset_for  # noqa: E402

# The data-subject request rules; re-exported here.
from .subject_requests import subject_request_queryset_for as subject_request_queryset_for  # noqa: E402
from .subject_requests import subject_review_allowed as subject_review_allowed  # noqa: E402
from .subject_requests import subject_review_queryset_for as subject_review_queryset_for  # noqa: E402
