"""The `casus` command: Django's management commands plus our own."""

import os
import sys


def main() -> None:
    """Run a management command with Casus's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casus.config.settings")
    from django.core.management import execute_from_command_line

    from casus.core.i18n import ensure_compiled

    ensure_compiled()
    execute_from_command_line(sys.argv)
