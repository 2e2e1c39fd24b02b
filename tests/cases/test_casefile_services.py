"""Case-file services: participants, lead partner, summary, journal (allowed, refused, audited)."""

import datetime

import pytest
from django.utils import timezone

from casus.access.models import Organisation
from casus.access.rules import CaseAction, case_can, forget_case_contexts
from casus.audit.selectors import event_values
from casus.cases.models import (
    CaseGrant,
    JournalEntry,
    JournalRevision,
    Participation,
    Visibility,
)
from casus.cases.services.casefile import (
    case_lead_set,
    case_summary_update,
    journal_entry_create,
    participation_add,
    participation_revoke,
)
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from tests.conftest import World
from tests.helpers import no_audit_events, one_audit_event, refused

from .conftest import CaseWorld
from .factories import JournalEntryFactory, participate
from .helpers import close_behind_the_back, edit_entry, org_of, others, write_entry

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


# --- Participants -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "coordinator"])
def test_participation_add(world: World, cases: CaseWorld, who: str) -> None:
    actor = getattr(world, who)
    ocmw = org_of(world, world.partner2)
    assert not case_can(world.partner2, CaseAction.VIEW, cases.case)
    with one_audit_event("PARTICIPATION_ADDED", actor=actor, cell=world.cell_a) as rec:
        participation = participation_add(
            actor=actor, case=cases.case, organisation=ocmw, reason="Follows the family."
        )
    assert participation.added_by == actor
    assert participation.is_active
    grant = CaseGrant.objects.get(source_type="cases.participation", source_id=participation.pk)
    assert grant.organisation == ocmw
    assert grant.dossier
    assert grant.valid_until is None
    forget_case_contexts(world.partner2)
    assert case_can(world.partner2, CaseAction.DOSSIER, cases.case)
    event = rec.event
    assert event is not None
    assert event.case_id == cases.case.pk
    assert event_values(event) == {
        "organisation": [None, ocmw.pk],
        "reason": [None, "Follows the family."],
    }
    assert event.data["fields"] == ["organisation", "reason"]


@pytest.mark.parametrize("who", others("chair", "coordinator"))
def test_participation_add_refused_roles(world: World, cases: CaseWorld, who: str) -> None:
    with refused(Forbidden):
        participation_add(
            actor=getattr(world, who),
            case=cases.case,
            organisation=org_of(world, world.partner2),
            reason="Why not.",
        )


def test_participation_add_rules(world: World, cases: CaseWorld) -> None:
    actor = world.coordinator
    with refused(RuleViolation, match="already takes part"):
        participation_add(
            actor=actor,
            case=cases.case,
            organisation=org_of(world, world.partner1),
            reason="Again.",
        )
    with refused(RuleViolation, match="active organisation of this cell"):
        participation_add(
            actor=actor,
            case=cases.case,
            organisation=world.membership(world.member_b, world.cell_b).organisation,
            reason="Other cell.",
        )
    ocmw = org_of(world, world.partner2)
    Organisation.objects.filter(pk=ocmw.pk).update(is_active=False)
    ocmw.refresh_from_db()
    with refused(RuleViolation, match="active organisation of this cell"):
        participation_add(actor=actor, case=cases.case, organisation=ocmw, reason="Inactive.")
    with refused(RuleViolation, match="why"):
        participation_add(
            actor=actor, case=cases.case, organisation=org_of(world, world.chair), reason="  "
        )


def test_participation_revoke(world: World, cases: CaseWorld) -> None:
    ocmw = org_of(world, world.partner2)
    participation = participate(cases.case, ocmw, world.coordinator)
    assert case_can(world.partner2, CaseAction.VIEW, cases.case)
    with one_audit_event("PARTICIPATION_REVOKED", actor=world.chair, cell=world.cell_a) as rec:
        participation_revoke(actor=world.chair, participation=participation, reason="Not needed.")
    participation.refresh_from_db()
    assert participation.revoked_by == world.chair
    assert participation.revoked_at is not None
    assert participation.revoke_reason == "Not needed."
    assert CaseGrant.objects.get(source_id=participation.pk).valid_until == (
        participation.revoked_at
    )
    forget_case_contexts(world.partner2)
    assert not case_can(world.partner2, CaseAction.VIEW, cases.case)
    event = rec.event
    assert event is not None
    assert event.case_id == cases.case.pk
    assert event_values(event)["revoke_reason"] == ["", "Not needed."]
    assert event_values(event)["revoked_by"] == [None, world.chair.pk]
    assert event.data["fields"] == ["revoke_reason", "revoked_at", "revoked_by"]
    # Once ended, it cannot end again; the organisation can be added anew.
    with refused(RuleViolation, match="already ended"):
        participation_revoke(actor=world.chair, participation=participation, reason="Again.")
    again = participation_add(
        actor=world.coordinator, case=cases.case, organisation=ocmw, reason="Back."
    )
    assert again.pk != participation.pk


