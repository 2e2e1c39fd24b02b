"""Work views: the case list (need-to-know, filters, number search, pages, query count) and
the name search (roles, POST only, logged by token, never by name)."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casus.access.models import Organisation
from casus.audit.models import AccessKind, AccessLog, AuditEvent
from casus.cases.forms.work import CaseFilterForm
from casus.cases.identity import identity_key, name_key, search_token
from casus.cases.models import ActionStatus, Case, CaseStatus, GrantReason, SignalStatus
from casus.cases.selectors.work import CaseFilters, case_list_for
from casus.cases.services.common import revoke_grants
from casus.cases.views.work import CASES_PER_PAGE
from tests.conftest import World, ready_client

from .conftest import CaseWorld
from .factories import CaseFactory, SignalFactory, participate
from .helpers import org_of, pathway_action, personal_grant

pytestmark = pytest.mark.django_db

LIST = reverse("cases:list")
SEARCH = reverse("cases:search")
TODAY = timezone.localdate()


def listed(client, query: dict | None = None) -> list[int]:
    response = client.get(LIST, query or {})
    assert response.status_code == 200
    return [case.pk for case in response.context["page"].object_list]


# --- Need-to-know ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "coordinator", "information_officer"])
def test_chair_coordinator_and_officer_list_every_case_of_the_cell(
    world: World, cases: CaseWorld, who: str
) -> None:
    assert set(listed(ready_client(getattr(world, who)))) == {cases.case.pk, cases.other.pk}


def test_member_lists_only_cases_their_organisation_takes_part_in(
    world: World, cases: CaseWorld
) -> None:
    client = ready_client(world.partner1)
    assert listed(client) == [cases.case.pk]
    page = client.get(LIST).content.decode()
    assert cases.case.reference in page
    assert cases.other.subject_family_name not in page
    assert reverse("cases:detail", args=[cases.case.pk]) in page


def test_member_of_a_non_participating_organisation_lists_nothing(
    world: World, cases: CaseWorld
) -> None:
    client = ready_client(world.partner2)
    assert listed(client) == []
    page = client.get(LIST).content.decode()
    assert cases.case.subject_family_name not in page
    assert cases.other.subject_family_name not in page


@pytest.mark.parametrize("who", ["strategic", "dpo", "cell_admin"])
def test_roles_without_case_access_get_404(world: World, cases: CaseWorld, who: str) -> None:
    client = ready_client(getattr(world, who))
    assert client.get(LIST).status_code == 404
    assert client.get(LIST, {"number": "1"}).status_code == 404
    assert not AccessLog.objects.exists()


def test_member_of_cell_b_never_sees_cell_a_cases(world: World, cases: CaseWorld) -> None:
    own = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    client = ready_client(world.member_b)
    assert listed(client) == [own.pk]
    assert listed(client, {"number": str(cases.case.number)}) == []
    page = client.get(LIST).content.decode()
    assert cases.case.subject_family_name not in page


def test_revoked_participation_drops_the_case_from_the_list(world: World, cases: CaseWorld) -> None:
    revoke_grants(source=cases.case.participations.get())
    assert listed(ready_client(world.partner1)) == []


def test_the_list_page_is_access_logged_with_the_cases_shown(
    world: World, cases: CaseWorld
) -> None:
    listed(ready_client(world.coordinator))
    row = AccessLog.objects.get()
    assert row.kind == AccessKind.CASE
    assert row.actor_id == world.coordinator.pk
    assert row.cell_id == world.cell_a.pk
    assert row.data == {"view": "list", "page": 1, "cases": [cases.other.pk, cases.case.pk]}


def test_an_empty_page_logs_nothing(world: World, cases: CaseWorld) -> None:
    listed(ready_client(world.partner2))
    assert not AccessLog.objects.exists()


def test_the_list_shows_the_columns(world: World, cases: CaseWorld) -> None:
    case = cases.case
    case.next_review_on = TODAY - datetime.timedelta(days=1)
    case.save()
    pathway_action(case, org_of(world, world.partner1), world.coordinator, due=-2)
    page = ready_client(world.coordinator).get(LIST).content.decode()
    assert case.reference in page
    assert case.subject_name in page
    assert case.get_status_display() in page
    assert "School A" in page
    assert "Overdue actions" in page
    assert 'class="overdue"' in page


# --- Filters and number search ------------------------------------------------------------


@pytest.fixture
def filtered(world: World, cases: CaseWorld) -> dict[str, Case]:
    """Four cases of cell A: overdue action, review due, closed with review passed, plain."""
    school = org_of(world, world.partner1)
    ocmw = org_of(world, world.partner2)
    overdue = cases.case  # led by the school
    pathway_action(overdue, school, world.coordinator, due=-3)
    pathway_action(cases.other, ocmw, world.coordinator, due=-3, status=ActionStatus.DONE)
    pathway_action(cases.other, ocmw, world.coordinator, due=5)
    review = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        status=CaseStatus.FOLLOW_UP,
        lead_organisation=ocmw,
        next_review_on=TODAY,
    )
    closed = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        status=CaseStatus.CLOSED,
        closure_reason="positive",
        next_review_on=TODAY - datetime.timedelta(days=10),
    )
    return {"overdue": overdue, "plain": cases.other, "review": review, "closed": closed}


def test_filter_by_status(world: World, filtered: dict[str, Case]) -> None:
    client = ready_client(world.coordinator)
    assert listed(client, {"status": "follow_up"}) == [filtered["review"].pk]
    assert listed(client, {"status": "closed"}) == [filtered["closed"].pk]


def test_filter_by_lead_partner(world: World, filtered: dict[str, Case]) -> None:
    client = ready_client(world.coordinator)
    school, ocmw = org_of(world, world.partner1), org_of(world, world.partner2)
    assert listed(client, {"lead": school.pk}) == [filtered["overdue"].pk]
    assert listed(client, {"lead": ocmw.pk}) == [filtered["review"].pk]


def test_filter_by_overdue_actions(world: World, filtered: dict[str, Case]) -> None:
    client = ready_client(world.coordinator)
    assert listed(client, {"overdue": "on"}) == [filtered["overdue"].pk]


def test_filter_review_due_leaves_out_closed_cases(world: World, filtered: dict[str, Case]) -> None:
    client = ready_client(world.coordinator)
    assert listed(client, {"review_due": "on"}) == [filtered["review"].pk]


def test_filters_combine_and_stay_within_need_to_know(
    world: World, filtered: dict[str, Case]
) -> None:
    client = ready_client(world.partner1)
    assert listed(client, {"overdue": "on"}) == [filtered["overdue"].pk]
    assert listed(client, {"review_due": "on"}) == []
    assert listed(client, {"lead": org_of(world, world.partner2).pk}) == []
    coordinator = ready_client(world.coordinator)
    assert listed(coordinator, {"overdue": "on", "status": "follow_up"}) == []


def test_a_meeting_window_does_not_list_the_case(world: World, filtered: dict[str, Case]) -> None:
    """A meeting window opens only the agenda item, not the case list's row."""
    personal_grant(filtered["overdue"], world.partner2, dossier=False, reason=GrantReason.MEETING)
    assert list(case_list_for(actor=world.partner2, cell=world.cell_a)) == []
    assert listed(ready_client(world.partner2)) == []


