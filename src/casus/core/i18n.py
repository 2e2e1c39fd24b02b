"""Compile the gettext catalogues at install and test time (no compiled files in the repo)."""

from pathlib import Path

import polib
from django.utils.translation import gettext_noop

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def ensure_compiled(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or older; return the files written."""
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


#: Django's own strings that its nl or de catalogue does not translate yet; listed here so
#: that our catalogues (searched first, LOCALE_PATHS) carry them.
DJANGO_STRINGS_MISSING = (gettext_noop("- Select an option -"),)
