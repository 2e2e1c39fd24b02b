"""Plain helpers shared by the case tests: the named actors, and set-up written the way the
services would write it (charters, signals, journal entries, grants, pathway actions).

Fixtures live in ``conftest.py``; these are functions and constants, imported by name.
"""

import datetime

from django.utils import timezone

from casus.access.models import Cell, Charter, DocumentStatus, Organisation, User
from casus.cases.models import (
    ActionStatus,
    Case,
    CaseGrant,
    CaseStatus,
    ClosureReason,
    Goal,
    GrantReason,
    JournalEntry,
    LifeDomain,
    PathwayAction,
    ScreeningOutcome,
    Signal,
    SignalStatus,
    Visibility,
)
from casus.cases.services.casefile import journal_entry_create, journal_entry_update
from casus.cases.services.common import grant_user
from casus.cases.services.followup import action_update
from casus.cases.services.signals import signal_submit
from tests.conftest import World
from tests.helpers import _last_audit_pk

from .factories import CaseFactory, SignalFactory

# --- The actors -------------------------------------------------------------------------------

#: Every actor of ``world`` with a seat: cell A's roles, then cell B's coordinator.
EVERYONE = (
    "chair",
    "coordinator",
    "information_officer",
    "partner1",
    "partner2",
    "strategic",
    "dpo",
    "cell_admin",
    "member_b",
)
#: Everyone of ``world``, the installation administrator (who has no seat) included.
PEOPLE = (*EVERYONE, "installation_admin")

#: Who reads ``cases.case`` (the school takes part and leads): overview, follow-up, PDF.
CASE_READERS = ("chair", "coordinator", "information_officer", "partner1")
#: Who writes its journal and follow-up: the same but the chair, who only reads.
CASE_WRITERS = ("coordinator", "information_officer", "partner1")


def others(*allowed: str) -> list[str]:
    """The actors of ``EVERYONE`` who are not ``allowed``: those a refusal test walks."""
    return [who for who in EVERYONE if who not in allowed]


def org_of(world: World, user: User) -> Organisation:
    """The organisation of ``user``'s seat in cell A."""
    return world.membership(user).organisation


def org_named(name: str) -> Organisation:
    """The organisation called ``name`` (``world`` names each one differently)."""
    return Organisation.objects.get(name=name)


def domain(world: World, code: str, cell: Cell | None = None) -> LifeDomain:
    """The life domain ``code`` of ``cell`` (cell A unless given)."""
    return LifeDomain.objects.get(cell=cell or world.cell_a, code=code)


def last_audit_pk() -> int:
    """The newest audit row's id (0 when there is none): pass it to ``audit_events_since``."""
    return _last_audit_pk()


# --- Cells and cases --------------------------------------------------------------------------


def activate_charter(world: World, cell: Cell | None = None, by: User | None = None) -> Charter:
    """An adopted, active charter of ``cell`` (cell A unless given): signals are accepted."""
    return Charter.objects.create(
        cell=cell or world.cell_a,
        version=1,
        status=DocumentStatus.ACTIVE,
        purpose="Early detection.",
        participation="Everyone named.",
        meeting_rules="Monthly.",
        confidentiality_rules="Art. 458ter.",
        feedback_procedure="Unanimous.",
        emergency_route="Call 101.",
        drafted_by=by or world.cell_admin,
        adopted_on=timezone.localdate(),
    )


def close_behind_the_back(case: Case) -> None:
    """Another request closes ``case``: the row is closed, the object in hand stays as read."""
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closure_reason=ClosureReason.POSITIVE, closed_at=timezone.now()
    )


def personal_grant(
    case: Case, user: User, *, dossier: bool = False, reason: str = GrantReason.MEETING
) -> CaseGrant:
    """A grant to ``user`` alone (a meeting window unless ``reason`` says otherwise)."""
    return grant_user(case=case, user=user, source=case, reason=reason, dossier=dossier)


def pathway_action(
    case: Case,
    owner: Organisation,
    by: User,
    *,
    due: int,
    status: str = ActionStatus.PLANNED,
    description: str = "Talk with the family.",
) -> PathwayAction:
    """An action of ``case``'s pathway owned by ``owner``, due in ``due`` days (a row only)."""
    return PathwayAction.objects.create(
        case=case,
        description=description,
        owner_organisation=owner,
        due_on=timezone.localdate() + datetime.timedelta(days=due),
        status=status,
        created_by=by,
    )


