"""The case need-to-know rules of access.rules, per role (product.md's matrix)."""

import pytest
from django.utils import timezone

from casus.access.models import Membership
from casus.access.rules import (
    CaseAction,
    case_can,
    case_queryset_for,
    forget_case_contexts,
    sees_case,
    signal_source_visible,
)
from casus.cases.models import Case, CaseGrant, GrantReason
from casus.cases.services.common import revoke_grants
from tests.conftest import World

from .conftest import CaseWorld
from .helpers import PEOPLE, personal_grant, received

pytestmark = pytest.mark.django_db


def visible(user, world: World) -> set[int]:
    return set(case_queryset_for(user, world.cell_a).values_list("pk", flat=True))


def test_case_queryset_by_role(world: World, cases: CaseWorld) -> None:
    both = {cases.case.pk, cases.other.pk}
    assert visible(world.chair, world) == both
    assert visible(world.coordinator, world) == both
    assert visible(world.information_officer, world) == both
    assert visible(world.partner1, world) == {cases.case.pk}
    assert visible(world.partner2, world) == set()
    for user in (world.strategic, world.dpo, world.cell_admin, world.member_b):
        assert visible(user, world) == set()


def test_revoked_participation_hides_the_case(world: World, cases: CaseWorld) -> None:
    participation = cases.case.participations.get()
    assert revoke_grants(source=participation) == 1
    assert visible(world.partner1, world) == set()


def test_chair_reads_the_dossier_only_through_a_personal_grant(
    world: World, cases: CaseWorld
) -> None:
    case = cases.case
    assert case_can(world.chair, CaseAction.VIEW, case)
    assert not case_can(world.chair, CaseAction.DOSSIER, case)
    grant = personal_grant(case, world.chair, dossier=True, reason=GrantReason.BREAK_GLASS)
    assert case_can(world.chair, CaseAction.DOSSIER, case)
    CaseGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now())
    forget_case_contexts(world.chair)
    assert not case_can(world.chair, CaseAction.DOSSIER, case)


#: What a member of an organisation taking part may do: read and write the file.
PARTICIPANT = {
    CaseAction.VIEW,
    CaseAction.DOSSIER,
    CaseAction.JOURNAL_WRITE,
    CaseAction.FOLLOWUP_READ,
    CaseAction.FOLLOWUP_WRITE,
    CaseAction.PDF,
}
#: Who takes part and when the case ends: the chair's and the coordinator's.
MANAGING = {CaseAction.PARTICIPANTS, CaseAction.CLOSE}


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        # The chair breaks the glass on a case whose file no personal grant opens yet.
        (
            "chair",
            {
                CaseAction.VIEW,
                CaseAction.FOLLOWUP_READ,
                CaseAction.PDF,
                CaseAction.BREAK_GLASS,
                *MANAGING,
            },
        ),
        ("coordinator", {*PARTICIPANT, *MANAGING, CaseAction.PROGRESS}),
        ("information_officer", {*PARTICIPANT, CaseAction.POLICE_WRITE}),
        ("partner1", PARTICIPANT),
        ("partner2", set()),
        ("strategic", set()),
        ("dpo", set()),
        ("cell_admin", set()),
        ("member_b", set()),
    ],
)
def test_case_actions_by_role(world: World, cases: CaseWorld, user: str, allowed: set) -> None:
    actor = getattr(world, user)
    for action in CaseAction:
        assert case_can(actor, action, cases.case) == (action in allowed), action


def test_anonymous_source_visible_to_coordinator_and_officer_only(world: World) -> None:
    seeing = {who for who in PEOPLE if signal_source_visible(getattr(world, who), world.cell_a)}
    assert seeing == {"coordinator", "information_officer"}