@pytest.mark.parametrize("who", others("chair", "coordinator"))
def test_participation_revoke_refused_roles(world: World, cases: CaseWorld, who: str) -> None:
    participation = participate(cases.case, org_of(world, world.partner2), world.coordinator)
    with refused(Forbidden):
        participation_revoke(actor=getattr(world, who), participation=participation, reason="x")


def test_the_lead_partner_cannot_be_revoked_while_it_leads(world: World, cases: CaseWorld) -> None:
    participation = cases.case.participations.get()
    with refused(RuleViolation, match="lead partner"):
        participation_revoke(actor=world.coordinator, participation=participation, reason="x")
    case_lead_set(actor=world.coordinator, case=cases.case, organisation=None, version=1)
    participation_revoke(actor=world.coordinator, participation=participation, reason="Done.")
    forget_case_contexts(world.partner1)
    assert not case_can(world.partner1, CaseAction.VIEW, cases.case)


# --- Lead partner and summary -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "coordinator"])
def test_case_lead_set(world: World, cases: CaseWorld, who: str) -> None:
    actor = getattr(world, who)
    school, ocmw = org_of(world, world.partner1), org_of(world, world.partner2)
    participate(cases.case, ocmw, world.coordinator)
    with one_audit_event("CASE_LEAD_SET", actor=actor, cell=world.cell_a) as rec:
        case = case_lead_set(actor=actor, case=cases.case, organisation=ocmw, version=1)
    assert case.lead_organisation == ocmw
    assert case.version == 2
    event = rec.event
    assert event is not None
    assert event_values(event) == {"lead_organisation": [school.pk, ocmw.pk]}
    assert event.data["fields"] == ["lead_organisation"]
    assert event.case_id == cases.case.pk


@pytest.mark.parametrize("who", others("chair", "coordinator"))
def test_case_lead_set_refused_roles(world: World, cases: CaseWorld, who: str) -> None:
    with refused(Forbidden):
        case_lead_set(actor=getattr(world, who), case=cases.case, organisation=None, version=1)


def test_case_lead_must_participate_and_version_must_match(world: World, cases: CaseWorld) -> None:
    with refused(RuleViolation, match="organisations taking part"):
        case_lead_set(
            actor=world.coordinator,
            case=cases.case,
            organisation=org_of(world, world.partner2),
            version=1,
        )
    with refused(EditConflict):
        case_lead_set(actor=world.coordinator, case=cases.case, organisation=None, version=7)


def test_case_summary_update(world: World, cases: CaseWorld) -> None:
    with one_audit_event("CASE_SUMMARY_UPDATED", actor=world.coordinator, cell=world.cell_a) as rec:
        case = case_summary_update(
            actor=world.coordinator, case=cases.case, summary="New summary.", version=1
        )
    assert case.summary == "New summary."
    assert case.version == 2
    event = rec.event
    assert event is not None
    assert event_values(event) == {"summary": ["Coordinator's summary.", "New summary."]}
    assert event.data["fields"] == ["summary"]
    assert event.case_id == cases.case.pk


@pytest.mark.parametrize("who", others("coordinator"))
def test_case_summary_update_refused_roles(world: World, cases: CaseWorld, who: str) -> None:
    with refused(Forbidden):
        case_summary_update(actor=getattr(world, who), case=cases.case, summary="x", version=1)


def test_case_summary_concurrent_edit_keeps_both(world: World, cases: CaseWorld) -> None:
    """Two editors start from version 1: the second is refused and nothing is lost."""
    case_summary_update(actor=world.coordinator, case=cases.case, summary="First.", version=1)
    with refused(EditConflict, match="version 2") as info:
        case_summary_update(actor=world.coordinator, case=cases.case, summary="Second.", version=1)
    assert info.value.current.summary == "First."  # type: ignore[attr-defined]
    cases.case.refresh_from_db()
    assert cases.case.summary == "First."


