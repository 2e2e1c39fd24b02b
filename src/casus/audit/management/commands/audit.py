"""``casus audit``: check the hash chains and their signed day heads, seal days, export seals."""

import json
from datetime import date, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from casus.audit import chain, seals


def _day(text: str) -> date:
    return date.fromisoformat(text)


class Command(BaseCommand):
    help = "Verify the audit hash chains and day seals, seal ended days, or export the seals."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        verify = sub.add_parser(
            "verify", help="Check every chain and seal; name the first bad row."
        )
        verify.add_argument("--cell", type=int, action="append", help="Only this cell's chain.")
        verify.add_argument(
            "--public-key",
            action="append",
            help="Check seals with this public key (hex) only, e.g. one kept off-site.",
        )
        seal = sub.add_parser("seal", help="Sign each chain's head for ended days not sealed yet.")
        seal.add_argument("--through", type=_day, help="Last day to seal (default: yesterday).")
        export = sub.add_parser("export-seals", help="Print the seals as JSON lines.")
        export.add_argument("--cell", type=int, help="Only this cell's chain.")
        export.add_argument("--since", type=_day, help="Only seals of this day or later.")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "verify":
            self._verify(options)
        elif verb == "seal":
            through = options["through"] or timezone.localdate() - timedelta(days=1)
            try:
                made = seals.seal_through(through)
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"{len(made)} day seal(s) written through {through.isoformat()}")
        else:
            for record in seals.export(chain=options["cell"], since=options["since"]):
                self.stdout.write(json.dumps(record, sort_keys=True))

    def _verify(self, options: dict[str, Any]) -> None:
        public_keys = None
        if options["public_key"]:
            found = [
                Ed25519PublicKey.from_public_bytes(bytes.fromhex(k)) for k in options["public_key"]
            ]
            public_keys = {seals.key_id(key): key for key in found}
        reports = chain.verify_all(only=options["cell"], public_keys=public_keys)
        broken = 0
        for report in reports:
            if report.ok:
                self.stdout.write(
                    f"chain {report.chain}: OK ({report.rows} rows, {report.seals} day seals)"
                )
                continue
            broken += 1
            for problem in report.problems:
                self.stdout.write(f"BROKEN {problem}")
        if broken:
            raise CommandError(f"{broken} of {len(reports)} chain(s) failed verification")
        self.stdout.write(f"all {len(reports)} chain(s) verified")