def test_entry_visibility_per_role(world: World, cases: CaseWorld) -> None:
    """Own-organisation entries for the author's organisation alone; police-only entries for
    the officer, the chair and police members, never the coordinator."""
    from casus.access.rules import case_context
    from casus.cases.models import JournalEntry, Visibility

    from .factories import JournalEntryFactory

    case = cases.case
    police = world.membership(world.information_officer).organisation
    school = world.membership(world.partner1).organisation
    entries = {
        "all": JournalEntryFactory(case=case, author=world.partner1),
        "school_own": JournalEntryFactory(
            case=case, author=world.partner1, visibility=Visibility.OWN_ORGANISATION
        ),
        "police": JournalEntryFactory(
            case=case, author=world.information_officer, visibility=Visibility.POLICE
        ),
        "police_own": JournalEntryFactory(
            case=case,
            author=world.information_officer,
            visibility=Visibility.OWN_ORGANISATION,
        ),
    }
    assert entries["police"].organisation == police
    assert entries["school_own"].organisation == school
    expected = {
        "chair": {"all", "police"},
        "coordinator": {"all"},
        "information_officer": {"all", "police", "police_own"},
        "partner1": {"all", "school_own"},
    }
    names = {entry.pk: name for name, entry in entries.items()}
    for who, visible_names in expected.items():
        q = case_context(getattr(world, who), case).entry_q()
        seen = {
            names[pk]
            for pk in JournalEntry.objects.filter(q, case=case).values_list("pk", flat=True)
        }
        assert seen == visible_names, who


def test_participating_cases_is_the_followup_read_rule(world: World, cases: CaseWorld) -> None:
    from casus.access.rules import participating_cases

    for who in PEOPLE:
        user = getattr(world, who)
        expected = {
            case.pk
            for case in (cases.case, cases.other)
            if case_can(user, CaseAction.FOLLOWUP_READ, case)
        }
        assert set(participating_cases(user, world.cell_a).values_list("pk", flat=True)) == (
            expected
        ), who


def test_a_meeting_window_grant_opens_neither_the_case_nor_its_followup(
    world: World, cases: CaseWorld
) -> None:
    """A window without the dossier opens only the agenda item (meetings rules)."""
    from casus.access.rules import participating_cases

    personal_grant(cases.other, world.partner2)
    assert visible(world.partner2, world) == set()
    assert not participating_cases(world.partner2, world.cell_a).exists()
    for action in CaseAction:
        assert not case_can(world.partner2, action, cases.other), action


def test_a_personal_dossier_grant_shows_the_case(world: World, cases: CaseWorld) -> None:
    personal_grant(cases.other, world.partner2, dossier=True, reason=GrantReason.BREAK_GLASS)
    assert visible(world.partner2, world) == {cases.other.pk}
    assert case_can(world.partner2, CaseAction.VIEW, cases.other)


def sees(membership: Membership, case: Case, grants: set, followup: bool = False) -> bool:
    """``sees_case`` asked for the seat ``membership`` with the given ``grants``."""
    return sees_case(
        role=membership.role,
        organisation_id=membership.organisation_id,
        user_id=membership.user_id,
        case_id=case.pk,
        grants=grants,
        followup=followup,
    )


def test_sees_case_matches_the_queryset(world: World, cases: CaseWorld) -> None:
    school = world.membership(world.partner1).organisation_id
    grants = {(cases.case.pk, "organisation", school)}
    for who in ("chair", "coordinator", "information_officer", "partner1", "partner2"):
        membership = world.membership(getattr(world, who))
        for case in (cases.case, cases.other):
            assert sees(membership, case, grants) == (
                case.pk in visible(getattr(world, who), world)
            ), (who, case)


def test_sees_case_followup_needs_participation(world: World, cases: CaseWorld) -> None:
    school = world.membership(world.partner1).organisation_id
    ocmw = world.membership(world.partner2)
    grants = {
        (cases.case.pk, "organisation", school),
        (cases.case.pk, "participation", school),
        (cases.other.pk, "user", ocmw.user_id),  # a meeting window: the case, not the pathway
    }
    school_seat = world.membership(world.partner1)
    assert sees(school_seat, cases.case, grants, followup=True)
    assert sees(ocmw, cases.other, grants, followup=False)
    assert not sees(ocmw, cases.other, grants, followup=True)
    assert sees(world.membership(world.coordinator), cases.other, grants, followup=True)


