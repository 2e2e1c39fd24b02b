"""``casus demo_code EMAIL``: print the current TOTP code of a demo login (no phone needed).

It reads the secret from the demo's own credentials file, not from the database; it only
works for logins the demo created on this machine.
"""

import json
import time
from typing import Any

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casus.demo.loader import credentials_path


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        path = credentials_path()
        if not path.exists():
            raise CommandError("No demo credentials on this machine: run 'casus demo' first.")
        login = json.loads(path.read_text()).get(options["email"].lower())
        if login is None:
            raise CommandError("Not a demo login.")
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(login["totp_secret"], counter)))
