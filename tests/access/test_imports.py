import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from casus.access import imports
from casus.access.imports import ImportRefused, import_upload, parse_table
from casus.access.models import (
    MembershipRequest,
    Organisation,
    OrganisationKind,
    RequestStatus,
    Role,
    Sector,
)
from casus.audit.models import AuditEvent
from casus.core.exceptions import Forbidden, RuleViolation

pytestmark = pytest.mark.django_db

ORG_HEADER = ["name", "kind", "sector"]
MEMBER_HEADER = ["email", "full_name", "organisation", "role", "term_start", "term_end"]


def csv_bytes(rows, delimiter=",", bom=False):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(world, data, kind="organisations", name="upload.csv", actor=None):
    upload = SimpleUploadedFile(name, data)
    return import_upload(
        actor=actor or world.cell_admin, cell=world.cell_a, kind=kind, upload=upload
    )


def snapshot():
    return (
        Organisation.objects.count(),
        MembershipRequest.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def unchanged(world):
    """Assert that the test leaves the database as it found it."""
    before = snapshot()
    yield
    assert snapshot() == before


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English, whatever the default language."""
    with translation.override("en"):
        yield


def messages(report):
    return [(error.row, error.message) for error in report.errors]


# --- Happy paths ------------------------------------------------------------------------------


def assert_organisations_created(report, world):
    assert report.ok, report
    assert report.summary == "2 organisations imported."
    youth = Organisation.objects.get(cell=world.cell_a, name="Youth house")
    assert (youth.kind, youth.sector) == (OrganisationKind.YOUTH, Sector.YOUTH)
    clinic = Organisation.objects.get(cell=world.cell_a, name="Clinic")
    assert (clinic.kind, clinic.sector) == (OrganisationKind.HEALTH, Sector.HEALTH)
    events = AuditEvent.objects.filter(action="ORGANISATION_CREATED", cell=world.cell_a)
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        [str(youth.pk), str(clinic.pk)]
    )


def test_organisations_from_csv(world):
    data = csv_bytes(
        [ORG_HEADER, ["Youth house", "youth", "youth"], ["Clinic", "HEALTH", "Health care"]]
    )
    assert_organisations_created(run(world, data), world)


def test_organisations_from_xlsx_with_untidy_header(world):
    data = xlsx_bytes(
        [
            [" Name ", "KIND", "Sector"],
            ["Youth house", "Youth", "Youth work"],
            [None],
            [" Clinic ", "health", "health"],
        ]
    )
    assert_organisations_created(run(world, data, name="orgs.xlsx"), world)


def assert_members_requested(report, world, expected_dates):
    assert report.ok, report
    assert report.summary == "2 member requests sent to the chair."
    requests = MembershipRequest.objects.filter(cell=world.cell_a).order_by("email")
    assert [(r.email, r.status, r.kind) for r in requests] == [
        ("ann@example.be", RequestStatus.PENDING, "add"),
        ("bert@example.be", RequestStatus.PENDING, "add"),
    ]
    ann, bert = requests
    assert ann.organisation.name == "Police zone A"
    assert (ann.role, ann.clearance_level) == (Role.INFORMATION_OFFICER, "secret")
    assert (ann.term_start, ann.term_end, ann.clearance_expiry) == expected_dates
    assert (bert.role, bert.organisation.name, bert.term_end) == (Role.MEMBER, "School A", None)
    assert ann.reason.startswith("Imported from file ")
    events = AuditEvent.objects.filter(action="MEMBERSHIP_REQUESTED", cell=world.cell_a)
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(r.pk) for r in requests)


HEADER = [*MEMBER_HEADER, "clearance_level", "clearance_expiry"]


def test_members_from_semicolon_csv_with_bom_and_belgian_dates(world):
    data = csv_bytes(
        [
            HEADER,
            [
                "Ann@Example.be",
                "Ann Één",
                "police zone a",
                "Information officer",
                "01/02/2026",
                "31/12/2027",
                "SECRET",
                "1/2/2027",
            ],
            ["bert@example.be", "Bert", "School A", "member", "2026-02-01", "", "", ""],
        ],
        delimiter=";",
        bom=True,
    )
    report = run(world, data, kind="members")
    dates = (datetime.date(2026, 2, 1), datetime.date(2027, 12, 31), datetime.date(2027, 2, 1))
    assert_members_requested(report, world, dates)
    assert MembershipRequest.objects.get(email="ann@example.be").full_name == "Ann Één"


def test_members_from_xlsx_with_date_cells(world):
    start = datetime.datetime(2026, 2, 1)  # noqa: DTZ001 — Excel cells have no time zone
    data = xlsx_bytes(
        [
            HEADER,
            [
                "ann@example.be",
                "Ann",
                "Police zone A",
                "information_officer",
                start,
                datetime.date(2027, 12, 31),
                "secret",
                "2027-02-01",
            ],
            [
                "bert@example.be",
                "Bert",
                "School A",
                "Member",
                "01/02/2026",
            ],  # trailing cells left out
        ]
    )
    report = run(world, data, kind="members", name="members.xlsx")
    dates = (datetime.date(2026, 2, 1), datetime.date(2027, 12, 31), datetime.date(2027, 2, 1))
    assert_members_requested(report, world, dates)


def test_file_name_does_not_decide_the_format(world):
    data = csv_bytes(
        [ORG_HEADER, ["Youth house", "youth", "youth"], ["Clinic", "health", "health"]]
    )
    assert_organisations_created(run(world, data, name="looks-like.xlsx"), world)


# --- Refusals: the whole file ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"", "The file is empty.", id="empty"),
        pytest.param(b" \r\n\r\n ", "The file is empty.", id="blank"),
        pytest.param(b"name,kind,sector\r\n", "no data rows", id="header-only"),
        pytest.param(b"\r\nname,kind,sector\r\nX,police,security\r\n", "first row", id="no-header"),
        pytest.param(
            "name,kind,sector\nCafé,other,other\n".encode("latin-1"),
            "save the file as UTF-8",
            id="latin-1",
        ),
        pytest.param("name,kind,sector\n".encode("utf-16"), "save the file as UTF-8", id="utf-16"),
        pytest.param(bytes(range(256)) * 64, "not a CSV or XLSX file", id="binary"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".xls", id="old-excel"),
        pytest.param(
            b'name,kind,sector\nA,police,security\n"B,police,security\n',
            "malformed at row 3",
            id="open-quote",
        ),
        pytest.param(
            b'name,kind,sector\n"A"x,police,security\n', "malformed at row 2", id="stray-quote"
        ),
    ],
)
def test_unreadable_files_are_refused(world, unchanged, data, expected):
    report = run(world, data)
    assert not report.ok
    assert expected in report.summary


def test_junk_named_xlsx_is_refused(world, unchanged):
    report = run(world, b"PK\x03\x04" + bytes(range(256)) * 8, name="members.xlsx")
    assert not report.ok
    assert "not a CSV or XLSX file" in report.summary


def test_zip_that_is_no_workbook_is_refused(world, unchanged):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "name,kind,sector")
    report = run(world, out.getvalue(), name="orgs.xlsx")
    assert not report.ok
    assert "spreadsheet cannot be read" in report.summary


@override_settings(CASUS_IMPORT_MAX_BYTES=10_000)
def test_zip_bomb_is_refused_before_unpacking(world, unchanged):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 1_000_000)
    assert len(out.getvalue()) < 10_000
    report = run(world, out.getvalue(), name="orgs.xlsx")
    assert "spreadsheet cannot be read" in report.summary


def test_20_mb_file_is_refused(world, unchanged):
    report = run(world, b"a" * 20 * 1024 * 1024)
    assert not report.ok
    assert report.summary.startswith("The file is larger than 5.0")


@override_settings(CASUS_IMPORT_MAX_BYTES=100)
def test_size_is_checked_on_the_bytes_not_only_the_declared_size(world, unchanged):
    upload = SimpleUploadedFile(
        "orgs.csv", csv_bytes([ORG_HEADER] + [["Org", "other", "other"]] * 20)
    )
    upload.size = 10  # a lying size must not let a large file through
    report = import_upload(
        actor=world.cell_admin, cell=world.cell_a, kind="organisations", upload=upload
    )
    assert "larger than" in report.summary


@override_settings(CASUS_IMPORT_MAX_ROWS=3)
@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_too_many_rows_are_refused(world, unchanged, make):
    rows = [[f"Org {n}", "other", "other"] for n in range(4)]
    report = run(world, make([ORG_HEADER, *rows]))
    assert not report.ok
    assert report.summary == "The file has more than 3 rows: split it into smaller files."


@override_settings(CASUS_IMPORT_MAX_ROWS=3)
def test_as_many_rows_as_the_limit_are_imported(world):
    rows = [[f"Org {n}", "other", "other"] for n in range(3)]
    assert run(world, csv_bytes([ORG_HEADER, *rows, [], []])).ok


def test_unknown_kind_is_refused(world, unchanged):
    assert not run(world, csv_bytes([ORG_HEADER, ["X", "other", "other"]]), kind="tables").ok


def test_only_the_cell_administrator_imports(world, unchanged):
    data = csv_bytes([ORG_HEADER, ["X", "other", "other"]])
    for actor in (world.coordinator, world.chair, world.member_b):
        with pytest.raises(Forbidden):
            run(world, data, actor=actor)


# --- Refusals: the header and the rows ---------------------------------------------------------


def test_unknown_and_missing_columns_are_named(world, unchanged):
    report = run(
        world, csv_bytes([["Name", "type", "colour", "NAME"], ["X", "police", "red", "Y"]])
    )
    assert not report.ok
    assert report.summary == "Nothing was imported: 1 row has errors."
    assert messages(report) == [
        (1, "Columns named twice: “name”."),
        (1, "Unknown columns: “type”, “colour”. Allowed columns: name, kind, sector."),
        (1, "Missing columns: kind, sector."),
    ]


def test_every_row_error_is_reported_with_its_row_number(world, unchanged):
    data = csv_bytes(
        [
            ORG_HEADER,
            ["Youth house", "youth", "youth"],
            ["police zone a", "police", "security"],  # exists already, other case
            [],  # blank rows are skipped but still counted
            ["YOUTH HOUSE", "youth", "youth"],  # duplicate of row 2
            ["Shop", "shop", "retail"],
            ["", "other", "other"],
            ["Tab\tname", "other", "other"],
            ["Ragged", "other", "other", "extra"],
            ["Short", "other"],
            ["Trailing separators", "other", "other", "", ""],
        ]
    )
    report = run(world, data)
    assert not report.ok
    assert report.summary == "Nothing was imported: 7 rows have errors."
    assert messages(report) == [
        (3, "An organisation with this name already exists in this cell."),
        (5, "Same name as row 2."),
        (6, "kind: “shop” is not one of " + ", ".join(OrganisationKind.values) + "."),
        (6, "sector: “retail” is not one of " + ", ".join(Sector.values) + "."),
        (7, "name is required."),
        (8, "name contains a line break, tab or control character."),
        (9, "This row has more values than there are columns."),
        (10, "sector is required."),
    ]


def test_member_rows_are_checked(world):
    MembershipRequest.objects.create(
        cell=world.cell_a,
        kind="add",
        email="waiting@example.be",
        full_name="W",
        requested_by=world.cell_admin,
    )
    before = snapshot()
    rows = [
        HEADER,
        ["not-an-address", "X", "School A", "member", "2026-01-01", "", "", ""],
        [world.partner1.email.upper(), "Partner", "School A", "member", "2026-01-01", "", "", ""],
        ["waiting@example.be", "W", "School A", "member", "2026-01-01", "", "", ""],
        ["new@example.be", "New", "Nowhere", "boss", "31/02/2026", "2025-01-01", "", ""],
        [
            "io@example.be",
            "Io",
            "Police zone A",
            "information officer",
            "2026-01-01",
            "",
            "secret",
            "",
        ],
        ["late@example.be", "Late", "School A", "member", "2026-06-01", "2026-05-31", "", ""],
        ["late@example.be", "Late", "School A", "member", "2026-06-01", "", "", ""],
        ["", "", "", "", "", "", "", ""],  # blank: skipped
        ["x" * 250 + "@example.be", "N", "School A", "member", "2026-01-01", "", "", ""],
    ]
    report = run(world, csv_bytes(rows), kind="members")
    assert not report.ok
    errors = messages(report)
    assert (2, "email: “not-an-address” is not a valid e-mail address.") in errors
    assert (3, "This person already has a membership in this cell.") in errors
    assert (4, "A request for this person is already awaiting the chair's decision.") in errors
    assert (5, "organisation: this cell has no active organisation named “Nowhere”.") in errors
    assert (5, "role: “boss” is not one of " + ", ".join(Role.values) + ".") in errors
    assert (5, "term_start: “31/02/2026” is not a date; write YYYY-MM-DD or DD/MM/YYYY.") in errors
    assert (6, "An information officer needs clearance_level and clearance_expiry.") in errors
    assert (7, "term_end is before term_start.") in errors
    assert (8, "Same email as row 7.") in errors
    assert (10, "email is longer than 254 characters.") in errors
    assert {row for row, _ in errors} == {2, 3, 4, 5, 6, 7, 8, 10}
    assert snapshot() == before


def test_organisation_of_another_cell_is_unknown(world, unchanged):
    rows = [MEMBER_HEADER, ["new@example.be", "New", "School B", "member", "2026-01-01", ""]]
    report = run(world, csv_bytes(rows), kind="members")
    assert messages(report) == [
        (2, "organisation: this cell has no active organisation named “School B”.")
    ]


def test_a_service_refusal_rolls_back_every_row(world, unchanged, monkeypatch):
    real = imports.services.organisation_create
    calls = []

    def create_then_refuse(**kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise RuleViolation("Refused by the service.")
        return real(**kwargs)

    monkeypatch.setattr(imports.services, "organisation_create", create_then_refuse)
    data = csv_bytes([ORG_HEADER, ["First", "other", "other"], ["Second", "other", "other"]])
    report = run(world, data)
    assert calls == ["First", "Second"]
    assert messages(report) == [(3, "Refused by the service.")]
    assert not Organisation.objects.filter(name="First").exists()


# --- Through the view --------------------------------------------------------------------------


def test_view_shows_the_report_and_redirects_on_success(world, client_for):
    client = client_for(world.cell_admin)
    url = reverse("setup:import")
    bad = SimpleUploadedFile("orgs.csv", csv_bytes([ORG_HEADER, ["Shop", "shop", "other"]]))
    response = client.post(url, {"kind": "organisations", "file": bad})
    assert response.status_code == 200
    assert "Nothing was imported: 1 row has errors." in response.text
    assert "“shop” is not one of" in response.text
    assert not Organisation.objects.filter(name="Shop").exists()
    good = SimpleUploadedFile("orgs.csv", csv_bytes([ORG_HEADER, ["Shop", "other", "other"]]))
    response = client.post(url, {"kind": "organisations", "file": good})
    assert response.status_code == 302
    assert response.url == reverse("setup:organisations")
    assert Organisation.objects.filter(cell=world.cell_a, name="Shop").exists()


def test_view_is_hidden_from_other_roles(world, client_for):
    client = client_for(world.coordinator)
    data = SimpleUploadedFile("orgs.csv", csv_bytes([ORG_HEADER, ["Shop", "other", "other"]]))
    assert (
        client.post(reverse("setup:import"), {"kind": "organisations", "file": data}).status_code
        == 404
    )
    assert not Organisation.objects.filter(name="Shop").exists()


# --- The parser on any input -------------------------------------------------------------------


@settings(max_examples=200)
@given(st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_parser_refuses_or_returns_a_table(data):
    try:
        header, rows = parse_table(data)
    except ImportRefused as refusal:
        assert refusal.message
    else:
        assert header and rows
        assert all(row.number >= 2 and any(cell.strip() for cell in row.cells) for row in rows)


cell_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20
)


@settings(max_examples=100)
@given(
    st.lists(st.sampled_from(["name", "kind", "sector", "email"]), min_size=2, max_size=4),
    st.lists(st.lists(cell_text, min_size=1, max_size=5), max_size=8),
    st.sampled_from([",", ";"]),
)
def test_csv_round_trip(header, rows, delimiter):
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    try:
        parsed_header, parsed_rows = parse_table(csv_bytes([header, *rows], delimiter=delimiter))
    except ImportRefused:
        assert not rows
        return
    assert parsed_header == header
    assert [row.cells for row in parsed_rows] == rows
