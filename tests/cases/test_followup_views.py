"""The follow-up pages: who sees them, access-log rows, conflicts, bad input, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casus.access.models import OrganisationKind, User
from casus.audit.models import AccessKind, AccessLog, AuditEvent
from casus.cases.models import (
    Assessment,
    Case,
    ExternalInstrument,
    Goal,
    LifeDomain,
    PathwayAction,
    Review,
    ScenarioTemplate,
)
from casus.cases.services import followup as services
from tests.conftest import World, ready_client

from .conftest import CaseWorld
from .factories import CaseFactory, participate
from .helpers import CASE_READERS, domain, edit_action, org_named, others

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def save(world: World, case: Case, based_on: int, needs: str, summary: str = "Summary") -> None:
    services.assessment_save(
        actor=world.coordinator,
        case=case,
        summary=summary,
        domains={domain(world, "family").pk: {"needs": needs}},
        based_on_version=based_on,
    )


def access_rows(user: User, kind: str) -> list[AccessLog]:
    return list(AccessLog.objects.filter(actor=user, kind=kind))


def case_urls(case: Case, goal: Goal, action: PathwayAction) -> list[tuple[str, str]]:
    """Every case URL of the follow-up, with the method it answers."""
    pk = case.pk
    return [
        ("get", reverse("cases:assessment", args=[pk])),
        ("get", reverse("cases:assessment_edit", args=[pk])),
        ("get", reverse("cases:assessment_version", args=[pk, 1])),
        ("get", reverse("cases:assessment_compare", args=[pk])),
        ("get", reverse("cases:instrument_add", args=[pk])),
        ("get", reverse("cases:pathway", args=[pk])),
        ("get", reverse("cases:goal_add", args=[pk])),
        ("get", reverse("cases:goal_edit", args=[pk, goal.pk])),
        ("get", reverse("cases:action_add", args=[pk])),
        ("get", reverse("cases:action_edit", args=[pk, action.pk])),
        ("post", reverse("cases:action_status", args=[pk, action.pk])),
        ("get", reverse("cases:review_add", args=[pk])),
        ("post", reverse("cases:pathway_apply_scenario", args=[pk])),
    ]


@pytest.fixture
def filled(world: World, cases: CaseWorld) -> tuple[Goal, PathwayAction]:
    save(world, cases.case, 0, "Support at home.")
    goal = services.goal_create(
        actor=world.coordinator, case=cases.case, domain=domain(world, "family"), text="Calm."
    )
    action = services.action_create(
        actor=world.coordinator,
        case=cases.case,
        goal=goal,
        description="Home visit.",
        owner_organisation=org_named("School A"),
        due_on=TODAY() - datetime.timedelta(days=2),
    )
    return goal, action


@pytest.mark.parametrize("who", others(*CASE_READERS))
def test_every_case_page_is_404_for_those_without_access(
    world: World, cases: CaseWorld, filled, who
) -> None:
    client = ready_client(getattr(world, who))
    for method, url in case_urls(cases.case, *filled):
        response = getattr(client, method)(url, {"status": "done", "version": 1})
        assert response.status_code == 404, url
    assert not AccessLog.objects.filter(actor=getattr(world, who)).exists()
    assert PathwayAction.objects.get().status == "planned"


def test_chair_reads_but_writes_nothing(world: World, cases: CaseWorld, filled) -> None:
    client = ready_client(world.chair)
    pk = cases.case.pk
    save(world, cases.case, 1, "Second version.")
    reads = {
        reverse("cases:assessment", args=[pk]),
        reverse("cases:assessment_version", args=[pk, 1]),
        reverse("cases:assessment_compare", args=[pk]),
        reverse("cases:pathway", args=[pk]),
    }
    for url in reads:
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert reverse("cases:assessment_edit", args=[pk]) not in html
        assert "Set status" not in html
    assert len(access_rows(world.chair, AccessKind.ASSESSMENT)) == 3
    assert len(access_rows(world.chair, AccessKind.PATHWAY)) == 1
    writes = [(m, u) for m, u in case_urls(cases.case, *filled) if u not in reads]
    assert len(writes) == 9
    for method, url in writes:
        response = getattr(client, method)(url, {"status": "done", "version": 1})
        assert response.status_code == 404, url
    assert PathwayAction.objects.get().status == "planned"


# --- Assessment -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CASE_READERS)
def test_assessment_page_shows_the_latest_version_and_logs_the_read(
    world: World, cases: CaseWorld, who
) -> None:
    save(world, cases.case, 0, "Support at home.", summary="First words.")
    save(world, cases.case, 1, "A mentor.", summary="First words.")
    user = getattr(world, who)
    page = ready_client(user).get(reverse("cases:assessment", args=[cases.case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Assessment in your own words") < html.index("Family")
    assert "A mentor." in html and "Support at home." not in html
    assert "Changed since version 1" in html
    assert 'class="changed"' in html
    assert reverse("cases:assessment_version", args=[cases.case.pk, 1]) in html
    assert "score" not in html.replace("no score", "")
    rows = access_rows(user, AccessKind.ASSESSMENT)
    assert [(r.case_id, r.object_id) for r in rows] == [(cases.case.pk, str(cases.case.pk))]
    can_write = who != "chair"
    assert (reverse("cases:assessment_edit", args=[cases.case.pk]) in html) is can_write


def test_assessment_edit_saves_a_new_version(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.partner1)
    url = reverse("cases:assessment_edit", args=[cases.case.pk])
    family = domain(world, "family")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "summary": "Worried about isolation.",
            "based_on_version": 0,
            f"d{family.pk}_risk_factors": "Isolated.",
            f"d{family.pk}_signal_date": "2026-01-05",
        },
    )
    assert response.status_code == 302
    row = Assessment.objects.get().domains.get()
    assert (row.domain, row.risk_factors, row.signal_date) == (
        family,
        "Isolated.",
        datetime.date(2026, 1, 5),
    )
    assert len(access_rows(world.partner1, AccessKind.ASSESSMENT)) == 1  # the GET only


def test_assessment_edit_conflict_keeps_both_versions_reachable(
    world: World, cases: CaseWorld
) -> None:
    save(world, cases.case, 0, "v1 needs")
    family = domain(world, "family")
    url = reverse("cases:assessment_edit", args=[cases.case.pk])
    # Both editors opened version 1; the coordinator saved version 2 first.
    save(world, cases.case, 1, "Saved by the coordinator.")
    response = ready_client(world.information_officer).post(
        url,
        {
            "summary": "The officer's unsaved words.",
            "based_on_version": 1,
            f"d{family.pk}_needs": "Unsaved officer needs.",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved a new version meanwhile" in html
    assert 'class="compare"' in html
    assert "The officer&#x27;s unsaved words." in html and "Unsaved officer needs." in html
    assert "Saved by the coordinator." in html
    # The form now builds on version 2, so saving again works.
    assert 'name="based_on_version" value="2"' in html
    assert Assessment.objects.count() == 2
    client = ready_client(world.information_officer)
    for version in (1, 2):
        page = client.get(reverse("cases:assessment_version", args=[cases.case.pk, version]))
        assert page.status_code == 200


@pytest.mark.parametrize("version", [0, 3, 99])
def test_unknown_assessment_version_is_404(world: World, cases: CaseWorld, version) -> None:
    save(world, cases.case, 0, "x")
    save(world, cases.case, 1, "y")
    url = reverse("cases:assessment_version", args=[cases.case.pk, version])
    assert ready_client(world.coordinator).get(url).status_code == 404


def test_compare_marks_the_fields_that_differ(world: World, cases: CaseWorld) -> None:
    save(world, cases.case, 0, "Old needs.", summary="Same words.")
    save(world, cases.case, 1, "New needs.", summary="Same words.")
    client = ready_client(world.partner1)
    url = reverse("cases:assessment_compare", args=[cases.case.pk])
    page = client.get(url, {"a": 1, "b": 2})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Old needs." in html and "New needs." in html
    assert html.count('<dd class="changed">') == 2  # needs, in both columns
    assert '<div class="changed">' not in html  # the free text did not change
    # Without numbers it compares the two latest versions.
    assert "New needs." in client.get(url).content.decode()
    assert len(access_rows(world.partner1, AccessKind.ASSESSMENT)) == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"a": 1, "b": 1}, "Choose two different versions."),
        ({"a": 1, "b": 7}, "There is no version 7."),
        ({"a": "x", "b": 2}, "Enter a whole number."),
        ({"a": -1, "b": 2}, "greater than or equal to 1"),
        ({"b": 2}, "This field is required."),
    ],
)
def test_compare_bad_input_is_a_form_error(world: World, cases: CaseWorld, query, message) -> None:
    save(world, cases.case, 0, "x")
    save(world, cases.case, 1, "y")
    page = ready_client(world.coordinator).get(
        reverse("cases:assessment_compare", args=[cases.case.pk]), query
    )
    assert page.status_code == 200
    assert message in page.content.decode()


def test_instrument_add(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.information_officer)
    url = reverse("cases:instrument_add", args=[cases.case.pk])
    page = client.get(url)
    assert "VERA-2R" in page.content.decode()  # the help text: not to be copied
    response = client.post(
        url,
        {"name": "TRAP-18", "used_on": "2026-01-02", "assessor": "Dr. X", "conclusion": "Low."},
    )
    assert response.status_code == 302
    assert ExternalInstrument.objects.get().name == "TRAP-18"
    assert client.post(url, {"name": "", "used_on": "garbage"}).status_code == 200


# --- Pathway ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CASE_READERS)
def test_pathway_page(world: World, cases: CaseWorld, filled, who) -> None:
    user = getattr(world, who)
    page = ready_client(user).get(reverse("cases:pathway", args=[cases.case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Calm." in html and "Home visit." in html
    assert "Overdue" in html
    assert len(access_rows(user, AccessKind.PATHWAY)) == 1
    # The chair reads; every other one here may set the status (writers).
    assert ("Set status" in html) is (who != "chair")


def test_owning_member_sets_status_but_does_not_edit(world: World, cases: CaseWorld) -> None:
    ocmw = org_named("OCMW A")
    participate(cases.case, ocmw, world.coordinator)
    action = services.action_create(
        actor=world.coordinator,
        case=cases.case,
        goal=None,
        description="Budget guidance.",
        owner_organisation=ocmw,
        due_on=None,
    )
    client = ready_client(world.partner2)
    html = client.get(reverse("cases:pathway", args=[cases.case.pk])).content.decode()
    assert "Set status" in html
    assert (
        'href="{}"'.format(reverse("cases:action_edit", args=[cases.case.pk, action.pk]))
        not in html
    )
    url = reverse("cases:action_status", args=[cases.case.pk, action.pk])
    assert client.post(url, {"status": "done", "version": 1}).status_code == 302
    assert PathwayAction.objects.get().status == "done"
    assert client.get(url).status_code == 405
    edit = reverse("cases:action_edit", args=[cases.case.pk, action.pk])
    assert client.get(edit).status_code == 404


def test_action_status_conflict_shows_both(world: World, cases: CaseWorld, filled) -> None:
    _goal, action = filled
    services.action_status_set(
        actor=world.coordinator, action=action, status="in_progress", version=1
    )
    url = reverse("cases:action_status", args=[cases.case.pk, action.pk])
    response = ready_client(world.partner1).post(url, {"status": "cancelled", "version": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="compare"' in html and "In progress" in html
    assert '<option value="cancelled" selected>' in html
    assert 'name="version" value="2"' in html
    assert PathwayAction.objects.get().status == "in_progress"
    bad = ready_client(world.partner1).post(url, {"status": "overdue", "version": 2})
    assert bad.status_code == 302
    assert PathwayAction.objects.get().status == "in_progress"


def test_goal_and_action_forms(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.coordinator)
    pk = cases.case.pk
    foreign = domain(world, "family", world.cell_b)
    response = client.post(
        reverse("cases:goal_add", args=[pk]), {"domain": foreign.pk, "text": "x"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        reverse("cases:goal_add", args=[pk]), {"domain": domain(world, "family").pk, "text": "G"}
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    school_b = org_named("School B")
    response = client.post(
        reverse("cases:action_add", args=[pk]),
        {"goal": goal.pk, "description": "A", "owner_organisation": school_b.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    other_goal = Goal.objects.create(case=cases.other, text="other", created_by=world.coordinator)
    response = client.post(
        reverse("cases:action_add", args=[pk]),
        {"goal": other_goal.pk, "description": "A", "owner_organisation": org_named("OCMW A").pk},
    )
    assert response.status_code == 200
    response = client.post(
        reverse("cases:action_add", args=[pk]),
        {"goal": goal.pk, "description": "A", "owner_organisation": org_named("OCMW A").pk},
    )
    assert response.status_code == 302
    action = PathwayAction.objects.get()
    # Ids of another case's goal or action in the URL: 404.
    assert client.get(reverse("cases:goal_edit", args=[cases.other.pk, goal.pk])).status_code == 404
    assert client.get(reverse("cases:goal_edit", args=[pk, other_goal.pk])).status_code == 404
    assert client.get(reverse("cases:action_edit", args=[pk, 999999])).status_code == 404
    assert client.get(reverse("cases:action_edit", args=[pk, action.pk])).status_code == 200


def test_goal_edit_conflict_shows_both(world: World, cases: CaseWorld, filled) -> None:
    goal, _action = filled
    services.goal_update(
        actor=world.coordinator, goal=goal, version=1, domain=None, text="Theirs", is_achieved=True
    )
    url = reverse("cases:goal_edit", args=[cases.case.pk, goal.pk])
    response = ready_client(world.partner1).post(
        url, {"domain": domain(world, "family").pk, "text": "Mine, unsaved", "version": 1}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mine, unsaved" in html and "Theirs" in html and 'class="compare"' in html
    assert '<dd class="changed">' in html
    assert Goal.objects.get().text == "Theirs"


def test_action_edit_conflict_shows_both(world: World, cases: CaseWorld, filled) -> None:
    _goal, action = filled
    edit_action(world.coordinator, action, "Theirs", org_named("OCMW A"))
    url = reverse("cases:action_edit", args=[cases.case.pk, action.pk])
    response = ready_client(world.partner1).post(
        url,
        {"description": "Mine", "owner_organisation": org_named("School A").pk, "version": 1},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mine" in html and "Theirs" in html and 'class="compare"' in html
    assert PathwayAction.objects.get().description == "Theirs"


def test_review_add(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.partner1)
    url = reverse("cases:review_add", args=[cases.case.pk])
    response = client.post(
        url, {"held_on": "2026-02-01", "notes": "OK.", "next_review_on": "2026-03-01"}
    )
    assert response.status_code == 302
    assert Review.objects.get().notes == "OK."
    assert Case.objects.get(pk=cases.case.pk).next_review_on == datetime.date(2026, 3, 1)
    response = client.post(
        url, {"held_on": "2026-02-01", "notes": "x", "next_review_on": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "must come after" in response.content.decode()


def make_scenario(world: World, cell=None, owner_kind=OrganisationKind.EDUCATION):
    return services.scenario_create(
        actor=world.coordinator,
        cell=world.cell_a,
        kind="preventive",
        name="Pupil",
        items=[{"goal": "School.", "action": "Meet.", "owner_kind": owner_kind, "due_in_days": 5}],
    )


def test_apply_scenario_view(world: World, cases: CaseWorld) -> None:
    template = make_scenario(world)
    client = ready_client(world.coordinator)
    url = reverse("cases:pathway_apply_scenario", args=[cases.case.pk])
    assert (
        "Prefill from a scenario"
        in client.get(reverse("cases:pathway", args=[cases.case.pk])).content.decode()
    )
    assert client.post(url, {"template": template.pk}).status_code == 302
    assert PathwayAction.objects.get().owner_organisation == org_named("School A")
    # Refused with the message on the pathway (nobody can own it in the other case).
    other = reverse("cases:pathway_apply_scenario", args=[cases.other.pk])
    response = client.post(other, {"template": template.pk}, follow=True)
    assert "Nobody can own the action" in response.content.decode()
    foreign = ScenarioTemplate.objects.create(
        cell=world.cell_b, kind="reactive", name="B", created_by=world.member_b
    )
    response = client.post(url, {"template": foreign.pk}, follow=True)
    assert "Choose one of the listed scenarios." in response.content.decode()
    assert client.post(url, {"template": "abc"}).status_code == 302
    assert PathwayAction.objects.count() == 1


# --- Scenarios and life domains -------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ("chair", "information_officer", "partner1", "strategic", "dpo", "cell_admin"),
)
def test_cell_pages_are_for_the_coordinator_only(world: World, who) -> None:
    template = make_scenario(world)
    client = ready_client(getattr(world, who))
    for name, args in (
        ("cases:scenarios", []),
        ("cases:scenario_new", []),
        ("cases:scenario_edit", [template.pk]),
        ("cases:life_domains", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
        assert (
            client.post(reverse(name, args=args), {"form": "add", "name": "x"}).status_code == 404
        )


def test_another_cells_coordinator_sees_only_their_own_cell(world: World) -> None:
    template = make_scenario(world)
    client = ready_client(world.member_b)
    assert "Pupil" not in client.get(reverse("cases:scenarios")).content.decode()
    assert client.get(reverse("cases:scenario_edit", args=[template.pk])).status_code == 404
    page = client.post(
        reverse("cases:scenario_edit", args=[template.pk]), {"kind": "reactive", "name": "x"}
    )
    assert page.status_code == 404
    rows = client.get(reverse("cases:life_domains")).context["rows"]
    assert {domain.cell_id for domain, _form in rows} == {world.cell_b.pk}


def test_scenario_pages(world: World) -> None:
    client = ready_client(world.coordinator)
    assert client.get(reverse("cases:scenarios")).status_code == 200
    assert client.get(reverse("cases:scenario_new")).status_code == 200
    data = {
        "kind": "curative",
        "name": "Returnee",
        "target_group": "Adults",
        "description": "",
        "is_active": "on",
        "items-TOTAL_FORMS": 3,
        "items-INITIAL_FORMS": 0,
        "items-0-domain": domain(world, "family").pk,
        "items-0-goal": "Family contact.",
        "items-0-action": "Visit.",
        "items-0-owner_kind": "ocmw",
        "items-0-due_in_days": 10,
        "items-0-position": 1,
        "items-1-goal": "",
        "items-2-goal": "",
    }
    response = client.post(reverse("cases:scenario_new"), data)
    assert response.status_code == 302
    template = ScenarioTemplate.objects.get()
    assert [(i.goal, i.owner_kind, i.due_in_days) for i in template.items.all()] == [
        ("Family contact.", "ocmw", 10)
    ]
    edit = reverse("cases:scenario_edit", args=[template.pk])
    page = client.get(edit)
    assert "Family contact." in page.content.decode()
    assert page.context["form"]["stamp"].value() == services.scenario_stamp(template)
    data["stamp"] = services.scenario_stamp(template)
    data.update({"name": "Returnee adults", "items-INITIAL_FORMS": 1, "items-0-DELETE": "on"})
    data.update({"items-1-goal": "Work.", "items-1-owner_kind": ""})
    assert client.post(edit, data).status_code == 302
    template.refresh_from_db()
    assert template.name == "Returnee adults"
    assert [i.goal for i in template.items.all()] == ["Work."]
    # Bad input: a domain of another cell, an unknown kind.
    data["items-1-domain"] = domain(world, "family", world.cell_b).pk
    data["kind"] = "automated"
    response = client.post(edit, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    foreign = ScenarioTemplate.objects.create(
        cell=world.cell_b, kind="reactive", name="B", created_by=world.member_b
    )
    assert client.get(reverse("cases:scenario_edit", args=[foreign.pk])).status_code == 404
    # A tampered formset (no management form) is a form error, not a 500.
    assert client.post(edit, {"kind": "reactive", "name": "x"}).status_code == 200


def life_domain_row(d: LifeDomain) -> dict[str, object]:
    """The POST data of one row of the life-domains table, as the page was built."""
    row: dict[str, object] = {
        f"d{d.pk}-name": d.name,
        f"d{d.pk}-position": d.position,
        f"d{d.pk}-stamp": services.life_domain_stamp(d.name, d.position, d.is_active),
    }
    if d.is_active:
        row[f"d{d.pk}-is_active"] = "on"
    return row


def test_life_domains_page(world: World) -> None:
    client = ready_client(world.coordinator)
    url = reverse("cases:life_domains")
    assert "Convictions and identity" in client.get(url).content.decode()
    domains = list(LifeDomain.objects.filter(cell=world.cell_a))
    data = {"form": "rows"}
    for d in domains:
        data.update(life_domain_row(d))
    family = domain(world, "family")
    online = domain(world, "online")
    data[f"d{family.pk}-name"] = "Gezin en familie"
    data[f"d{online.pk}-position"] = 0
    del data[f"d{online.pk}-is_active"]
    before = AuditEvent.objects.count()
    assert client.post(url, data).status_code == 302
    assert AuditEvent.objects.count() == before + 2  # one row per changed domain
    family.refresh_from_db()
    online.refresh_from_db()
    assert family.label == "Gezin en familie"
    assert (online.position, online.is_active) == (0, False)
    data[f"d{family.pk}-position"] = "not a number"
    assert client.post(url, data).status_code == 200
    assert client.post(url, {"form": "add", "name": "Sport", "position": ""}).status_code == 302
    assert LifeDomain.objects.filter(cell=world.cell_a, name="Sport").exists()
    assert client.post(url, {"form": "add", "name": ""}).status_code == 200


def test_life_domains_conflict_keeps_both_and_spares_untouched_rows(world: World) -> None:
    client = ready_client(world.coordinator)
    url = reverse("cases:life_domains")
    client.get(url)
    data: dict[str, object] = {"form": "rows"}
    for d in LifeDomain.objects.filter(cell=world.cell_a):
        data.update(life_domain_row(d))  # the page as this coordinator read it
    family, online = domain(world, "family"), domain(world, "online")
    # Meanwhile another coordinator renames "family" and moves "online".
    for d, values in ((family, {"name": "Gezin", "position": 0}), (online, {"position": 1})):
        services.life_domain_update(
            actor=world.coordinator,
            domain=d,
            **{"name": d.name, "is_active": True, **values},
            stamp=services.life_domain_stamp(d.name, d.position, d.is_active),
        )
    data[f"d{family.pk}-name"] = "Familie"
    before = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="compare"' in html and "changed this meanwhile" in html
    assert "Gezin" in html and 'value="Familie"' in html  # stored and unsaved, both shown
    assert AuditEvent.objects.count() == before
    family.refresh_from_db()
    assert family.name == "Gezin"
    # The row now carries the stored values' stamp: saving again is a deliberate choice.
    stamp = services.life_domain_stamp("Gezin", family.position, family.is_active)
    assert f'name="d{family.pk}-stamp" value="{stamp}"' in html
    data[f"d{family.pk}-stamp"] = stamp
    assert client.post(url, data).status_code == 302
    family.refresh_from_db()
    online.refresh_from_db()
    assert family.name == "Familie"
    # "online" was not touched in this form: the other coordinator's change stays.
    assert online.position == 1


def test_scenario_edit_conflict_shows_both(world: World) -> None:
    client = ready_client(world.coordinator)
    template = services.scenario_create(
        actor=world.coordinator,
        cell=world.cell_a,
        kind="curative",
        name="Returnee",
        items=[{"goal": "Family contact.", "action": "Visit.", "due_in_days": 10}],
    )
    edit = reverse("cases:scenario_edit", args=[template.pk])
    read = client.get(edit).context["form"]["stamp"].value()
    services.scenario_update(
        actor=world.coordinator,
        template=template,
        kind="curative",
        name="Returnee",
        target_group="Adults",
        description="",
        is_active=True,
        items=[{"goal": "Family contact.", "action": "Call the family.", "due_in_days": 3}],
        stamp=read,
    )
    data = {
        "kind": "curative",
        "name": "Returnee",
        "target_group": "",
        "description": "My description.",
        "is_active": "on",
        "stamp": read,
        "items-TOTAL_FORMS": 1,
        "items-INITIAL_FORMS": 1,
        "items-0-goal": "Family contact.",
        "items-0-action": "Visit.",
        "items-0-due_in_days": 10,
    }
    response = client.post(edit, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="compare"' in html and "changed this meanwhile" in html
    assert "Call the family." in html and "My description." in html
    template.refresh_from_db()
    assert (template.target_group, template.description) == ("Adults", "")
    assert [i.action for i in template.items.all()] == ["Call the family."]
    current = services.scenario_stamp(template)
    assert response.context["form"]["stamp"].value() == current
    assert client.post(edit, {**data, "stamp": current}).status_code == 302
    template.refresh_from_db()
    assert template.description == "My description."


def test_pathway_offers_the_status_by_the_rule_of_access_rules(
    world: World, cases: CaseWorld, filled, monkeypatch
) -> None:
    from casus.access.rules import CaseContext

    url = reverse("cases:pathway", args=[cases.case.pk])
    assert "Set status" in ready_client(world.coordinator).get(url).content.decode()
    monkeypatch.setattr(CaseContext, "may_set_action_status", lambda self, owner: False)
    assert "Set status" not in ready_client(world.coordinator).get(url).content.decode()


# --- Query counts -----------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    client.get(url)  # warm up the session (MFA flag, last seen)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def grow_assessment(world: World, case: Case, versions: int) -> None:
    start = Assessment.objects.filter(case=case).count()
    all_domains = list(LifeDomain.objects.filter(cell=world.cell_a))
    for n in range(start, start + versions):
        services.assessment_save(
            actor=world.coordinator,
            case=case,
            summary=f"Version {n + 1}",
            domains={d.pk: {"needs": f"n{n}", "risk_factors": f"r{n}"} for d in all_domains},
            based_on_version=n,
        )


def grow_pathway(world: World, case: Case, goals: int) -> None:
    for n in range(goals):
        goal = services.goal_create(
            actor=world.coordinator,
            case=case,
            domain=LifeDomain.objects.filter(cell=world.cell_a)[n % 8],
            text=f"goal {n}",
        )
        for owner in ("School A", "OCMW A"):
            services.action_create(
                actor=world.coordinator,
                case=case,
                goal=goal,
                description=f"action {n}",
                owner_organisation=org_named(owner),
                due_on=TODAY() - datetime.timedelta(days=n),
            )
        services.review_record(
            actor=world.coordinator,
            case=case,
            held_on=TODAY() - datetime.timedelta(days=n + 1),
            notes="r",
            next_review_on=None,
        )


def test_assessment_page_queries_do_not_grow(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.partner1)
    url = reverse("cases:assessment", args=[cases.case.pk])
    grow_assessment(world, cases.case, 2)
    small = count_queries(client, url)
    grow_assessment(world, cases.case, 6)
    for n in range(4):
        services.life_domain_create(actor=world.coordinator, cell=world.cell_a, name=f"Extra {n}")
    services.instrument_record(
        actor=world.coordinator,
        case=cases.case,
        name="IR46",
        used_on=TODAY(),
        assessor="x",
        conclusion="y",
    )
    assert count_queries(client, url) == small
    compare = reverse("cases:assessment_compare", args=[cases.case.pk])
    version = reverse("cases:assessment_version", args=[cases.case.pk, 3])
    compare_small, version_small = count_queries(client, compare), count_queries(client, version)
    grow_assessment(world, cases.case, 3)
    assert count_queries(client, compare) == compare_small
    assert count_queries(client, version) == version_small


def test_pathway_page_queries_do_not_grow(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.partner1)
    url = reverse("cases:pathway", args=[cases.case.pk])
    make_scenario(world)
    grow_pathway(world, cases.case, 1)
    small = count_queries(client, url)
    grow_pathway(world, cases.case, 12)
    services.scenario_create(actor=world.coordinator, cell=world.cell_a, kind="reactive", name="2")
    assert count_queries(client, url) == small


def test_other_cells_case_ids_are_404(world: World, cases: CaseWorld) -> None:
    case_b = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    client = ready_client(world.coordinator)
    for name in ("cases:assessment", "cases:pathway", "cases:assessment_compare"):
        assert client.get(reverse(name, args=[case_b.pk])).status_code == 404


def test_out_of_range_numbers_are_404_or_form_errors(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.coordinator)
    big, pk = 10**20, cases.case.pk
    for url in (
        reverse("cases:assessment_version", args=[pk, big]),
        reverse("cases:goal_edit", args=[pk, big]),
        reverse("cases:action_edit", args=[pk, big]),
        reverse("cases:scenario_edit", args=[big]),
    ):
        assert client.get(url).status_code == 404, url
    page = client.get(reverse("cases:assessment_compare", args=[pk]), {"a": big, "b": 1})
    assert page.status_code == 200
    assert "There is no version" in page.content.decode()
