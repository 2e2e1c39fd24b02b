"""CSV and XLSX downloads whose cells can never run as formulas.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some programs,
a tab or carriage return before one) as a formula: text written by one user could then run on
another user's machine ("CSV injection"). Every text cell that starts with one of them is
prefixed with an apostrophe, which spreadsheets show as plain text.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet cell: text that could start a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _text(value: Any) -> str:
    cell = neutralise(value)
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A CSV download (UTF-8 with a byte-order mark, so spreadsheet programs read accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_text(title) for title in header])
    for row in rows:
        writer.writerow([_text(value) for value in row])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type=CSV_TYPE)
    return _download(response, filename)


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Casus"
) -> HttpResponse:
    """An XLSX download; text cells are stored as text, never as formulas."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([neutralise(value) for value in header])
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _download(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), filename)


def table_response(
    fmt: str, filename_stem: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """The table as ``fmt`` ("csv" or "xlsx")."""
    if fmt == "xlsx":
        return xlsx_response(f"{filename_stem}.xlsx", header, rows)
    return csv_response(f"{filename_stem}.csv", header, rows)