def test_a_personal_grant_shows_no_overdue_flag(world: World, filtered: dict[str, Case]) -> None:
    """A personal dossier grant shows the case's overview, not its pathway: neither the
    overdue flag nor the overdue filter reveals that an action is late."""
    case = filtered["overdue"]
    personal_grant(case, world.partner2, dossier=True, reason=GrantReason.BREAK_GLASS)
    (row,) = case_list_for(actor=world.partner2, cell=world.cell_a)
    assert row.pk == case.pk and row.has_overdue is False
    client = ready_client(world.partner2)
    assert listed(client) == [case.pk]
    assert listed(client, {"overdue": "on"}) == []
    html = client.get(LIST).content.decode()
    assert case.reference in html and "Overdue actions" not in html
    # Once the organisation participates, the flag shows.
    participate(case, org_of(world, world.partner2), world.coordinator)
    (row,) = case_list_for(actor=world.partner2, cell=world.cell_a)
    assert row.has_overdue is True
    assert listed(ready_client(world.partner2), {"overdue": "on"}) == [case.pk]


@pytest.mark.parametrize(
    "query", ["{year}-{number:03d}", "{year}-{number}", "{year}/{number}", "{number}", "00{number}"]
)
def test_search_by_case_number(world: World, cases: CaseWorld, query: str) -> None:
    target = CaseFactory(cell=world.cell_a, opened_by=world.chair, year=2026, number=4)
    CaseFactory(cell=world.cell_a, opened_by=world.chair, year=2025, number=14)
    text = query.format(year=2026, number=4)
    assert listed(ready_client(world.coordinator), {"number": text}) == [target.pk]


