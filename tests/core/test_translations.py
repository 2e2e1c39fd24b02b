"""The gettext catalogues: complete, consistent with the source, and loaded at run time."""

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.utils import translation

from casus.core.i18n import LOCALE_DIR

LANGUAGES = ("nl", "fr", "de", "en")
PLURAL_FORMS = {
    "nl": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
}
SRC_DIR = LOCALE_DIR.parent
# printf-style conversions: %(name)s, %s, %d, %5.2f, ...; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdiouxXeEfFgGcr]")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def show(keys: set[tuple[str, str, str]]) -> str:
    return "\n".join(f"  {msgid!r}" for _ctx, msgid, _plural in sorted(keys))


@pytest.mark.parametrize("language", LANGUAGES)
def test_header(language: str) -> None:
    po = catalogue(language)
    assert not po.metadata_is_fuzzy, "remove '#, fuzzy' from the header"
    assert po.metadata["Language"] == language
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS[language]
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_translated(language: str) -> None:
    po = catalogue(language)
    active = [entry for entry in po if not entry.obsolete]
    assert active, "empty catalogue"
    assert not po.obsolete_entries(), "run makemessages with --no-obsolete"
    fuzzy = [entry.msgid for entry in active if entry.fuzzy]
    assert not fuzzy, f"fuzzy entries in {language}: {fuzzy}"
    untranslated = [
        entry.msgid
        for entry in active
        if not (
            len(entry.msgstr_plural) == 2 and all(entry.msgstr_plural.values())
            if entry.msgid_plural
            else entry.msgstr
        )
    ]
    assert not untranslated, f"untranslated entries in {language}: {untranslated}"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext (msgfmt) not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_check(language: str) -> None:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(  # noqa: S603 — fixed arguments
        ["msgfmt", "--check", "-o", os.devnull, str(po_path)],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_preserved(language: str) -> None:
    wrong = []
    for entry in catalogue(language):
        if entry.msgid_plural:
            pairs = [
                (entry.msgid if n == 0 else entry.msgid_plural, text)
                for n, text in sorted(entry.msgstr_plural.items())
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        wrong += [
            (source, text) for source, text in pairs if placeholders(source) != placeholders(text)
        ]
    assert not wrong, f"placeholders differ in {language}: {wrong}"


@pytest.mark.parametrize("language", ("nl", "fr", "de"))
def test_same_messages_in_every_catalogue(language: str) -> None:
    expected = {key(entry) for entry in catalogue("en")}
    found = {key(entry) for entry in catalogue(language)}
    assert found == expected, (
        f"{language} differs from en; missing:\n{show(expected - found)}\n"
        f"extra:\n{show(found - expected)}"
    )


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) not installed")
def test_catalogues_cover_the_source(tmp_path: Path) -> None:
    """Extract the messages from a copy of the source tree; the committed catalogue has them all."""
    tree = tmp_path / "casus"
    shutil.copytree(SRC_DIR, tree, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (tmp_path / "i18n_check_settings.py").write_text(
        "from casus.config.settings import *  # noqa: F403\n"
        f"LOCALE_PATHS = [{str(tree / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "i18n_check_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "django", "makemessages", "-l", "nl", "--no-obsolete"]
    command += ["--ignore", "demo/*", "-v0"]
    result = subprocess.run(  # noqa: S603 — fixed arguments
        command, cwd=tree, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    regenerated = polib.pofile(str(tree / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    extracted = {key(entry) for entry in regenerated}
    committed = {key(entry) for entry in catalogue("nl") if not entry.obsolete}
    missing = extracted - committed
    assert not missing, (
        "messages missing from the catalogues; run makemessages and translate:\n" + show(missing)
    )


@pytest.mark.parametrize("language", ("nl", "fr", "de"))
def test_compiled_catalogue_is_loaded(language: str) -> None:
    with translation.override(language):
        assert translation.gettext("Dashboard") != "Dashboard"


def test_french_plural_rule() -> None:
    """French uses the singular for 0 and 1 (plural=(n > 1)), unlike nl, de and en."""
    entry = next(entry for entry in catalogue("fr") if entry.msgid_plural)
    with translation.override("fr"):
        forms = [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (0, 1, 2)]
    assert forms == [entry.msgstr_plural[0], entry.msgstr_plural[0], entry.msgstr_plural[1]]
