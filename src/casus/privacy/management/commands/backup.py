"""``casus backup``: write an encrypted archive of the database and the files (ADR 0021)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casus.privacy import backup


class Command(BaseCommand):
    help = (
        "Write the database and the attachment and media files to one archive, encrypted with "
        "a key derived from CASUS_BACKUP_KEY. The field keys (CASUS_KEY_DIR) are not included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", "-o", type=Path, required=True, help="The archive to write (a new file)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup.backup_create(output=options["output"])
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Wrote {summary.path}: {summary.size} bytes, {summary.files} file(s), "
            f"sha256 {summary.sha256}"
        )
        if summary.skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"Left out {summary.skipped} entry(ies) that are neither folders nor regular "
                    "files (symbolic links, sockets)."
                )
            )
        self.stdout.write(
            "Keep CASUS_BACKUP_KEY and a copy of the key directory (CASUS_KEY_DIR) apart from "
            "this archive: without the key directory its encrypted fields cannot be read."
        )