def test_number_without_year_finds_every_year(world: World) -> None:
    new = CaseFactory(cell=world.cell_a, opened_by=world.chair, year=2026, number=7)
    old = CaseFactory(cell=world.cell_a, opened_by=world.chair, year=2025, number=7)
    client = ready_client(world.coordinator)
    assert listed(client, {"number": "7"}) == [new.pk, old.pk]
    assert listed(client, {"number": "2025-007"}) == [old.pk]
    assert listed(client, {"number": "2024-007"}) == []


def test_number_search_does_not_reveal_a_case_outside_need_to_know(
    world: World, cases: CaseWorld
) -> None:
    client = ready_client(world.partner1)
    assert listed(client, {"number": cases.other.reference}) == []
    assert listed(client, {"number": cases.case.reference}) == [cases.case.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"number": "Alex"},
        {"number": "2026-"},
        {"number": "x" * 300},
        {"status": "nonsense"},
        {"lead": "abc"},
        {"lead": "999999"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"number": "1234567"},
    ],
)
def test_bad_filter_values_never_give_500(
    world: World, cases: CaseWorld, query: dict[str, str]
) -> None:
    response = ready_client(world.coordinator).get(LIST, query)
    assert response.status_code == 200
    # Invalid values are left out: the page still lists the cases.
    assert {case.pk for case in response.context["page"].object_list} == {
        cases.case.pk,
        cases.other.pk,
    }


def test_an_invalid_case_number_is_shown_as_a_form_error(world: World, cases: CaseWorld) -> None:
    response = ready_client(world.coordinator).get(LIST, {"number": "Alex", "status": "closed"})
    assert "number" in response.context["form"].errors
    assert "Enter a case number" in response.content.decode()
    # The valid filter still applies.
    assert list(response.context["page"].object_list) == []


def test_lead_of_another_cell_is_refused(world: World, cases: CaseWorld) -> None:
    other = Organisation.objects.get(cell=world.cell_b)
    form = CaseFilterForm({"lead": other.pk}, cell=world.cell_a)
    assert not form.is_valid()
    assert form.filters() == CaseFilters()


# --- Pagination -----------------------------------------------------------------------------


def test_pagination_25_per_page(world: World) -> None:
    made = [CaseFactory(cell=world.cell_a, opened_by=world.chair) for _ in range(30)]
    newest_first = [case.pk for case in sorted(made, key=lambda c: (-c.year, -c.number))]
    client = ready_client(world.coordinator)
    assert CASES_PER_PAGE == 25
    first = listed(client)
    second = listed(client, {"page": "2"})
    assert first == newest_first[:25]
    assert second == newest_first[25:]
    page = client.get(LIST).content.decode()
    assert "page=2" in page
    assert "Page 1 of 2" in page


def test_pagination_keeps_the_filters(world: World) -> None:
    for _ in range(27):
        CaseFactory(cell=world.cell_a, opened_by=world.chair, status=CaseStatus.FOLLOW_UP)
    CaseFactory(cell=world.cell_a, opened_by=world.chair, status=CaseStatus.ON_LIST)
    page = ready_client(world.coordinator).get(LIST, {"status": "follow_up"}).content.decode()
    assert "?status=follow_up&amp;page=2" in page


