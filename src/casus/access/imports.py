"""CSV and XLSX import of organisations and members (placeholder interface, being written)."""

from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile

from .models import Cell, User


@dataclass
class RowError:
    row: int | None
    message: str


@dataclass
class ImportReport:
    ok: bool
    summary: str
    errors: list[RowError] = field(default_factory=list)


def import_upload(*, actor: User, cell: Cell, kind: str, upload: UploadedFile) -> ImportReport:
    raise NotImplementedError
