"""Every write of cases.services.followup: the allowed path, each refusal, its audit row."""

import datetime

import pytest
from django.utils import timezone

from casus.access.models import Organisation, OrganisationKind, Sector
from casus.access.rules import CaseContext, forget_case_contexts
from casus.audit.selectors import event_values
from casus.cases.models import (
    ActionStatus,
    Assessment,
    AssessmentDomain,
    Case,
    ExternalInstrument,
    Goal,
    LifeDomain,
    PathwayAction,
    Review,
    ScenarioItem,
    ScenarioKind,
    ScenarioTemplate,
)
from casus.cases.services import followup as services
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from tests.conftest import World
from tests.helpers import no_audit_events, one_audit_event, refused

from .conftest import CaseWorld
from .factories import participate
from .helpers import (
    CASE_WRITERS,
    close_behind_the_back,
    domain,
    edit_action,
    org_named,
    others,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate

#: Who may write assessments and the pathway of ``cases.case`` (partner1's school leads).
WRITERS = CASE_WRITERS
#: Who may not: the chair reads only; partner2's OCMW does not participate; no case roles.
NON_WRITERS = others(*WRITERS)
#: Cell-level managers of scenarios and life domains: the coordinator alone.
NON_MANAGERS = others("coordinator")


def save(world: World, case: Case, who: str = "coordinator", based_on: int = 0, **domains):
    return services.assessment_save(
        actor=getattr(world, who),
        case=case,
        summary=f"Summary by {who} on v{based_on}.",
        domains={domain(world, code).pk: values for code, values in domains.items()},
        based_on_version=based_on,
    )


# --- Assessment -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WRITERS)
def test_assessment_save_creates_the_first_version(world: World, cases: CaseWorld, who) -> None:
    actor = getattr(world, who)
    family = domain(world, "family")
    with one_audit_event("ASSESSMENT_SAVED", actor=actor, cell=world.cell_a) as recorded:
        assessment = services.assessment_save(
            actor=actor,
            case=cases.case,
            summary="Withdrawn since the summer.",
            domains={
                family.pk: {"risk_factors": "Conflict with the father.", "signal_date": None},
                domain(world, "online").pk: {"observed_signals": "", "goal": "  "},
            },
            based_on_version=0,
        )
    assert assessment.version == 1
    assert assessment.organisation == world.membership(actor).organisation
    rows = list(assessment.domains.all())
    # The domain left entirely empty is not stored.
    assert [(r.domain_id, r.risk_factors) for r in rows] == [
        (family.pk, "Conflict with the father.")
    ]
    event = recorded.event
    assert event.case_id == cases.case.pk
    assert event_values(event)["summary"] == [None, "Withdrawn since the summer."]
    assert event_values(event)["family.risk_factors"] == [None, "Conflict with the father."]
    assert event.data["fields"] == ["family.risk_factors", "summary"]
    assert event.data["version"] == 1


def test_assessment_save_records_old_and_new_values_of_the_next_version(
    world: World, cases: CaseWorld
) -> None:
    save(world, cases.case, family={"needs": "Support at home."}, online={"goal": "Offline"})
    with one_audit_event("ASSESSMENT_SAVED", actor=world.partner1, cell=world.cell_a) as rec:
        second = save(world, cases.case, "partner1", 1, family={"needs": "A mentor."})
    assert second.version == 2
    assert event_values(rec.event)["family.needs"] == ["Support at home.", "A mentor."]
    assert event_values(rec.event)["online.goal"] == ["Offline", None]
    assert event_values(rec.event)["summary"] == [
        "Summary by coordinator on v0.",
        "Summary by partner1 on v1.",
    ]
    # The first version is kept as it was.
    first = Assessment.objects.get(case=cases.case, version=1)
    assert AssessmentDomain.objects.filter(assessment=first).count() == 2


@pytest.mark.parametrize("who", NON_WRITERS)
def test_assessment_save_refused(world: World, cases: CaseWorld, who) -> None:
    with refused(Forbidden):
        save(world, cases.case, who, family={"needs": "x"})
    assert not Assessment.objects.exists()


def test_two_editors_from_the_same_version_no_lost_update(world: World, cases: CaseWorld) -> None:
    save(world, cases.case, family={"needs": "v1"})
    # Both open version 1; the coordinator saves first.
    mine = save(world, cases.case, "coordinator", 1, family={"needs": "coordinator's"})
    with refused(EditConflict, match="now version 2") as info:
        save(world, cases.case, "information_officer", 1, family={"needs": "officer's"})
    assert info.value.current == mine
    assert list(Assessment.objects.filter(case=cases.case).values_list("version", flat=True)) == [
        2,
        1,
    ]
    assert "officer's" not in {domain.needs for domain in AssessmentDomain.objects.all()}
    # Saving again from the current version works.
    assert save(world, cases.case, "information_officer", 2, family={"needs": "x"}).version == 3


def test_a_first_version_conflicts_when_someone_saved_one_meanwhile(
    world: World, cases: CaseWorld
) -> None:
    save(world, cases.case, family={"needs": "v1"})
    with refused(EditConflict):
        save(world, cases.case, "partner1", 0, family={"needs": "mine"})


def test_assessment_save_refuses_another_cells_domain(world: World, cases: CaseWorld) -> None:
    with refused(Forbidden):
        services.assessment_save(
            actor=world.coordinator,
            case=cases.case,
            summary="x",
            domains={domain(world, "family", world.cell_b).pk: {"needs": "x"}},
            based_on_version=0,
        )


def test_assessment_save_needs_the_free_text(world: World, cases: CaseWorld) -> None:
    with refused(RuleViolation, match="own words"):
        services.assessment_save(
            actor=world.coordinator, case=cases.case, summary=" ", domains={}, based_on_version=0
        )


def test_follow_up_of_a_closed_case_is_frozen(world: World, cases: CaseWorld) -> None:
    close_behind_the_back(cases.case)
    cases.case.refresh_from_db()
    with refused(RuleViolation, match="closed"):
        save(world, cases.case, family={"needs": "x"})
    with refused(RuleViolation, match="closed"):
        services.goal_create(actor=world.coordinator, case=cases.case, domain=None, text="x")


@pytest.mark.parametrize("who", WRITERS)
def test_instrument_record(world: World, cases: CaseWorld, who) -> None:
    actor = getattr(world, who)
    used_on = TODAY() - datetime.timedelta(days=10)
    with one_audit_event("INSTRUMENT_RECORDED", actor=actor, cell=world.cell_a) as recorded:
        instrument = services.instrument_record(
            actor=actor,
            case=cases.case,
            name="VERA-2R",
            used_on=used_on,
            assessor="Dr. Peeters",
            conclusion="Moderate concern.",
        )
    assert ExternalInstrument.objects.get() == instrument
    assert event_values(recorded.event)["name"] == [None, "VERA-2R"]
    assert event_values(recorded.event)["used_on"] == [None, used_on.isoformat()]
    assert recorded.event.data["fields"] == ["assessor", "conclusion", "name", "used_on"]


@pytest.mark.parametrize("who", NON_WRITERS)
def test_instrument_record_refused(world: World, cases: CaseWorld, who) -> None:
    with refused(Forbidden):
        services.instrument_record(
            actor=getattr(world, who),
            case=cases.case,
            name="ERG22+",
            used_on=TODAY(),
            assessor="x",
            conclusion="y",
        )


def test_instrument_record_refuses_a_future_date(world: World, cases: CaseWorld) -> None:
    with refused(RuleViolation, match="future"):
        services.instrument_record(
            actor=world.coordinator,
            case=cases.case,
            name="RADAR",
            used_on=TODAY() + datetime.timedelta(days=1),
            assessor="x",
            conclusion="y",
        )


# --- Goals ------------------------------------------------------------------------------------


def make_goal(world: World, case: Case, text: str = "Back to school.") -> Goal:
    return services.goal_create(
        actor=world.coordinator, case=case, domain=domain(world, "education_work"), text=text
    )


@pytest.mark.parametrize("who", WRITERS)
def test_goal_create_and_update(world: World, cases: CaseWorld, who) -> None:
    actor = getattr(world, who)
    with one_audit_event("GOAL_CREATED", actor=actor, cell=world.cell_a) as created:
        goal = services.goal_create(
            actor=actor, case=cases.case, domain=domain(world, "family"), text=" Calm at home. "
        )
    assert goal.text == "Calm at home."
    assert event_values(created.event) == {
        "domain": [None, domain(world, "family").pk],
        "text": [None, "Calm at home."],
    }
    with one_audit_event("GOAL_UPDATED", actor=actor, cell=world.cell_a) as updated:
        goal = services.goal_update(
            actor=actor, goal=goal, version=1, domain=None, text="Calm at home.", is_achieved=True
        )
    assert goal.version == 2
    assert event_values(updated.event) == {
        "domain": [domain(world, "family").pk, None],
        "is_achieved": [False, True],
    }
    assert updated.event.case_id == cases.case.pk


@pytest.mark.parametrize("who", NON_WRITERS)
def test_goal_writes_refused(world: World, cases: CaseWorld, who) -> None:
    goal = make_goal(world, cases.case)
    actor = getattr(world, who)
    with refused(Forbidden):
        services.goal_create(actor=actor, case=cases.case, domain=None, text="x")
    with refused(Forbidden):
        services.goal_update(
            actor=actor, goal=goal, version=1, domain=None, text="x", is_achieved=False
        )


def test_goal_update_conflict_keeps_the_first_save(world: World, cases: CaseWorld) -> None:
    goal = make_goal(world, cases.case)
    services.goal_update(
        actor=world.coordinator, goal=goal, version=1, domain=None, text="First", is_achieved=False
    )
    with refused(EditConflict) as info:
        services.goal_update(
            actor=world.partner1,
            goal=Goal.objects.get(pk=goal.pk),
            version=1,
            domain=None,
            text="Second",
            is_achieved=False,
        )
    assert info.value.current.text == "First"
    assert Goal.objects.get(pk=goal.pk).text == "First"


def test_goal_refuses_another_cells_domain(world: World, cases: CaseWorld) -> None:
    with refused(Forbidden):
        services.goal_create(
            actor=world.coordinator,
            case=cases.case,
            domain=domain(world, "family", world.cell_b),
            text="x",
        )


def test_goal_update_without_change_writes_nothing(world: World, cases: CaseWorld) -> None:
    goal = make_goal(world, cases.case)
    with no_audit_events():
        services.goal_update(
            actor=world.coordinator,
            goal=goal,
            version=1,
            domain=goal.domain,
            text=goal.text,
            is_achieved=False,
        )


# --- Actions ----------------------------------------------------------------------------------


def make_action(world: World, case: Case, owner: str = "OCMW A", **extra) -> PathwayAction:
    values = {
        "goal": None,
        "description": "Home visit.",
        "owner_organisation": org_named(owner),
        "due_on": TODAY() + datetime.timedelta(days=7),
    }
    values.update(extra)
    return services.action_create(actor=world.coordinator, case=case, **values)


@pytest.mark.parametrize("who", WRITERS)
def test_action_create_and_update(world: World, cases: CaseWorld, who) -> None:
    actor = getattr(world, who)
    goal = make_goal(world, cases.case)
    due = TODAY() + datetime.timedelta(days=14)
    with one_audit_event("PATHWAY_ACTION_CREATED", actor=actor, cell=world.cell_a) as created:
        action = services.action_create(
            actor=actor,
            case=cases.case,
            goal=goal,
            description="Talk with the teacher.",
            owner_organisation=org_named("School A"),
            due_on=due,
        )
    assert action.status == ActionStatus.PLANNED
    assert event_values(created.event)["owner_organisation"] == [None, org_named("School A").pk]
    assert event_values(created.event)["due_on"] == [None, due.isoformat()]
    with one_audit_event("PATHWAY_ACTION_UPDATED", actor=actor, cell=world.cell_a) as updated:
        edit_action(actor, action, "Talk with the teacher.", org_named("OCMW A"), goal=goal)
    assert event_values(updated.event) == {
        "owner_organisation": [org_named("School A").pk, org_named("OCMW A").pk],
        "due_on": [due.isoformat(), None],
    }


@pytest.mark.parametrize("who", NON_WRITERS)
def test_action_writes_refused(world: World, cases: CaseWorld, who) -> None:
    action = make_action(world, cases.case)
    actor = getattr(world, who)
    with refused(Forbidden):
        services.action_create(
            actor=actor,
            case=cases.case,
            goal=None,
            description="x",
            owner_organisation=org_named("School A"),
            due_on=None,
        )
    with refused(Forbidden):
        edit_action(actor, action, "x", org_named("School A"))


def test_action_owner_must_be_an_active_organisation_of_the_cell(
    world: World, cases: CaseWorld
) -> None:
    with refused(Forbidden):
        make_action(world, cases.case, owner="School B")
    Organisation.objects.filter(name="OCMW A").update(is_active=False)
    with refused(RuleViolation, match="no longer"):
        make_action(world, cases.case, owner="OCMW A")


def test_action_goal_must_belong_to_the_case(world: World, cases: CaseWorld) -> None:
    other_goal = make_goal(world, cases.other)
    with refused(Forbidden):
        make_action(world, cases.case, goal=other_goal)


def test_action_update_conflict(world: World, cases: CaseWorld) -> None:
    action = make_action(world, cases.case)
    stale = PathwayAction.objects.get(pk=action.pk)
    services.action_status_set(
        actor=world.coordinator, action=action, status=ActionStatus.IN_PROGRESS, version=1
    )
    with refused(EditConflict):
        edit_action(world.partner1, stale, "Changed", org_named("School A"))
    assert PathwayAction.objects.get(pk=action.pk).description == "Home visit."


@pytest.mark.parametrize("who", WRITERS)
def test_action_status_set_by_pathway_writers(world: World, cases: CaseWorld, who) -> None:
    actor = getattr(world, who)
    action = make_action(world, cases.case)
    with one_audit_event("PATHWAY_ACTION_STATUS_SET", actor=actor, cell=world.cell_a) as rec:
        services.action_status_set(actor=actor, action=action, status="done", version=1)
    assert event_values(rec.event) == {"status": ["planned", "done"]}
    assert PathwayAction.objects.get(pk=action.pk).version == 2


def test_action_status_set_by_the_owning_participating_member(
    world: World, cases: CaseWorld
) -> None:
    ocmw = org_named("OCMW A")
    own = make_action(world, cases.case, owner="OCMW A")
    not_own = make_action(world, cases.case, owner="School A")
    # Not participating yet: refused even for its own organisation's action.
    with refused(Forbidden):
        services.action_status_set(actor=world.partner2, action=own, status="done", version=1)
    participate(cases.case, ocmw, world.coordinator)
    forget_case_contexts(world.partner2)
    with one_audit_event("PATHWAY_ACTION_STATUS_SET", actor=world.partner2, cell=world.cell_a):
        services.action_status_set(
            actor=world.partner2, action=own, status=ActionStatus.IN_PROGRESS, version=1
        )
    with refused(Forbidden):
        services.action_status_set(actor=world.partner2, action=not_own, status="done", version=1)
    # ...and participating does not make OCMW a pathway writer.
    with refused(Forbidden):
        services.goal_create(actor=world.partner2, case=cases.case, domain=None, text="x")


@pytest.mark.parametrize("who", ("chair", "strategic", "dpo", "cell_admin", "member_b"))
def test_action_status_set_refused(world: World, cases: CaseWorld, who) -> None:
    action = make_action(world, cases.case, owner="Local government A")
    with refused(Forbidden):
        services.action_status_set(
            actor=getattr(world, who), action=action, status="done", version=1
        )


def test_action_status_set_refuses_unknown_status_and_stale_version(
    world: World, cases: CaseWorld
) -> None:
    action = make_action(world, cases.case)
    with refused(RuleViolation):
        services.action_status_set(
            actor=world.coordinator, action=action, status="overdue", version=1
        )
    services.action_status_set(actor=world.coordinator, action=action, status="done", version=1)
    with refused(EditConflict):
        services.action_status_set(
            actor=world.partner1,
            action=PathwayAction.objects.get(pk=action.pk),
            status="cancelled",
            version=1,
        )


def test_action_status_follows_the_rule_of_access_rules(
    world: World, cases: CaseWorld, monkeypatch
) -> None:
    """The service asks ``CaseContext.may_set_action_status``: no rule of its own."""
    action = make_action(world, cases.case, owner="School A")
    asked: list[int] = []

    def refuse(self, owner_organisation_id: int) -> bool:
        asked.append(owner_organisation_id)
        return False

    monkeypatch.setattr(CaseContext, "may_set_action_status", refuse)
    with refused(Forbidden):
        services.action_status_set(actor=world.coordinator, action=action, status="done", version=1)
    assert asked == [org_named("School A").pk]
    assert not hasattr(services, "action_status_allowed")


def test_overdue_is_derived_never_stored(world: World, cases: CaseWorld) -> None:
    from casus.cases.models.followup import overdue_q

    late = make_action(world, cases.case, due_on=TODAY() - datetime.timedelta(days=1))
    assert late.is_overdue()
    assert list(PathwayAction.objects.filter(overdue_q())) == [late]
    services.action_status_set(actor=world.coordinator, action=late, status="done", version=1)
    assert not PathwayAction.objects.get(pk=late.pk).is_overdue()
    assert "overdue" not in ActionStatus.values


# --- Reviews ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WRITERS)
def test_review_record_sets_the_next_review(world: World, cases: CaseWorld, who) -> None:
    actor = getattr(world, who)
    held, nxt = TODAY(), TODAY() + datetime.timedelta(days=30)
    with one_audit_event("REVIEW_RECORDED", actor=actor, cell=world.cell_a) as recorded:
        review = services.review_record(
            actor=actor, case=cases.case, held_on=held, notes="Going well.", next_review_on=nxt
        )
    assert Review.objects.get() == review
    case = Case.objects.get(pk=cases.case.pk)
    assert case.next_review_on == nxt
    assert case.version == cases.case.version + 1
    assert event_values(recorded.event)["next_review_on"] == [None, nxt.isoformat()]
    assert event_values(recorded.event)["notes"] == [None, "Going well."]
    assert recorded.event.case_id == case.pk


@pytest.mark.parametrize("who", NON_WRITERS)
def test_review_record_refused(world: World, cases: CaseWorld, who) -> None:
    with refused(Forbidden):
        services.review_record(
            actor=getattr(world, who),
            case=cases.case,
            held_on=TODAY(),
            notes="x",
            next_review_on=None,
        )
    assert Case.objects.get(pk=cases.case.pk).next_review_on is None


def test_review_next_date_after_this_one(world: World, cases: CaseWorld) -> None:
    with refused(RuleViolation, match="after"):
        services.review_record(
            actor=world.coordinator,
            case=cases.case,
            held_on=TODAY(),
            notes="x",
            next_review_on=TODAY(),
        )


# --- Scenario templates ---------------------------------------------------------------------


def item(world: World, **values) -> dict:
    base = {
        "domain": domain(world, "education_work"),
        "goal": "Stay in school.",
        "action": "Meet the pupil counsellor.",
        "owner_kind": OrganisationKind.EDUCATION,
        "due_in_days": 14,
        "position": 1,
    }
    base.update(values)
    return base


def make_scenario(world: World, *items, name: str = "Pupil at risk") -> ScenarioTemplate:
    return services.scenario_create(
        actor=world.coordinator,
        cell=world.cell_a,
        kind=ScenarioKind.PREVENTIVE,
        name=name,
        target_group="Minors in school",
        items=list(items) or [item(world)],
    )


def test_scenario_create_and_update(world: World) -> None:
    with one_audit_event("SCENARIO_CREATED", actor=world.coordinator, cell=world.cell_a) as rec:
        template = make_scenario(world)
    assert template.items.count() == 1
    assert event_values(rec.event)["name"] == [None, "Pupil at risk"]
    assert event_values(rec.event)["items"][0] is None
    with one_audit_event("SCENARIO_UPDATED", actor=world.coordinator, cell=world.cell_a) as upd:
        services.scenario_update(
            actor=world.coordinator,
            template=template,
            kind=ScenarioKind.CURATIVE,
            name="Pupil at risk",
            target_group="Minors in school",
            description="",
            is_active=False,
            items=[item(world), item(world, goal="Sport club.", action="", position=2)],
            stamp=services.scenario_stamp(template),
        )
    template.refresh_from_db()
    assert (template.kind, template.is_active) == (ScenarioKind.CURATIVE, False)
    assert [i.goal for i in template.items.all()] == ["Stay in school.", "Sport club."]
    assert event_values(upd.event)["kind"] == ["preventive", "curative"]
    assert event_values(upd.event)["is_active"] == [True, False]
    assert set(upd.event.data["fields"]) == {"kind", "is_active", "items"}


@pytest.mark.parametrize("who", NON_MANAGERS)
def test_scenario_writes_refused(world: World, who) -> None:
    template = make_scenario(world)
    actor = getattr(world, who)
    with refused(Forbidden):
        services.scenario_create(
            actor=actor, cell=world.cell_a, kind="proactive", name="x", items=[]
        )
    with refused(Forbidden):
        services.scenario_update(
            actor=actor,
            template=template,
            kind="proactive",
            name="x",
            target_group="",
            description="",
            is_active=True,
            items=[],
            stamp=services.scenario_stamp(template),
        )


def test_scenario_rules(world: World) -> None:
    make_scenario(world)
    with refused(RuleViolation, match="already exists"):
        make_scenario(world)
    with refused(RuleViolation, match="needs a goal"):
        make_scenario(world, item(world, goal=""), name="Other")
    with refused(Forbidden):
        make_scenario(world, item(world, domain=domain(world, "family", world.cell_b)), name="B")
    with refused(RuleViolation):
        services.scenario_create(
            actor=world.coordinator, cell=world.cell_a, kind="score", name="y", items=[]
        )


def apply(world: World, case: Case, template: ScenarioTemplate, who: str = "coordinator"):
    return services.pathway_apply_scenario(actor=getattr(world, who), case=case, template=template)


@pytest.mark.parametrize("who", WRITERS)
def test_apply_scenario_prefills_goals_and_actions(world: World, cases: CaseWorld, who) -> None:
    template = make_scenario(
        world,
        item(world),  # education: the participating school, the only one of its kind
        item(world, goal="Housing.", action="Check income.", owner_kind=OrganisationKind.OCMW),
        item(world, goal="Reflect.", action="", owner_kind=""),  # a goal without an action
    )
    actor = getattr(world, who)
    with one_audit_event("PATHWAY_SCENARIO_APPLIED", actor=actor, cell=world.cell_a) as rec:
        actions = apply(world, cases.case, template, who)
    school = org_named("School A")
    # The OCMW does not participate: its action goes to the lead partner (the school).
    assert [(a.description, a.owner_organisation) for a in actions] == [
        ("Meet the pupil counsellor.", school),
        ("Check income.", school),
    ]
    assert {a.due_on for a in actions} == {TODAY() + datetime.timedelta(days=14)}
    assert Goal.objects.filter(case=cases.case).count() == 3
    assert event_values(rec.event) == {
        "scenario": [None, template.pk],
        "goals": [None, 3],
        "actions": [None, 2],
    }


def test_apply_scenario_picks_the_one_participant_of_the_kind(
    world: World, cases: CaseWorld
) -> None:
    ocmw = org_named("OCMW A")
    participate(cases.case, ocmw, world.coordinator)
    template = make_scenario(world, item(world, owner_kind=OrganisationKind.OCMW))
    assert apply(world, cases.case, template)[0].owner_organisation == ocmw
    # Two participants of the kind: ambiguous, so the lead partner.
    second = Organisation.objects.create(
        cell=world.cell_a, name="OCMW A2", kind=OrganisationKind.OCMW, sector=Sector.SOCIAL
    )
    participate(cases.case, second, world.coordinator)
    assert apply(world, cases.case, template)[0].owner_organisation == org_named("School A")


def test_apply_scenario_without_owner_is_refused_with_what_to_do(
    world: World, cases: CaseWorld
) -> None:
    template = make_scenario(world, item(world, owner_kind=OrganisationKind.POLICE))
    with refused(RuleViolation, match="kind “Police”.*lead partner"):
        apply(world, cases.other, template)
    assert not Goal.objects.exists()


@pytest.mark.parametrize("who", NON_WRITERS)
def test_apply_scenario_refused(world: World, cases: CaseWorld, who) -> None:
    template = make_scenario(world)
    with refused(Forbidden):
        apply(world, cases.case, template, who)


def test_apply_scenario_of_another_cell_or_inactive(world: World, cases: CaseWorld) -> None:
    foreign = ScenarioTemplate.objects.create(
        cell=world.cell_b, kind="reactive", name="B", created_by=world.member_b
    )
    ScenarioItem.objects.create(template=foreign, goal="x")
    with refused(Forbidden):
        apply(world, cases.case, foreign)
    template = make_scenario(world)
    ScenarioTemplate.objects.filter(pk=template.pk).update(is_active=False)
    template.refresh_from_db()
    with refused(RuleViolation, match="no longer"):
        apply(world, cases.case, template)


# --- Life domains -----------------------------------------------------------------------------


def stamp(d: LifeDomain) -> str:
    """The stamp of the domain's values as they are stored now."""
    return services.life_domain_stamp(d.name, d.position, d.is_active)


def update_domain(
    world: World,
    d: LifeDomain,
    name: str,
    position: int,
    is_active: bool = True,
    *,
    read: str | None = None,
) -> LifeDomain:
    """The coordinator saves ``d`` from a form ``read`` with that stamp (the stored values'
    stamp unless given)."""
    return services.life_domain_update(
        actor=world.coordinator,
        domain=d,
        name=name,
        position=position,
        is_active=is_active,
        stamp=stamp(d) if read is None else read,
    )


def test_life_domain_create_and_update(world: World) -> None:
    with one_audit_event("LIFE_DOMAIN_CREATED", actor=world.coordinator, cell=world.cell_a) as rec:
        created = services.life_domain_create(
            actor=world.coordinator, cell=world.cell_a, name="Sport en vrije tijd"
        )
    assert (created.code, created.label, created.position) == (
        "sport-en-vrije-tijd",
        "Sport en vrije tijd",
        8,
    )
    assert event_values(rec.event)["name"] == [None, "Sport en vrije tijd"]
    again = services.life_domain_create(
        actor=world.coordinator, cell=world.cell_a, name="Sport en vrije tijd!", position=3
    )
    assert again.code == "sport-en-vrije-tijd-2"
    family = domain(world, "family")
    assert family.name == "" and family.label == "Family"
    with one_audit_event("LIFE_DOMAIN_UPDATED", actor=world.coordinator, cell=world.cell_a) as upd:
        update_domain(world, family, "Gezin", 9, is_active=False)
    family.refresh_from_db()
    assert (family.label, family.position, family.is_active) == ("Gezin", 9, False)
    assert event_values(upd.event) == {
        "name": ["", "Gezin"],
        "position": [0, 9],
        "is_active": [True, False],
    }
    # An empty name brings the translated default name back.
    update_domain(world, family, "", 0)
    family.refresh_from_db()
    assert family.label == "Family"


def test_life_domain_rules(world: World) -> None:
    with refused(RuleViolation):
        services.life_domain_create(actor=world.coordinator, cell=world.cell_a, name=" ")
    own = services.life_domain_create(actor=world.coordinator, cell=world.cell_a, name="Sport")
    with refused(RuleViolation, match="needs a name"):
        update_domain(world, own, "", 1)


@pytest.mark.parametrize("who", NON_MANAGERS)
def test_life_domain_writes_refused(world: World, who) -> None:
    actor = getattr(world, who)
    with refused(Forbidden):
        services.life_domain_create(actor=actor, cell=world.cell_a, name="x")
    with refused(Forbidden):
        family = domain(world, "family")
        services.life_domain_update(
            actor=actor, domain=family, name="x", position=1, is_active=True, stamp=stamp(family)
        )


def test_life_domain_update_refuses_a_change_made_meanwhile(world: World) -> None:
    family = domain(world, "family")
    read = stamp(family)  # what the first coordinator's form was built from
    update_domain(world, family, "Gezin", 0, read=read)
    with refused(EditConflict, match="changed this meanwhile") as info:
        update_domain(world, domain(world, "family"), "Familie", 4, read=read)
    assert info.value.current.name == "Gezin"
    family.refresh_from_db()
    assert (family.name, family.position) == ("Gezin", 0)
    # A missing stamp is no way around it.
    with refused(EditConflict):
        update_domain(world, family, "x", 1, read="")


def test_life_domains_update_saves_all_or_nothing(world: World) -> None:
    family, online = domain(world, "family"), domain(world, "online")
    stale = stamp(online)
    update_domain(world, online, "Web", 2, read=stale)
    values = {"name": "Gezin", "position": 1, "is_active": True, "stamp": stamp(family)}
    with refused(EditConflict) as info:
        services.life_domains_update(
            actor=world.coordinator,
            cell=world.cell_a,
            edits=[
                (family, values),
                (online, {"name": "Online", "position": 3, "is_active": False, "stamp": stale}),
            ],
        )
    assert info.value.current.pk == online.pk
    family.refresh_from_db()
    assert family.name == ""  # the first row was not saved either
    with one_audit_event("LIFE_DOMAIN_UPDATED", actor=world.coordinator, cell=world.cell_a):
        services.life_domains_update(
            actor=world.coordinator, cell=world.cell_a, edits=[(family, values)]
        )
    family.refresh_from_db()
    assert family.name == "Gezin"


@pytest.mark.parametrize("who", ("information_officer", "member_b"))
def test_life_domains_update_refused(world: World, who) -> None:
    family = domain(world, "family")
    values = {"name": "x", "position": 1, "is_active": True, "stamp": stamp(family)}
    with refused(Forbidden):
        services.life_domains_update(
            actor=getattr(world, who), cell=world.cell_a, edits=[(family, values)]
        )
    # Another cell's domain through this cell: refused as missing.
    foreign = domain(world, "family", world.cell_b)
    foreign_values = {**values, "stamp": stamp(foreign)}
    with refused(Forbidden):
        services.life_domains_update(
            actor=world.coordinator, cell=world.cell_a, edits=[(foreign, foreign_values)]
        )


def test_scenario_update_refuses_a_change_made_meanwhile(world: World) -> None:
    template = make_scenario(world)
    read = services.scenario_stamp(template)
    fields = {
        "kind": ScenarioKind.PREVENTIVE,
        "name": "Pupil at risk",
        "target_group": "Minors in school",
        "description": "",
        "is_active": True,
    }
    # Another coordinator changes only an item meanwhile.
    services.scenario_update(
        actor=world.coordinator,
        template=template,
        items=[item(world, due_in_days=7)],
        stamp=read,
        **fields,
    )
    with refused(EditConflict, match="changed this meanwhile") as info:
        services.scenario_update(
            actor=world.coordinator,
            template=ScenarioTemplate.objects.get(pk=template.pk),
            items=[item(world, goal="Overwritten.")],
            stamp=read,
            **{**fields, "description": "Mine."},
        )
    assert info.value.current.pk == template.pk
    template.refresh_from_db()
    assert template.description == ""
    assert [(i.goal, i.due_in_days) for i in template.items.all()] == [("Stay in school.", 7)]