def test_htmx_gets_only_the_rows(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.coordinator)
    full = client.get(LIST).content.decode()
    partial = client.get(LIST, {"page": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full
    assert 'id="case-results"' in full
    assert "<html" not in partial
    assert partial.lstrip().startswith('<div id="case-results">')
    assert cases.case.reference in partial
    assert "<form" not in partial


# --- Query count ----------------------------------------------------------------------------


def _populate(world: World, size: int) -> None:
    school, ocmw = org_of(world, world.partner1), org_of(world, world.partner2)
    police = org_of(world, world.information_officer)
    for index in range(size):
        case = CaseFactory(
            cell=world.cell_a,
            opened_by=world.chair,
            lead_organisation=school if index % 2 else ocmw,
            next_review_on=TODAY - datetime.timedelta(days=index % 3),
        )
        participate(case, school, world.coordinator)
        participate(case, police, world.coordinator)
        pathway_action(case, school, world.coordinator, due=-1)
        pathway_action(case, ocmw, world.coordinator, due=3)
        pathway_action(case, police, world.coordinator, due=-5, status=ActionStatus.DONE)


def _queries(client, query: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, query or {})
    assert response.status_code == 200
    assert response.context["page"].object_list
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["coordinator", "partner1"])
@pytest.mark.parametrize("query", [{}, {"overdue": "on", "review_due": "on", "lead": "school"}])
def test_list_query_count_does_not_grow(world: World, who: str, query: dict[str, str]) -> None:
    if "lead" in query:
        query = {**query, "lead": str(org_of(world, world.partner1).pk)}
    client = ready_client(getattr(world, who))
    _populate(world, 3)
    client.get(LIST)  # warm the session and caches
    small = _queries(client, query)
    _populate(world, 30)
    large = _queries(client, query)
    assert small == large


def test_case_list_for_is_one_query(world: World, cases: CaseWorld) -> None:
    _populate(world, 5)
    with CaptureQueriesContext(connection) as captured:
        rows = list(
            case_list_for(actor=world.partner1, cell=world.cell_a, filters=CaseFilters())[:25]
        )
        _ = [(row.lead_organisation, row.has_overdue) for row in rows]
    # One for the membership (then cached on the user), one for the rows.
    assert len(captured.captured_queries) == 2
    assert len(rows) == 6


# --- Name search ----------------------------------------------------------------------------


def _search(client, family: str, given: str, birth: str = ""):
    return client.post(SEARCH, {"family_name": family, "given_names": given, "birth_date": birth})


def _no_name_in_logs(*names: str) -> None:
    for row in AccessLog.objects.all():
        text = json.dumps(row.data) + row.object_type + row.object_id
        for name in names:
            assert name.casefold() not in text.casefold()
    for event in AuditEvent.objects.all():
        text = json.dumps(event.data) + event.values_sealed + event.object_id
        for name in names:
            assert name.casefold() not in text.casefold()


@pytest.fixture
def named(world: World, cases: CaseWorld) -> Case:
    case = cases.case
    case.subject_family_name = "Van der Berg-É"
    case.subject_given_names = "Yasmina"
    case.subject_birth_date = datetime.date(2007, 2, 3)
    case.name_key = name_key(
        cell_id=world.cell_a.pk, family_name=case.subject_family_name, given_names="Yasmina"
    )
    case.identity_key = identity_key(
        cell_id=world.cell_a.pk,
        family_name=case.subject_family_name,
        given_names="Yasmina",
        birth_date=case.subject_birth_date,
    )
    case.save()
    return case


@pytest.mark.parametrize("who", ["chair", "coordinator", "information_officer"])
def test_name_search_finds_the_case_and_logs_only_the_token(
    world: World, named: Case, who: str
) -> None:
    client = ready_client(getattr(world, who))
    response = _search(client, "van der berg e", "YASMINA")
    assert response.status_code == 200
    assert [case.pk for case in response.context["result"].cases] == [named.pk]
    assert named.reference in response.content.decode()
    row = AccessLog.objects.get()
    assert row.kind == AccessKind.SEARCH
    assert row.actor_id == getattr(world, who).pk
    assert row.case_id is None
    assert row.data == {
        "token": search_token(cell_id=world.cell_a.pk, text="van der berg e YASMINA"),
        "results": 1,
    }
    assert not AuditEvent.objects.filter(action__icontains="search").exists()
    _no_name_in_logs("berg", "yasmina")


def test_the_token_is_the_same_for_the_same_name_however_written(world: World, named: Case) -> None:
    client = ready_client(world.coordinator)
    _search(client, "Van der Berg-É", "Yasmina")
    _search(client, "VAN DER BERG E", "yasmina")
    tokens = {row.data["token"] for row in AccessLog.objects.all()}
    assert len(tokens) == 1


def test_name_search_is_exact(world: World, named: Case) -> None:
    client = ready_client(world.coordinator)
    assert _search(client, "Berg", "Yasmina").context["result"].cases == []
    assert _search(client, "Van der Berg", "Yas").context["result"].cases == []
    assert [row.data["results"] for row in AccessLog.objects.order_by("pk")] == [0, 0]


def test_birth_date_narrows_the_search(world: World, named: Case) -> None:
    client = ready_client(world.coordinator)
    hit = _search(client, "Van der Berg-É", "Yasmina", "2007-02-03").context["result"]
    miss = _search(client, "Van der Berg-É", "Yasmina", "2001-01-01").context["result"]
    assert [case.pk for case in hit.cases] == [named.pk]
    assert miss.cases == []


def test_coordinator_and_officer_also_find_signals_not_yet_handled(
    world: World, named: Case
) -> None:
    waiting = SignalFactory(
        cell=world.cell_a,
        reported_by=world.partner1,
        subject_family_name="Van der Berg-E",
        subject_given_names="Yasmina",
    )
    proposed = SignalFactory(
        cell=world.cell_a,
        reported_by=world.partner1,
        subject_family_name="van der berg e",
        subject_given_names="yasmina",
        status=SignalStatus.PROPOSED,
    )
    SignalFactory(
        cell=world.cell_a,
        reported_by=world.partner1,
        subject_family_name="Van der Berg É",
        subject_given_names="Yasmina",
        status=SignalStatus.NOT_RETAINED,
        handled_at=timezone.now(),
    )
    SignalFactory(
        cell=world.cell_b,
        reported_by=world.member_b,
        subject_family_name="Van der Berg É",
        subject_given_names="Yasmina",
    )
    for who in ("coordinator", "information_officer"):
        result = _search(ready_client(getattr(world, who)), "VAN DER BERG É", "Yasmina")
        found = result.context["result"]
        assert {signal.pk for signal in found.signals} == {waiting.pk, proposed.pk}
        assert waiting.reference in result.content.decode()
        assert reverse("cases:signal_detail", args=[waiting.pk]) in result.content.decode()
    chair = _search(ready_client(world.chair), "Van der Berg É", "Yasmina").context["result"]
    assert chair.signals == []
    assert [case.pk for case in chair.cases] == [named.pk]
    assert [row.data["results"] for row in AccessLog.objects.order_by("pk")] == [3, 3, 1]


@pytest.mark.parametrize("who", ["partner1", "partner2", "strategic", "dpo", "cell_admin"])
def test_other_roles_get_404_on_the_name_search(world: World, named: Case, who: str) -> None:
    client = ready_client(getattr(world, who))
    assert client.get(SEARCH).status_code == 404
    assert _search(client, "Van der Berg-É", "Yasmina").status_code == 404
    assert not AccessLog.objects.exists()


def test_member_of_cell_b_finds_nothing_of_cell_a(world: World, named: Case) -> None:
    response = _search(ready_client(world.member_b), "Van der Berg-É", "Yasmina")
    assert response.status_code == 200
    assert response.context["result"].count == 0
    row = AccessLog.objects.get()
    assert row.cell_id == world.cell_b.pk
    assert row.data["results"] == 0


def test_get_shows_the_empty_form_and_searches_nothing(world: World, named: Case) -> None:
    response = ready_client(world.coordinator).get(
        SEARCH, {"family_name": "Van der Berg-É", "given_names": "Yasmina"}
    )
    assert response.status_code == 200
    assert response.context["result"] is None
    assert not response.context["form"].is_bound
    assert "Van der Berg" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_search_form_posts_and_never_puts_the_name_in_a_url(world: World, named: Case) -> None:
    client = ready_client(world.coordinator)
    page = client.get(SEARCH).content.decode()
    assert 'method="post"' in page
    assert f'action="{SEARCH}"' in page
    response = _search(client, "Van der Berg-É", "Yasmina")
    assert response.status_code == 200  # rendered, not redirected to a URL carrying the name
    assert response.request["PATH_INFO"] == SEARCH
    assert "QUERY_STRING" not in response.request or not response.request["QUERY_STRING"]
    # The links in the results carry ids only.
    assert reverse("cases:detail", args=[named.pk]) in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"family_name": "", "given_names": "Yasmina"},
        {"family_name": "---", "given_names": "..."},
        {"family_name": "x" * 500, "given_names": "Yasmina"},
        {"family_name": "Berg", "given_names": "Yasmina", "birth_date": "31-31-2020"},
    ],
)
def test_invalid_search_shows_errors_and_is_not_logged(
    world: World, named: Case, data: dict[str, str]
) -> None:
    response = ready_client(world.coordinator).post(SEARCH, data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["result"] is None
    assert not AccessLog.objects.exists()


def test_list_links_to_the_name_search_only_for_allowed_roles(
    world: World, cases: CaseWorld
) -> None:
    assert SEARCH in ready_client(world.coordinator).get(LIST).content.decode()
    assert SEARCH not in ready_client(world.partner1).get(LIST).content.decode()
