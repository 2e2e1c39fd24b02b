"""A dump of the database holds no plaintext name, birth date or narrative of the demo cases:
not an SQL dump (SQLite's or pg_dump's), and not the raw SQLite file the demo writes."""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from casus.demo.loader import load_demo
from casus.privacy.fields import Erased
from casus.privacy.rotation import encrypted_models

SHORTEST = 4  # shorter values (codes, initials) would match by chance


def sensitive_values() -> set[str]:
    """Every encrypted value in the database, opened, as the strings a dump could show."""
    found: set[str] = set()
    for model, fields in encrypted_models():
        for row in model._base_manager.all():
            for field in fields:
                value = getattr(row, field.attname)
                assert not isinstance(value, Erased)
                if isinstance(value, datetime.date):
                    found |= {value.isoformat(), value.strftime("%d/%m/%Y")}
                elif isinstance(value, str) and len(value.strip()) >= SHORTEST:
                    found.add(value)
                    # Each line of a narrative on its own, in case a dump splits it.
                    found |= {line for line in value.splitlines() if len(line) >= 12}
    return found


def public_texts() -> set[str]:
    """Texts that are nobody's personal data: organisation and municipality names, the
    scenario templates whose goals and actions prefill a pathway, and the installation's
    published knowledge (practice fiches, social-map offers), which may share a word with a
    case ("Online")."""
    from casus.access.models import Municipality, Organisation
    from casus.cases.models import ScenarioItem
    from casus.knowledge.models import PracticeFiche
    from casus.socialmap.models import Offer

    found = set(Organisation.objects.values_list("name", flat=True))
    found |= set(Municipality.objects.values_list("name", flat=True))
    for goal, action in ScenarioItem.objects.values_list("goal", "action"):
        found |= {goal, action}
    for texts in PracticeFiche.objects.values_list("title", "summary", "body", "contact"):
        found |= set(texts)
    for texts in Offer.objects.values_list("name", "description", "target_group"):
        found |= set(texts)
    return found


def leaks(values: set[str], dump: str, public: set[str] | None = None) -> list[str]:
    """The values found in clear: not as part of a longer base64 run (sealed text)."""
    public = public_texts() if public is None else public
    found = []
    for value in values:
        if any(value in text for text in public):
            continue
        pattern = rf"(?<![A-Za-z0-9+/]){re.escape(value)}(?![A-Za-z0-9+/=])"
        if re.search(pattern, dump):
            found.append(value)
    return sorted(found)


def sql_dump() -> str:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    settings = connection.settings_dict
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("pg_dump is needed for the PostgreSQL dump test (install postgresql-client)")
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        pg_dump,
        "--no-owner",
        "-h",
        settings.get("HOST") or "localhost",
        "-p",
        str(settings.get("PORT") or 5432),
        "-U",
        settings.get("USER") or "postgres",
        settings["NAME"],
    ]
    result = subprocess.run(  # noqa: S603 — fixed arguments
        command, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    return result.stdout


@pytest.fixture
def demo_dirs(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CASUS_ATTACHMENT_DIR = tmp_path / "att"
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_an_sql_dump_of_the_demo_holds_no_plaintext(demo_dirs: Path) -> None:
    load_demo()
    values = sensitive_values()
    # The demo's people and their stories are there to be found, in the database, opened.
    assert {"Verhaeghebeek", "Milan", "2010-03-14"} <= values
    dump = sql_dump()
    assert "INSERT INTO" in dump or "COPY " in dump
    assert leaks(values, dump) == []


@pytest.mark.skipif(
    "DATABASE_URL" in os.environ, reason="the SQLite file test runs in the SQLite pass"
)
def test_the_demos_sqlite_file_holds_no_plaintext(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["CASUS_DATA_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "casus.config.settings"
    casus = [sys.executable, "-c", "from casus.core.cli import main; main()"]
    subprocess.run(  # noqa: S603 — fixed arguments
        [*casus, "demo", "--no-serve"], env=env, capture_output=True, timeout=600, check=True
    )
    script = (
        "import json; from tests.privacy.test_dump import sensitive_values; "
        "from tests.privacy.test_dump import public_texts; "
        "print(json.dumps([sorted(sensitive_values()), sorted(public_texts())]))"
    )
    opened = subprocess.run(  # noqa: S603 — fixed arguments
        [*casus, "shell", "-c", script],
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    values_list, public_list = json.loads(opened.stdout.strip().splitlines()[-1])
    values = set(values_list)
    assert {"Verhaeghebeek", "Milan", "2010-03-14"} <= values
    raw = b"".join(path.read_bytes() for path in sorted(tmp_path.glob("casus.sqlite3*")))
    assert raw
    text = raw.decode("utf-8", errors="replace")
    assert leaks(values, text, set(public_list)) == []


@pytest.mark.django_db
def test_the_demos_attachment_files_hold_no_plaintext(demo_dirs: Path) -> None:
    """The files on disk are encrypted too: neither the PDF's nor the notes' words show."""
    load_demo()
    files = sorted((demo_dirs / "att").iterdir())
    assert len(files) >= 2
    raw = b"".join(path.read_bytes() for path in files)
    for plain in (b"%PDF-", b"Amber", b"klassenraad", b"huisbezoek"):
        assert plain not in raw, plain
