"""Import organisations and members from a CSV or XLSX file: every row or none.

The cell administrator uploads one file per kind. Every row is checked before anything is
written; one bad row imports nothing and the report names each row and problem. Valid rows go
through the ordinary services in one transaction, so each gets its own audit event. Cell
values never reach the logs.
"""

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casus.core.exceptions import CasusError

from . import services
from .models import (
    Cell,
    Clearance,
    Membership,
    MembershipRequest,
    Organisation,
    OrganisationKind,
    RequestKind,
    RequestStatus,
    Role,
    Sector,
    User,
)
from .rules import Action, require


@dataclass
class RowError:
    row: int | None
    message: str


@dataclass
class ImportReport:
    ok: bool
    summary: str
    errors: list[RowError] = field(default_factory=list)


class ImportRefused(ValueError):
    """The file as a whole cannot be imported; ``message`` is translated and safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Row(NamedTuple):
    number: int  # as the user sees it: the header is row 1
    cells: list[str]


COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required columns, optional columns)
    "organisations": (("name", "kind", "sector"), ()),
    "members": (
        ("email", "full_name", "organisation", "role", "term_start"),
        ("term_end", "clearance_level", "clearance_expiry"),
    ),
}
_CHOICES = {"kind": OrganisationKind, "sector": Sector, "role": Role, "clearance_level": Clearance}
_MAX_LENGTH = {"name": 200, "full_name": 200, "email": 254}
# Tabs, line breaks and other C0/C1 controls, zero-width and bidirectional-override marks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_BELGIAN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_table(data: bytes) -> tuple[list[str], list[Row]]:
    """Return the normalised header and the non-blank data rows of an XLSX or CSV file.

    The format is decided by the content, never by the file name.
    """
    if not data.strip():
        raise ImportRefused(_("The file is empty."))
    if zipfile.is_zipfile(io.BytesIO(data)):
        records = _xlsx_records(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(_("Old Excel files (.xls) cannot be read: save as .xlsx or CSV UTF-8."))
    elif b"\x00" in data:  # binary, or UTF-16 ("Unicode text" in Excel)
        raise ImportRefused(_("This is not a CSV or XLSX file in UTF-8: save the file as UTF-8."))
    else:
        records = _csv_records(data)
    header: list[str] = []
    rows: list[Row] = []
    with contextlib.closing(records):
        for number, cells in enumerate(records, start=1):
            if number == 1:
                header = [cell.strip().lower() for cell in cells]
            elif any(cell.strip() for cell in cells):
                rows.append(Row(number, cells))
            if len(rows) > settings.CASUS_IMPORT_MAX_ROWS:
                raise ImportRefused(
                    _("The file has more than %(limit)d rows: split it into smaller files.")
                    % {"limit": settings.CASUS_IMPORT_MAX_ROWS}
                )
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportRefused(_("The first row must hold the column names."))
    if not rows:
        raise ImportRefused(_("The file has no data rows under the column names."))
    return header, rows


def _xlsx_records(data: bytes) -> Generator[list[str]]:
    """Yield the rows of the first sheet; any failure of the zip or XML is a refusal."""
    unreadable = _("The spreadsheet cannot be read: save it again as .xlsx or as CSV UTF-8.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # A small zip can unpack to gigabytes: refuse before openpyxl inflates it.
            if (
                sum(info.file_size for info in archive.infolist())
                > 20 * settings.CASUS_IMPORT_MAX_BYTES
            ):
                raise ImportRefused(unreadable)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # Trust the cells, not the declared size: a forged A1:XFD1048576 pads every row.
            sheet.reset_dimensions()
            for values in sheet.iter_rows(values_only=True):
                yield [_xlsx_text(value) for value in values]
        finally:
            workbook.close()
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many types on damaged files
        raise ImportRefused(unreadable) from error


def _xlsx_text(value: object) -> str:
    """Turn a cell into text; date cells become ISO dates, whole numbers lose their '.0'."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _csv_records(data: bytes) -> Generator[list[str]]:
    """Decode UTF-8 (BOM or not), take ';' or ',' from the header line, read strictly."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = _("The file is not in UTF-8: save the file as UTF-8 (in Excel: CSV UTF-8).")
        raise ImportRefused(message) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007 — read in except
            yield cells
    except csv.Error as error:
        message = _("The CSV file is malformed at row %(row)d: check for unbalanced quotes.")
        raise ImportRefused(message % {"row": number + 1}) from error


def _read(upload: "UploadedFile[bytes]") -> bytes:
    """Read at most the size limit plus one byte: a larger file is refused, never loaded."""
    limit = settings.CASUS_IMPORT_MAX_BYTES
    message = _("The file is larger than %(limit)s: split it into smaller files.")
    too_large = ImportRefused(message % {"limit": filesizeformat(limit)})
    if upload.size is not None and upload.size > limit:
        raise too_large
    upload.seek(0)
    data: bytes = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return data


def _check_header(kind: str, header: list[str]) -> list[str]:
    """Return what is wrong with the column names: unnamed, doubled, unknown or missing."""
    required, optional = COLUMNS[kind]
    allowed = (*required, *optional)
    named = [name for name in header if name]
    problems = []
    if len(named) < len(header):
        problems.append(_("Every column needs a name in row 1."))
    if doubled := sorted({_show(name) for name in named if named.count(name) > 1}):
        problems.append(_("Columns named twice: %(columns)s.") % {"columns": ", ".join(doubled)})
    if unknown := [_show(name) for name in dict.fromkeys(named) if name not in allowed]:
        message = _("Unknown columns: %(columns)s. Allowed columns: %(allowed)s.")
        problems.append(message % {"columns": ", ".join(unknown), "allowed": ", ".join(allowed)})
    if missing := [name for name in required if name not in named]:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return problems


def _show(value: str) -> str:
    """Quote a value for the report, shortened: enough to find the cell."""
    return f"“{value[:40]}…”" if len(value) > 40 else f"“{value}”"


def _choice_lookup(choices: Iterable[models.TextChoices]) -> dict[str, str]:
    """Map each value, English label and label in the current language to the value."""
    lookup = {}
    for member in choices:
        with translation.override("en"):
            english = str(member.label)
        for key in (english, str(member.label), member.value):
            lookup[key.casefold()] = member.value
    return lookup


def _parse_date(value: str) -> date | None:
    """Read YYYY-MM-DD or DD/MM/YYYY; return None for anything else or an impossible day."""
    iso, belgian = _ISO_DATE.fullmatch(value), _BELGIAN_DATE.fullmatch(value)
    parts = iso.groups() if iso else belgian.groups()[::-1] if belgian else None
    try:
        return date(*map(int, parts)) if parts else None
    except ValueError:
        return None


class _Known(NamedTuple):
    """What the cell already holds, read once for the whole file."""

    organisations: dict[str, Organisation]
    members: set[str]
    pending: set[str]


class _Cells:
    """One data row read by column name, collecting what is wrong with it."""

    def __init__(self, header: list[str], row: Row, lookups: dict[str, dict[str, str]]) -> None:
        cells = [cell.strip() for cell in row.cells]
        self.lookups, self.problems = lookups, list[str]()
        self.values = dict(zip(header, cells, strict=False))
        if any(cells[len(header) :]):
            self.add(_("This row has more values than there are columns."))
            self.values = {}  # the values may be shifted: judging them would mislead
        for column, value in self.values.items():
            if _CONTROL.search(value):
                self.add(_("%(column)s contains a line break, tab or control character."), column)

    def add(self, message: str, column: str = "", value: str = "", **more: object) -> None:
        self.problems.append(message % {"column": column, "value": _show(value), **more})

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.values.get(column, "")
        limit = _MAX_LENGTH.get(column, 200)
        if required and not value and self.values:
            self.add(_("%(column)s is required."), column)
        elif len(value) > limit:
            self.add(_("%(column)s is longer than %(limit)d characters."), column, limit=limit)
        return value

    def choice(self, column: str, choices: list[str], *, required: bool = True) -> str:
        value = self.text(column, required=required)
        found = self.lookups[column].get(value.casefold(), "")
        if value and not found:
            message = _("%(column)s: %(value)s is not one of %(allowed)s.")
            self.add(message, column, value, allowed=", ".join(choices))
        return found

    def day(self, column: str, *, required: bool = True) -> date | None:
        value = self.text(column, required=required)
        parsed = _parse_date(value) if value else None
        if value and parsed is None:
            message = _("%(column)s: %(value)s is not a date; write YYYY-MM-DD or DD/MM/YYYY.")
            self.add(message, column, value)
        return parsed


def _organisation(cells: _Cells, known: _Known) -> dict[str, Any]:
    """Return the organisation_create arguments of one row."""
    name = cells.text("name")
    if name.casefold() in known.organisations:
        cells.add(_("An organisation with this name already exists in this cell."))
    kind = cells.choice("kind", OrganisationKind.values)
    return {"name": name, "kind": kind, "sector": cells.choice("sector", Sector.values)}


def _member(cells: _Cells, known: _Known) -> dict[str, Any]:
    """Return the membership_request_create arguments of one row."""
    email = cells.text("email").lower()
    try:
        EmailValidator()(email)
    except ValidationError:
        if email:
            cells.add(_("%(column)s: %(value)s is not a valid e-mail address."), "email", email)
    if email in known.members:
        cells.add(_("This person already has a membership in this cell."))
    elif email in known.pending:
        cells.add(_("A request for this person is already awaiting the chair's decision."))
    org_name = cells.text("organisation")
    organisation = known.organisations.get(org_name.casefold())
    if org_name and (organisation is None or not organisation.is_active):
        message = _("%(column)s: this cell has no active organisation named %(value)s.")
        cells.add(message, "organisation", org_name)
    role = cells.choice("role", Role.values)
    term_start, term_end = cells.day("term_start"), cells.day("term_end", required=False)
    if term_start and term_end and term_end < term_start:
        cells.add(_("term_end is before term_start."))
    level = cells.choice("clearance_level", Clearance.values, required=False)
    expiry = cells.day("clearance_expiry", required=False)
    if role == Role.INFORMATION_OFFICER and not (
        cells.values.get("clearance_level") and cells.values.get("clearance_expiry")
    ):
        cells.add(_("An information officer needs clearance_level and clearance_expiry."))
    return {
        "email": email,
        "full_name": cells.text("full_name"),
        "organisation": organisation,
        "role": role,
        "term_start": term_start,
        "term_end": term_end,
        "clearance_level": level,
        "clearance_expiry": expiry,
    }


def _known(cell: Cell) -> _Known:
    members = Membership.objects.filter(cell=cell, ended_at__isnull=True)
    pending = MembershipRequest.objects.filter(cell=cell, status=RequestStatus.PENDING)
    return _Known(
        organisations={org.name.casefold(): org for org in Organisation.objects.filter(cell=cell)},
        members={email.lower() for email in members.values_list("user__email", flat=True)},
        pending={email.lower() for email in pending.values_list("email", flat=True)},
    )


def _refused(errors: list[RowError]) -> ImportReport:
    count = len({error.row for error in errors})
    summary = ngettext(
        "Nothing was imported: %(count)d row has errors.",
        "Nothing was imported: %(count)d rows have errors.",
        count,
    )
    return ImportReport(ok=False, summary=summary % {"count": count}, errors=errors)


def import_upload(
    *, actor: User, cell: Cell, kind: str, upload: "UploadedFile[bytes]"
) -> ImportReport:
    """Check every row of ``upload``, then create them all through the services, or nothing."""
    require(actor, Action.SETUP_DRAFT, cell)
    try:
        if kind not in COLUMNS:
            raise ImportRefused(_("Choose whether the file holds organisations or members."))
        header, rows = parse_table(_read(upload))
    except ImportRefused as refusal:
        return ImportReport(ok=False, summary=refusal.message)
    if problems := _check_header(kind, header):
        return _refused([RowError(1, problem) for problem in problems])
    known = _known(cell)
    lookups = {column: _choice_lookup(choices) for column, choices in _CHOICES.items()}
    check, key_column = (_organisation, "name") if kind == "organisations" else (_member, "email")
    first_row: dict[str, int] = {}
    checked: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    for row in rows:
        cells = _Cells(header, row, lookups)
        arguments = check(cells, known)
        if key := str(arguments[key_column]).casefold():
            if key in first_row:
                cells.add(_("Same %(column)s as row %(row)d."), key_column, row=first_row[key])
            first_row.setdefault(key, row.number)
        checked.append((row.number, arguments))
        errors.extend(RowError(row.number, problem) for problem in cells.problems)
    if errors:
        return _refused(errors)
    reason = _("Imported from file %(name)s") % {"name": upload.name or ""}
    with transaction.atomic():
        for number, arguments in checked:
            try:
                if kind == "organisations":
                    services.organisation_create(actor=actor, cell=cell, **arguments)
                else:
                    services.membership_request_create(
                        actor=actor, cell=cell, kind=RequestKind.ADD, reason=reason, **arguments
                    )
            except CasusError as error:
                transaction.set_rollback(True)  # undo the rows already created
                return _refused([RowError(number, error.message)])
    count = len(checked)
    if kind == "organisations":
        summary = ngettext(
            "%(count)d organisation imported.", "%(count)d organisations imported.", count
        )
    else:
        summary = ngettext(
            "%(count)d member request sent to the chair.",
            "%(count)d member requests sent to the chair.",
            count,
        )
    return ImportReport(ok=True, summary=summary % {"count": count})
