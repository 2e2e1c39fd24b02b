"""``casus keys``: the cells' field keys (ADR 0019): status, create, rotate, reindex, retire,
erase."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from casus.access.models import Cell
from casus.audit.services import audit_record
from casus.privacy import keys, reindex, rotation


class Command(BaseCommand):
    help = "Manage the per-cell field-encryption keys kept outside the database."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("status", help="Each cell's key versions and values still on old ones.")
        sub.add_parser("create-missing", help="Give every cell without a key file its first key.")
        rotate = sub.add_parser("rotate", help="Add a key version and re-seal the cell's values.")
        rotate.add_argument("--cell", type=int, action="append", help="Only this cell.")
        rotate.add_argument("--all", action="store_true", help="Every cell.")
        rotate.add_argument(
            "--resume", action="store_true", help="Finish an interrupted rotation (no new key)."
        )
        rotate.add_argument("--batch", type=int, default=500, help="Rows per transaction.")
        reindex = sub.add_parser(
            "reindex", help="Derive every blind index again after CASUS_INDEX_KEY changed."
        )
        reindex.add_argument("--batch", type=int, default=500)
        retire = sub.add_parser("retire", help="Remove old key versions nothing needs any more.")
        retire.add_argument("--cell", type=int, action="append", required=True)
        erase = sub.add_parser(
            "erase-cell", help="Delete a cell's key file: everything it encrypted is gone."
        )
        erase.add_argument("--cell", type=int, required=True)
        erase.add_argument("--confirm", help="Repeat the cell's name to confirm.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["verb"].replace("-", "_"))(options)

    def _cells(self, options: dict[str, Any]) -> list[int]:
        if options.get("all"):
            return list(Cell.objects.order_by("pk").values_list("pk", flat=True))
        if not options.get("cell"):
            raise CommandError("name the cells with --cell ID, or use --all")
        found = set(Cell.objects.filter(pk__in=options["cell"]).values_list("pk", flat=True))
        missing = sorted(set(options["cell"]) - found)
        if missing:
            raise CommandError(f"no such cell: {', '.join(map(str, missing))}")
        return sorted(found)

    def _status(self, options: dict[str, Any]) -> None:
        for cell in Cell.objects.order_by("pk"):
            if not keys.has_keys(cell.pk):
                self.stdout.write(f"cell {cell.pk}: NO KEY FILE")
                continue
            cell_keys = keys.cell_keys(cell.pk)
            stale = rotation.values_needing_old_keys(cell_id=cell.pk)
            self.stdout.write(
                f"cell {cell.pk}: current {cell_keys.current}, versions "
                f"{', '.join(sorted(cell_keys.keys))}; {stale} value(s) on older versions"
            )

    def _create_missing(self, options: dict[str, Any]) -> None:
        for cell_id in Cell.objects.order_by("pk").values_list("pk", flat=True):
            if not keys.has_keys(cell_id):
                self.stdout.write(f"cell {cell_id}: created {keys.cell_key_create(cell_id)}")

    def _rotate(self, options: dict[str, Any]) -> None:
        for cell_id in self._cells(options):
            kid, count = rotation.cell_key_rotate(
                cell_id=cell_id, batch=options["batch"], resume=options["resume"]
            )
            self.stdout.write(
                f"cell {cell_id}: current key {kid}; re-sealed {count.values} value(s) "
                f"in {count.rows} row(s)"
            )

    def _reindex(self, options: dict[str, Any]) -> None:
        changed = reindex.reindex(batch=options["batch"])
        with transaction.atomic():
            audit_record(actor=None, action="BLIND_INDEX_REBUILT", data={"rows": changed})
        for label, count in changed.items():
            self.stdout.write(f"{label}: {count} row(s) re-indexed")

    def _retire(self, options: dict[str, Any]) -> None:
        for cell_id in self._cells(options):
            try:
                old = rotation.cell_key_retire_old(cell_id=cell_id)
            except RuntimeError as error:
                raise CommandError(f"cell {cell_id}: {error}") from error
            self.stdout.write(f"cell {cell_id}: retired {', '.join(old) or 'nothing'}")

    def _erase_cell(self, options: dict[str, Any]) -> None:
        cell = Cell.objects.filter(pk=options["cell"]).first()
        if cell is None:
            raise CommandError(f"no such cell: {options['cell']}")
        if options["confirm"] != cell.name:
            raise CommandError("repeat the cell's exact name with --confirm to erase it")
        with transaction.atomic():
            audit_record(actor=None, action="CELL_KEYS_DESTROYED", cell=cell)
        keys.cell_keys_destroy(cell.pk)
        self.stdout.write(f"cell {cell.pk}: key file removed; its encrypted data is unreadable")