def test_closed_case_is_read_only(world: World, cases: CaseWorld) -> None:
    close_behind_the_back(cases.case)
    cases.case.refresh_from_db()
    with refused(RuleViolation, match="closed"):
        case_summary_update(actor=world.coordinator, case=cases.case, summary="x", version=1)
    with refused(RuleViolation, match="closed"):
        write_entry(world.partner1, cases.case, "x")
    with refused(RuleViolation, match="closed"):
        participation_add(
            actor=world.coordinator,
            case=cases.case,
            organisation=org_of(world, world.partner2),
            reason="x",
        )


# --- Journal ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "information_officer", "partner1"])
def test_journal_entry_create(world: World, cases: CaseWorld, who: str) -> None:
    actor = getattr(world, who)
    day = today() - datetime.timedelta(days=2)
    with one_audit_event("JOURNAL_ENTRY_CREATED", actor=actor, cell=world.cell_a) as rec:
        entry = journal_entry_create(
            actor=actor,
            case=cases.case,
            text="  Talked with the parents.  ",
            visibility=Visibility.OWN_ORGANISATION,
            occurred_on=day,
            for_meeting=True,
        )
    assert entry.author == actor
    assert entry.organisation == org_of(world, actor)
    assert entry.text == "Talked with the parents."
    assert entry.version == 1
    event = rec.event
    assert event is not None
    assert event.case_id == cases.case.pk
    assert event_values(event) == {
        "text": [None, "Talked with the parents."],
        "visibility": [None, "own_organisation"],
        "occurred_on": [None, day.isoformat()],
        "for_meeting": [None, True],
    }
    assert event.data["fields"] == ["for_meeting", "occurred_on", "text", "visibility"]


@pytest.mark.parametrize("who", others("coordinator", "information_officer", "partner1"))
def test_journal_entry_create_refused_roles(world: World, cases: CaseWorld, who: str) -> None:
    with refused(Forbidden):
        write_entry(getattr(world, who), cases.case, "x")


def test_journal_entry_create_rules(world: World, cases: CaseWorld) -> None:
    base = {"case": cases.case, "occurred_on": today(), "for_meeting": False}
    # Police-only: the information officer may, the coordinator and a school member may not.
    for actor in (world.coordinator, world.partner1):
        with refused(RuleViolation, match="Only the police"):
            journal_entry_create(actor=actor, text="x", visibility=Visibility.POLICE, **base)
    entry = journal_entry_create(
        actor=world.information_officer, text="x", visibility=Visibility.POLICE, **base
    )
    assert entry.visibility == Visibility.POLICE
    with refused(RuleViolation, match="Write the entry"):
        journal_entry_create(actor=world.partner1, text=" ", visibility=Visibility.ALL, **base)
    with refused(RuleViolation, match="who may read"):
        journal_entry_create(actor=world.partner1, text="x", visibility="everyone", **base)
    with refused(RuleViolation, match="future"):
        journal_entry_create(
            actor=world.partner1,
            case=cases.case,
            text="x",
            visibility=Visibility.ALL,
            occurred_on=today() + datetime.timedelta(days=1),
            for_meeting=False,
        )


def test_journal_entry_update_keeps_the_previous_wording(world: World, cases: CaseWorld) -> None:
    entry = write_entry(world.partner1, cases.case)
    with one_audit_event("JOURNAL_ENTRY_UPDATED", actor=world.partner1, cell=world.cell_a) as rec:
        entry = edit_entry(
            world.partner1,
            entry,
            "Second wording.",
            Visibility.OWN_ORGANISATION,
            for_meeting=True,
        )
    assert entry.version == 2
    assert entry.text == "Second wording."
    revision = JournalRevision.objects.get(entry=entry)
    assert revision.version == 1
    assert revision.text == "First wording."
    assert revision.visibility == Visibility.ALL
    assert revision.for_meeting is False
    assert revision.saved_by == world.partner1
    event = rec.event
    assert event is not None
    assert event_values(event) == {
        "text": ["First wording.", "Second wording."],
        "visibility": ["all", "own_organisation"],
        "for_meeting": [False, True],
    }
    assert event.data["fields"] == ["for_meeting", "text", "visibility"]
    assert event.case_id == cases.case.pk
    # Entries are never deleted: the model keeps both rows.
    assert JournalEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("who", others("partner1"))
