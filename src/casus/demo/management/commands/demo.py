"""``casus demo``: migrate, load the demo cell, print the logins and serve on localhost:8000."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from casus.demo.loader import load_demo


class Command(BaseCommand):
    help = "Migrate the database (SQLite by default), load the demo cell, print the logins, serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Load and print only.")
        parser.add_argument("--addrport", default="localhost:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        logins = load_demo()
        out = self.stdout
        out.write(self.style.SUCCESS("\nCasus demo — cell 'Demostad' is ready.\n"))
        out.write(
            f"Log in at http://{options['addrport']} "
            "(passkeys need 'localhost', not 127.0.0.1).\n"
            "Second factor: add the TOTP secret to any authenticator app, or run\n"
            "  uv run casus demo_code <email>\n"
            "to print the current code; each recovery code works once.\n"
        )
        for login in logins:
            out.write(
                f"\n  {login['role']:<28} {login['email']}\n"
                f"    password: {login['password']}\n"
                f"    TOTP secret: {login['totp_secret']}\n"
                f"    recovery codes: {', '.join(login['recovery_codes'])}\n"  # type: ignore[arg-type]
            )
        if not options["no_serve"]:
            call_command("runserver", options["addrport"], use_reloader=False)