def test_revision_q_follows_the_revision_visibility(world: World, cases: CaseWorld) -> None:
    """An entry that was police-only and is now for all: its earlier wording stays police-only."""
    from casus.access.rules import case_context
    from casus.cases.models import JournalRevision, Visibility

    from .factories import JournalEntryFactory

    entry = JournalEntryFactory(case=cases.case, author=world.information_officer)
    JournalRevision.objects.create(
        entry=entry,
        version=1,
        text="earlier",
        visibility=Visibility.POLICE,
        occurred_on=entry.occurred_on,
        saved_by=world.information_officer,
        saved_at=timezone.now(),
    )
    for who, sees in (("coordinator", False), ("information_officer", True), ("chair", True)):
        q = case_context(getattr(world, who), cases.case).revision_q()
        assert JournalRevision.objects.filter(q, entry=entry).exists() is sees, who
    q = case_context(world.coordinator, cases.case).revision_q("revisions__")
    assert not type(entry).objects.filter(q, pk=entry.pk).exists()


def test_only_the_author_edits_an_entry(world: World, cases: CaseWorld) -> None:
    from casus.access.rules import case_context

    author = world.partner1.pk
    assert case_context(world.partner1, cases.case).may_edit_entry(author)
    for who in ("coordinator", "information_officer", "chair", "partner2"):
        assert not case_context(getattr(world, who), cases.case).may_edit_entry(author), who
    # The author whose organisation no longer participates cannot edit either.
    revoke_grants(source=cases.case.participations.get())
    forget_case_contexts(world.partner1)
    assert not case_context(world.partner1, cases.case).may_edit_entry(author)


def test_action_status_by_owner_or_pathway_writer(world: World, cases: CaseWorld) -> None:
    from casus.access.rules import case_context

    from .factories import participate

    ocmw = world.membership(world.partner2).organisation
    school = world.membership(world.partner1).organisation
    participate(cases.case, ocmw, world.coordinator)
    forget_case_contexts(world.partner2)
    # partner2 (OCMW) participates but does not lead: only the OCMW's own actions.
    assert case_context(world.partner2, cases.case).may_set_action_status(ocmw.pk)
    assert not case_context(world.partner2, cases.case).may_set_action_status(school.pk)
    # The lead partner and the coordinator set any action's status; the chair none.
    assert case_context(world.partner1, cases.case).may_set_action_status(ocmw.pk)
    assert case_context(world.coordinator, cases.case).may_set_action_status(ocmw.pk)
    assert not case_context(world.chair, cases.case).may_set_action_status(ocmw.pk)


def test_signal_queryset_by_role(world: World) -> None:
    from casus.access.rules import signal_queryset_for
    from casus.cases.models import ScreeningOutcome, SignalStatus

    from .factories import SignalFactory

    waiting = received(world)
    proposed = SignalFactory(
        cell=world.cell_a,
        reported_by=world.partner2,
        status=SignalStatus.PROPOSED,
        screening_outcome=ScreeningOutcome.PROPOSED,
    )
    expected = {
        "coordinator": {waiting.pk, proposed.pk},
        "information_officer": {waiting.pk, proposed.pk},
        "chair": {proposed.pk},
    }
    for who in PEOPLE:
        seen = set(
            signal_queryset_for(getattr(world, who), world.cell_a).values_list("pk", flat=True)
        )
        assert seen == expected.get(who, set()), who


def test_who_may_join_a_signal_to_a_case(world: World, cases: CaseWorld) -> None:
    from casus.access.rules import signal_join_allowed
    from casus.cases.models import CaseStatus, SignalStatus

    from .factories import CaseFactory

    waiting = received(world)
    proposed = received(world, status=SignalStatus.PROPOSED)
    closed = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        status=CaseStatus.CLOSED,
        closure_reason="positive",
    )
    other_cell = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    allowed = {
        (who, signal, case)
        for who, signal, case in (
            ("coordinator", "received", "open"),
            ("coordinator", "received", "closed"),
            ("information_officer", "received", "open"),
            ("chair", "proposed", "open"),
            ("chair", "proposed", "closed"),
        )
    }
    signals = {"received": waiting, "proposed": proposed}
    targets = {"open": cases.other, "closed": closed, "other_cell": other_cell}
    for who in PEOPLE:
        for signal_name, signal in signals.items():
            for case_name, case in targets.items():
                result = signal_join_allowed(getattr(world, who), signal, case)
                assert result is ((who, signal_name, case_name) in allowed), (
                    who,
                    signal_name,
                    case_name,
                )