def test_only_the_author_edits(world: World, cases: CaseWorld, who: str) -> None:
    entry = write_entry(world.partner1, cases.case)
    with refused(Forbidden):
        edit_entry(getattr(world, who), entry, "Changed.")


def test_author_whose_organisation_left_can_no_longer_edit(world: World, cases: CaseWorld) -> None:
    entry = write_entry(world.partner1, cases.case)
    case_lead_set(actor=world.coordinator, case=cases.case, organisation=None, version=1)
    participation_revoke(
        actor=world.coordinator, participation=cases.case.participations.get(), reason="Done."
    )
    forget_case_contexts(world.partner1)
    with refused(Forbidden):
        edit_entry(world.partner1, entry, "Changed.")


def test_concurrent_journal_edit_loses_nothing(world: World, cases: CaseWorld) -> None:
    """Two editing sessions start from version 1; the second save is refused, both survive."""
    entry = write_entry(world.partner1, cases.case)
    first_tab = JournalEntry.objects.get(pk=entry.pk)
    second_tab = JournalEntry.objects.get(pk=entry.pk)
    edit_entry(world.partner1, first_tab, "Edited in the first tab.")
    with refused(EditConflict, match="version 2") as info:
        edit_entry(world.partner1, second_tab, "Edited in the second tab.")
    current = info.value.current
    assert current.text == "Edited in the first tab."  # type: ignore[attr-defined]
    entry.refresh_from_db()
    assert entry.text == "Edited in the first tab."
    assert list(entry.revisions.values_list("text", flat=True)) == ["First wording."]


def test_unchanged_edit_writes_nothing(world: World, cases: CaseWorld) -> None:
    entry = write_entry(world.partner1, cases.case)
    with no_audit_events():
        same = edit_entry(world.partner1, entry, "First wording.")
    assert same.version == 1
    assert not JournalRevision.objects.exists()


def test_police_member_writes_police_only(world: World, cases: CaseWorld) -> None:
    """A member of a police organisation that participates may write police-only entries."""
    police = org_of(world, world.information_officer)
    participate(cases.case, police, world.coordinator)
    from tests.factories import MembershipFactory, UserFactory

    agent = UserFactory(full_name="Agent A", email="agent@a.example.be")
    MembershipFactory(user=agent, cell=world.cell_a, organisation=police, role="member")
    entry = write_entry(agent, cases.case, "Police note.", Visibility.POLICE)
    assert entry.visibility == Visibility.POLICE


def test_factory_entry_is_not_editable_by_other_author(world: World, cases: CaseWorld) -> None:
    entry = JournalEntryFactory(case=cases.case, author=world.coordinator)
    with refused(Forbidden):
        edit_entry(world.partner1, entry, "x")
    assert Participation.objects.filter(case=cases.case).count() == 1


# --- Writes re-read the case under a lock -----------------------------------------------------


def test_journal_edit_after_a_concurrent_close_is_refused(world: World, cases: CaseWorld) -> None:
    """The entry (and its case) were read before the case was closed: the edit must not land."""
    entry = write_entry(world.partner1, cases.case)
    stale = JournalEntry.objects.select_related("case").get(pk=entry.pk)
    assert not stale.case.is_closed
    close_behind_the_back(cases.case)
    with refused(RuleViolation, match="closed"):
        edit_entry(world.partner1, stale, "Landed after the close.")
    entry.refresh_from_db()
    assert entry.text == "First wording."
    assert entry.version == 1
    assert not JournalRevision.objects.filter(entry=entry).exists()


@pytest.mark.parametrize("write", ["summary", "lead", "participation", "journal"])
def test_case_writes_after_a_concurrent_close_are_refused(
    world: World, cases: CaseWorld, write: str
) -> None:
    stale = cases.case
    assert not stale.is_closed
    close_behind_the_back(cases.case)
    with refused(RuleViolation, match="closed"):
        if write == "summary":
            case_summary_update(actor=world.coordinator, case=stale, summary="x", version=1)
        elif write == "lead":
            case_lead_set(actor=world.coordinator, case=stale, organisation=None, version=1)
        elif write == "participation":
            participation_add(
                actor=world.coordinator,
                case=stale,
                organisation=world.membership(world.partner2).organisation,
                reason="Joins.",
            )
        else:
            write_entry(world.partner1, stale, "x")