def edit_action(
    actor: User,
    action: PathwayAction,
    description: str,
    owner: Organisation,
    *,
    goal: Goal | None = None,
    due_on: datetime.date | None = None,
    version: int = 1,
) -> PathwayAction:
    """``actor`` saves the form of ``action`` over ``version``, through the service."""
    return action_update(
        actor=actor,
        action=action,
        version=version,
        goal=goal,
        description=description,
        owner_organisation=owner,
        due_on=due_on,
    )


# --- The journal ------------------------------------------------------------------------------


def write_entry(
    author: User, case: Case, text: str = "First wording.", visibility: str = Visibility.ALL
) -> JournalEntry:
    """``author`` writes a journal entry of today, not for the meeting, through the service."""
    return journal_entry_create(
        actor=author,
        case=case,
        text=text,
        visibility=visibility,
        occurred_on=timezone.localdate(),
        for_meeting=False,
    )


def edit_entry(
    author: User,
    entry: JournalEntry,
    text: str,
    visibility: str = Visibility.ALL,
    *,
    for_meeting: bool = False,
    version: int = 1,
) -> JournalEntry:
    """``author`` edits ``entry`` (keeping its date) over ``version``, through the service."""
    return journal_entry_update(
        actor=author,
        entry=entry,
        text=text,
        visibility=visibility,
        occurred_on=entry.occurred_on,
        for_meeting=for_meeting,
        version=version,
    )


# --- Signals ----------------------------------------------------------------------------------


def subject(world: World, **overrides: object) -> dict[str, object]:
    """The person and the observation of a signal to cell A, as the submit service takes them."""
    return {
        "subject_family_name": "Van der Berg-É",
        "subject_given_names": "Noor",
        "subject_birth_date": datetime.date(2008, 4, 1),
        "subject_municipality": world.cell_a.municipalities.get(),
        "observed_on": timezone.localdate() - datetime.timedelta(days=2),
        "observed_behaviour": "Shares propaganda in class.",
        "concern": "Talks about leaving.",
        **overrides,
    }


def submit(world: World, actor: User | None = None, **overrides: object) -> Signal:
    """``actor`` (the school's member unless given) submits the ``subject`` to cell A."""
    return signal_submit(
        actor=actor or world.partner1, cell=world.cell_a, **subject(world, **overrides)
    )


def received(world: World, **kwargs: object) -> Signal:
    """A signal the school's member reported to cell A, still being screened."""
    return SignalFactory(**{"cell": world.cell_a, "reported_by": world.partner1, **kwargs})


def signal_with_opinions(world: World, **kwargs: object) -> Signal:
    """A received signal with both screeners' opinions recorded."""
    opinions = {
        "coordinator_opinion": "Within purpose.",
        "coordinator_opinion_by": world.coordinator,
        "officer_opinion": "Known pattern.",
        "officer_opinion_by": world.information_officer,
    }
    return received(world, **{**opinions, **kwargs})


def proposed(world: World, **kwargs: object) -> Signal:
    """A signal screened and proposed to the chair."""
    screening = {
        "status": SignalStatus.PROPOSED,
        "screening_outcome": ScreeningOutcome.PROPOSED,
        "screening_summary": "Proposed: signs of radicalisation.",
        "screened_by": world.coordinator,
        "screened_at": timezone.now(),
    }
    return signal_with_opinions(world, **{**screening, **kwargs})


def case_for(signal: Signal, **kwargs: object) -> Case:
    """A case about the same person as ``signal``."""
    person = {
        "cell": signal.cell,
        "opened_by": signal.entered_by,
        "subject_family_name": signal.subject_family_name,
        "subject_given_names": signal.subject_given_names,
        "subject_birth_date": signal.subject_birth_date,
    }
    return CaseFactory(**{**person, **kwargs})


def signal_in(world: World, status: str) -> Signal:
    """A signal (both opinions recorded) in ``status``; joined and retained ones have a case."""
    signal = signal_with_opinions(world)
    if status in (SignalStatus.JOINED, SignalStatus.RETAINED):
        signal.case = case_for(signal)
    signal.status = status
    signal.save()
    return signal
