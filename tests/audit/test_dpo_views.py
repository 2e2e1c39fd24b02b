"""The DPO's questions: who accessed case X, what person Y accessed and searched, what access
stands out; CSV/XLSX exports that neutralise formulas; never a value or case content."""

import csv
import datetime
import io
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from casus.audit.models import AccessKind, AccessLog
from casus.audit.services import access_record
from casus.cases.models import Case
from casus.cases.services.casefile import case_summary_update
from casus.core.exports import FORMULA_STARTS, neutralise
from tests.cases.factories import CaseFactory, participate
from tests.conftest import World, mark_reauthenticated, ready_client

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
SECRET = "Summary nobody in the logs may read"


@pytest.fixture
def case(world: World) -> Case:
    school = world.membership(world.partner1).organisation
    case = CaseFactory(cell=world.cell_a, opened_by=world.chair, lead_organisation=school)
    participate(case, school, world.coordinator)
    return case


def read(user, case: Case, kind: str = AccessKind.CASE) -> AccessLog:
    return access_record(actor=user, cell=case.cell, kind=kind, case_id=case.pk, obj=case)


def test_who_accessed_a_case(world: World, case: Case) -> None:
    other = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    read(world.partner1, case, AccessKind.JOURNAL)
    read(world.information_officer, other)
    case_summary_update(actor=world.coordinator, case=case, summary=SECRET, version=case.version)
    client = ready_client(world.dpo)
    page = client.get(reverse("audit:case_trail"), {"reference": case.reference, "days": 30})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Partner One" in html and "Coordinator A" in html and "summary" in html
    # Only that case; never the value written.
    assert "Officer A" not in html
    assert SECRET not in html and case.subject_family_name not in html
    # A number this cell does not have.
    missing = client.get(reverse("audit:case_trail"), {"reference": "1999-999"})
    assert missing.status_code == 200 and "no case with that number" in missing.content.decode()


def test_a_case_number_of_another_cell_shows_nothing(world: World, case: Case) -> None:
    read(world.partner1, case)
    other_cell_case = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    read(world.member_b, other_cell_case)
    html = (
        ready_client(world.dpo)
        .get(reverse("audit:case_trail"), {"reference": other_cell_case.reference})
        .content.decode()
    )
    assert "Member B" not in html


def test_what_a_person_accessed_and_searched(world: World, case: Case) -> None:
    read(world.partner1, case)
    access_record(
        actor=world.coordinator, cell=world.cell_a, kind=AccessKind.SEARCH, data={"results": 0}
    )
    read(world.information_officer, case)
    client = ready_client(world.dpo)
    page = client.get(reverse("audit:person_trail"), {"person": world.coordinator.pk, "days": 7})
    html = page.content.decode().split("<table", 1)[1]  # the rows, not the person chooser
    assert "Name search" in html and "Partner One" not in html and "Officer A" not in html
    # Someone of another cell cannot be chosen.
    refused = client.get(reverse("audit:person_trail"), {"person": world.member_b.pk})
    assert refused.status_code == 400


def test_unusual_access(world: World, case: Case, settings) -> None:
    settings.CASUS_UNUSUAL_CASES_PER_DAY = 3
    cases = [CaseFactory(cell=world.cell_a, opened_by=world.chair) for _ in range(3)]
    noon = datetime.datetime.now(BRUSSELS).replace(hour=12, minute=0) - datetime.timedelta(days=1)
    with time_machine.travel(noon):
        for each in cases:
            read(world.information_officer, each)
    with time_machine.travel(noon.replace(hour=23, minute=30)):
        read(world.partner1, case)
    with time_machine.travel(noon.replace(hour=14)):
        access_record(
            actor=world.chair,
            cell=world.cell_a,
            kind=AccessKind.JOURNAL,
            case_id=case.pk,
            data={"break_glass": True},
        )
        read(world.coordinator, case)  # an ordinary read: nothing stands out
    html = ready_client(world.dpo).get(reverse("audit:unusual")).content.decode()
    assert "Opened many different cases in one day" in html and "Officer A" in html
    assert "Read case data at night" in html and "Partner One" in html
    assert "Read through break-glass" in html and "Chair A" in html
    assert "Coordinator A" not in html
    assert case.reference in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_logged_and_neutralise_formulas(world: World, case: Case, fmt: str) -> None:
    world.partner1.full_name = '=HYPERLINK("http://evil")'
    world.partner1.save()
    read(world.partner1, case)
    client = mark_reauthenticated(ready_client(world.dpo), world.dpo)
    response = client.get(
        reverse("audit:case_trail"), {"reference": case.reference, "export": fmt, "days": 30}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    people = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in people
    assert not any(
        str(value).startswith(("=", "+", "-", "@")) for row in rows for value in row if value
    )
    export = AccessLog.objects.get(kind=AccessKind.EXPORT)
    assert (export.actor, export.data["report"], export.data["format"]) == (world.dpo, "case", fmt)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("audit:case_trail", {"reference": "?", "days": 30}),
        ("audit:person_trail", {"person": "?", "days": 30}),
        ("audit:unusual", {"days": 30}),
    ],
)
def test_an_export_asks_to_re_authenticate_after_the_role_check(
    world: World, case: Case, name: str, params: dict[str, object]
) -> None:
    read(world.partner1, case)
    params = {
        **params,
        "export": "csv",
        **({"reference": case.reference} if "reference" in params else {}),
        **({"person": world.partner1.pk} if "person" in params else {}),
    }
    url = reverse(name)
    response = ready_client(world.dpo).get(url, params)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_reauthenticate")
    back = urlsplit(parse_qs(location.query)["next"][0])
    assert back.path == url and parse_qs(back.query)["export"] == ["csv"]
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()
    # Anyone else gets 404, not the prompt.
    assert ready_client(world.coordinator).get(url, params).status_code == 404
    # Once re-authenticated, the file comes, and the export is logged.
    response = mark_reauthenticated(ready_client(world.dpo), world.dpo).get(url, params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert AccessLog.objects.filter(kind=AccessKind.EXPORT, actor=world.dpo).count() == 1


@pytest.mark.parametrize(
    "who",
    [
        "chair",
        "coordinator",
        "information_officer",
        "partner1",
        "strategic",
        "cell_admin",
        "member_b",
    ],
)
def test_only_the_dpo_reads_the_logs(world: World, case: Case, who: str) -> None:
    client = ready_client(getattr(world, who))
    for name in ("audit:case_trail", "audit:person_trail", "audit:unusual"):
        assert client.get(reverse(name), {"reference": case.reference}).status_code == 404
        assert client.get(reverse(name), {"export": "csv"}).status_code == 404


def test_bad_input_gets_a_form_error_not_a_crash(world: World) -> None:
    client = ready_client(world.dpo)
    for params in (
        {"reference": "x" * 500},
        {"reference": "'; DROP TABLE audit_accesslog; --", "days": "abc"},
        {"days": "-5", "export": "exe"},
        {"person": "not-a-number"},
    ):
        for name in ("audit:case_trail", "audit:person_trail", "audit:unusual"):
            assert client.get(reverse(name), params).status_code in (200, 400), (name, params)


@given(st.text(max_size=40))
def test_neutralise_never_leaves_a_formula(text: str) -> None:
    cell = neutralise(text)
    assert not str(cell).startswith(FORMULA_STARTS)
    assert str(cell).endswith(text) or text == ""
