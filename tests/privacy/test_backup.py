"""`casus backup` and `casus restore`: backup → wipe → restore gives the same rows and files; an
archive opens only with its key, whole and unaltered; it never holds a sealed value in clear."""

import datetime
import io
import json
import os
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from casus.audit import chain
from casus.audit.models import AuditEvent
from casus.audit.services import audit_record
from casus.cases.attachments import attachment_path
from casus.cases.models import Attachment, Case, CaseStatus, Visibility
from casus.cases.services.casefile import attachment_upload
from casus.privacy import backup, keys
from tests.cases.factories import CaseFactory, participate
from tests.cases.helpers import write_entry
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
FAMILY_NAME = "Verhaeghebeek"
SUMMARY = "Shares violent propaganda at school."
JOURNAL = "Home visit with the mother on Tuesday."


@dataclass
class Place:
    root: Path
    attachments: Path
    media: Path
    archives: Path

    def archive(self, name: str = "casus.backup") -> Path:
        return self.archives / name


@pytest.fixture(autouse=True)
def place(settings: Any, tmp_path: Path) -> Place:
    """Keys, files and archives of the test in its own folders (before ``world`` makes keys)."""
    settings.CASUS_BACKUP_KEY = secrets.token_urlsafe(48)
    settings.CASUS_KEY_DIR = tmp_path / "keys"
    settings.CASUS_ATTACHMENT_DIR = tmp_path / "data" / "attachments"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    settings.CASUS_ATTACHMENT_MAX_BYTES = 64 * 1024
    (tmp_path / "archives").mkdir()
    return Place(
        root=tmp_path,
        attachments=settings.CASUS_ATTACHMENT_DIR,
        media=settings.MEDIA_ROOT,
        archives=tmp_path / "archives",
    )


@pytest.fixture
def case(world: World, place: Place) -> Case:
    """A case with sealed identity, a journal entry, an attachment, audit events, a media file."""
    school = world.membership(world.partner1).organisation
    case = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        lead_organisation=school,
        subject_family_name=FAMILY_NAME,
        subject_given_names="Milan",
        subject_birth_date=datetime.date(2010, 3, 14),
        summary=SUMMARY,
    )
    participate(case, school, world.coordinator)
    write_entry(world.partner1, case, text=JOURNAL)
    attachment_upload(
        actor=world.partner1,
        case=case,
        uploaded_file=SimpleUploadedFile("report.pdf", PDF),
        visibility=Visibility.ALL,
        description="Report of the school",
        for_meeting=False,
    )
    with transaction.atomic():
        audit_record(actor=None, action="TEST_INSTALLATION_EVENT")
    (place.media / "logos").mkdir(parents=True)
    (place.media / "logos" / "cell-a.bin").write_bytes(os.urandom(3000))
    return case


# --- What "identical" means --------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def database_state() -> dict[str, list[str]]:
    """Every row of every table, read past the ORM, plus sequences, triggers and the schema."""
    state: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            state[table] = sorted(repr(tuple(map(_plain, row))) for row in cursor.fetchall())
        if connection.vendor == "sqlite":
            queries = {
                "(sequences)": "SELECT name, seq FROM sqlite_sequence",
                "(schema)": "SELECT type, name, tbl_name, sql FROM sqlite_master",
            }
        else:
            queries = {
                "(sequences)": "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public'",
                "(schema)": "SELECT table_name, column_name, data_type, is_nullable, "
                "column_default FROM information_schema.columns WHERE table_schema = 'public'",
                # By structure: pg_dump may word a partial index's predicate differently, and
                # a recreated table numbers its columns afresh (no gaps of dropped columns).
                "(indexes)": "SELECT i.relname, ix.indrelid::regclass::text, ix.indisunique, "
                "(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(ix.indkey) "
                "WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = ix.indrelid "
                "AND a.attnum = k.attnum), ix.indpred IS NOT NULL FROM pg_index ix "
                "JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_namespace n "
                "ON n.oid = i.relnamespace WHERE n.nspname = 'public'",
                "(triggers)": "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                "WHERE NOT tgisinternal",
            }
        for name, query in queries.items():
            cursor.execute(query)
            state[name] = sorted(repr(tuple(row)) for row in cursor.fetchall())
    return state


def differences(
    before: dict[str, list[str]], after: dict[str, list[str]]
) -> dict[str, tuple[list[str], list[str]]]:
    """Per table, the rows only before and the rows only after; empty when the states match."""
    return {
        table: (
            sorted(set(before.get(table, [])) - set(after.get(table, []))),
            sorted(set(after.get(table, [])) - set(before.get(table, []))),
        )
        for table in before.keys() | after.keys()
        if before.get(table) != after.get(table)
    }


def file_state(*roots: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``roots``: its mode and its bytes."""
    found = {}
    for root in roots:
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.is_file():
                found[str(path.relative_to(root.parent))] = (
                    path.stat().st_mode & 0o777,
                    path.read_bytes(),
                )
    return found


def listing(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


@pytest.fixture
def spy_audit(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Take the database state just before backup and restore record their audit event."""
    seen: dict[str, Any] = {}
    real = backup.audit_record

    def record(**kwargs: Any) -> AuditEvent:
        seen[kwargs["action"]] = database_state()
        seen[kwargs["action"] + ":data"] = kwargs.get("data")
        return real(**kwargs)

    monkeypatch.setattr(backup, "audit_record", record)
    return seen


def wipe(place: Place) -> None:
    """Lose everything: the rows, the attachment and media files; add what the archive lacks."""
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE casus_newer_table (id integer)")
    for path in place.attachments.iterdir():
        path.unlink()
    (place.attachments / "stray-file").write_bytes(b"not in the archive")
    shutil.rmtree(place.media)


# --- Backup → wipe → restore -------------------------------------------------------------------


def test_backup_wipe_restore_gives_identical_data_and_files(
    case: Case, place: Place, spy_audit: dict[str, Any]
) -> None:
    assert Attachment.objects.filter(case=case).count() == 1
    rows = database_state()
    files = file_state(place.attachments, place.media)
    assert len(files) == 2
    assert len(rows["audit_auditevent"]) >= 3

    out = io.StringIO()
    call_command("backup", output=place.archive(), stdout=out)
    assert "Wrote" in out.getvalue()
    assert differences(rows, spy_audit["BACKUP_WRITTEN"]) == {}
    assert place.archive().stat().st_mode & 0o777 == 0o600

    wipe(place)
    assert not Case.objects.exists()
    assert database_state() != rows
    assert file_state(place.attachments, place.media) != files

    out = io.StringIO()
    call_command("restore", str(place.archive()), force=True, stdout=out)
    assert "casus audit verify" in out.getvalue()
    # Just before it records itself, the restored database is the one backed up, row for row.
    assert differences(rows, spy_audit["BACKUP_RESTORED"]) == {}
    assert file_state(place.attachments, place.media) == files
    assert not (place.attachments / "stray-file").exists()
    assert not [path for path in place.attachments.iterdir() if path.name.startswith(".casus-")]
    # Then it is recorded, on the restored chain, which still verifies.
    last = AuditEvent.objects.order_by("-pk").first()
    assert last is not None and last.action == "BACKUP_RESTORED"
    assert all(report.ok for report in chain.verify_all())
    restored = Case.objects.get(pk=case.pk)
    assert (restored.subject_family_name, restored.summary) == (FAMILY_NAME, SUMMARY)


def test_the_audit_events_hold_counts_and_codes_only(
    case: Case, place: Place, spy_audit: dict[str, Any]
) -> None:
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    call_command("restore", str(place.archive()), force=True, stdout=io.StringIO())
    written = AuditEvent.objects.filter(action="BACKUP_RESTORED").get()
    assert written.actor_id is None and written.cell_id is None
    for data in (spy_audit["BACKUP_WRITTEN:data"], written.data):
        assert data["files"] == 2
        assert data["vendor"] == connection.vendor
        text = json.dumps(data)
        assert str(place.root) not in text
        assert "report" not in text and FAMILY_NAME not in text
    assert len(spy_audit["BACKUP_WRITTEN:data"]["sha256"]) == 64


# --- What an archive holds ---------------------------------------------------------------------


def database_text(path: Path) -> str:
    """The archived database as text: the SQLite file's bytes, or pg_restore's SQL script."""
    if path.suffix == ".sqlite3":
        return path.read_bytes().decode("utf-8", errors="replace")
    result = subprocess.run(  # noqa: S603 — fixed arguments
        [shutil.which("pg_restore") or "pg_restore", "--file=-", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout


def test_the_archive_holds_sealed_values_only_as_ciphertext(
    world: World, case: Case, place: Place
) -> None:
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    raw = place.archive().read_bytes()
    assert raw.startswith(backup.MAGIC)
    # Encrypted as a whole: not even the names that are stored in clear show.
    assert world.chair.email.encode() not in raw
    assert PDF not in raw
    unpacked = place.root / "unpacked"
    manifest = backup.backup_verify(archive=place.archive(), extract_to=unpacked)
    dump = database_text(unpacked / manifest["database"])
    # The dump is readable text where the database holds clear text...
    assert world.chair.email in dump
    assert "Police zone A" in dump
    # ...and sealed text where it seals: no name, narrative or journal line in clear.
    for plain in (FAMILY_NAME, "Milan", SUMMARY, JOURNAL, "Report of the school"):
        assert plain not in dump, plain
    assert "enc1:" in dump
    assert manifest["vendor"] == connection.vendor
    assert manifest["trees"] == ["attachments", "media"]
    assert ["cases", "0001_initial"] in manifest["migrations"]
    attachment = Attachment.objects.get(case=case)
    stored = unpacked / "files" / "attachments" / attachment.storage_name
    assert stored.read_bytes() == attachment_path(attachment.storage_name).read_bytes()
    assert b"%PDF-" not in stored.read_bytes()  # the file itself is encrypted (its own key)
    assert manifest["members"][f"files/attachments/{attachment.storage_name}"]["size"] == (
        stored.stat().st_size
    )
    # The field keys are never part of it.
    assert not [name for name in manifest["members"] if re.search(r"cell-\d+\.json$", name)]
    assert not list(unpacked.rglob("cell-*.json"))


def test_two_archives_of_the_same_data_differ(case: Case, place: Place) -> None:
    call_command("backup", output=place.archive("one"), stdout=io.StringIO())
    call_command("backup", output=place.archive("two"), stdout=io.StringIO())
    one, two = place.archive("one").read_bytes(), place.archive("two").read_bytes()
    salt = slice(13, 29)  # magic (8), format (1), chunk size (4), then the salt
    assert one[:13] == two[:13]
    assert one[salt] != two[salt]
    assert backup.backup_verify(archive=place.archive("two"))["members"].keys() == (
        backup.backup_verify(archive=place.archive("one"))["members"].keys()
    )


def test_the_archive_is_written_atomically_and_never_over_another(case: Case, place: Place) -> None:
    existing = place.archive()
    existing.write_bytes(b"an older archive")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", output=existing, stdout=io.StringIO())
    assert existing.read_bytes() == b"an older archive"
    call_command("backup", output=place.archive("new"), stdout=io.StringIO())
    assert sorted(path.name for path in place.archives.iterdir()) == ["casus.backup", "new"]


# --- Refusals: key, damage, schema -------------------------------------------------------------


def test_backup_refuses_without_a_backup_key(case: Case, place: Place, settings: Any) -> None:
    before = AuditEvent.objects.count()
    settings.CASUS_BACKUP_KEY = ""
    with pytest.raises(CommandError, match="CASUS_BACKUP_KEY is not set"):
        call_command("backup", output=place.archive(), stdout=io.StringIO())
    settings.CASUS_BACKUP_KEY = "short"
    with pytest.raises(CommandError, match="at least 32"):
        call_command("backup", output=place.archive(), stdout=io.StringIO())
    assert list(place.archives.iterdir()) == []
    assert AuditEvent.objects.count() == before


def test_backup_refuses_a_key_directory_inside_a_backed_up_tree(
    case: Case, place: Place, settings: Any
) -> None:
    settings.CASUS_KEY_DIR = place.media / "keys"
    with pytest.raises(CommandError, match="key directory lies inside the media tree"):
        call_command("backup", output=place.archive(), stdout=io.StringIO())
    assert list(place.archives.iterdir()) == []


def assert_refused_and_nothing_changed(
    place: Place, archive: Path, message: str, *, force: bool = True
) -> None:
    rows = database_state()
    files = file_state(place.attachments, place.media)
    folders = listing(place.root / "data")
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), force=force, stdout=io.StringIO())
    assert differences(rows, database_state()) == {}
    assert file_state(place.attachments, place.media) == files
    assert listing(place.root / "data") == folders


def test_a_wrong_key_is_refused_and_nothing_changes(
    case: Case, place: Place, settings: Any
) -> None:
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    # A change the archive lacks, which a restore would undo.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.FOLLOW_UP)
    settings.CASUS_BACKUP_KEY = secrets.token_urlsafe(48)
    assert_refused_and_nothing_changed(place, place.archive(), "does not open this archive")
    with pytest.raises(CommandError, match="does not open this archive"):
        call_command("restore", str(place.archive()), check=True, stdout=io.StringIO())


def records(archive: Path) -> tuple[bytes, list[bytes]]:
    """Split an archive into its header and its encrypted chunks."""
    raw = archive.read_bytes()
    header = raw[: backup._HEADER.size]
    size = backup.NONCE_BYTES + backup.CHUNK_BYTES + backup.TAG_BYTES
    body = raw[len(header) :]
    return header, [body[i : i + size] for i in range(0, len(body), size)]


def flip_byte(header: bytes, chunks: list[bytes]) -> bytes:
    middle = bytearray(chunks[1])
    middle[len(middle) // 2] ^= 0x01
    return header + b"".join([chunks[0], bytes(middle), *chunks[2:]])


TAMPERING = {
    "flipped byte": flip_byte,
    "truncated inside a chunk": lambda h, c: h + b"".join(c)[:-100],
    "final chunk cut off": lambda h, c: h + b"".join(c[:-1]),
    "chunk dropped": lambda h, c: h + b"".join([c[0], *c[2:]]),
    "chunks swapped": lambda h, c: h + b"".join([c[1], c[0], *c[2:]]),
    "chunk added": lambda h, c: h + b"".join([*c, c[-1]]),
    "nothing after the header": lambda h, c: h,
}


@pytest.mark.parametrize("how", TAMPERING)
def test_a_damaged_archive_is_refused_and_nothing_changes(
    how: str, case: Case, place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "CHUNK_BYTES", 16 * 1024)
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    header, chunks = records(place.archive())
    assert len(chunks) >= 4
    damaged = place.archive("damaged")
    damaged.write_bytes(TAMPERING[how](header, chunks))
    call_command("flush", interactive=False, verbosity=0)  # so a restore would show
    (place.attachments / "stray-file").write_bytes(b"kept")
    assert_refused_and_nothing_changed(place, damaged, "truncated|damaged")
    # The intact archive still restores, with the same key.
    call_command("restore", str(place.archive()), force=True, stdout=io.StringIO())
    assert Case.objects.filter(pk=case.pk).exists()


def reseal_with_a_tail(archive: Path, target: Path, *, secret: str) -> None:
    """Seal the archive's tar stream again followed by zeros, a tail that tar never reads."""
    raw = archive.read_bytes()
    header = raw[: backup._HEADER.size]
    _, _, chunk_bytes, salt, _ = backup._HEADER.unpack(header)
    key, _ = backup._derive(secret, salt)
    body = io.BytesIO(raw[len(header) :])
    plain = backup._OpeningReader(body, key=key, header=header, chunk_bytes=chunk_bytes).read()
    with target.open("wb") as handle:
        writer = backup._SealingWriter(handle, key=key, header=header)
        writer.write(plain + bytes(4 * chunk_bytes))
        writer.finish()


def test_chunks_cut_off_after_the_end_of_the_tar_stream_are_refused(
    case: Case, place: Place, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setattr(backup, "CHUNK_BYTES", 2048)
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    padded = place.archive("padded")
    reseal_with_a_tail(place.archive(), padded, secret=settings.CASUS_BACKUP_KEY)
    assert backup.backup_verify(archive=padded)["database"]  # whole, it is a good archive
    header, chunks = records(padded)
    cut = place.archive("cut")
    cut.write_bytes(header + b"".join(chunks[:-2]))  # what is left still holds the whole tar
    call_command("flush", interactive=False, verbosity=0)
    assert_refused_and_nothing_changed(place, cut, "truncated|damaged")


def test_an_archive_of_a_newer_schema_is_refused(
    case: Case, place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = backup._applied_migrations
    monkeypatch.setattr(
        backup, "_applied_migrations", lambda: [*real(), ["cases", "9999_from_the_future"]]
    )
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    assert_refused_and_nothing_changed(place, place.archive(), "cases.9999_from_the_future")


def test_restore_asks_for_force_when_nobody_can_answer(case: Case, place: Place) -> None:
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.FOLLOW_UP)
    assert_refused_and_nothing_changed(place, place.archive(), "--force", force=False)


@pytest.mark.parametrize(("answer", "restored"), [("restore", True), ("yes", False)])
def test_restore_asks_at_a_terminal_once_the_archive_checked_out(
    answer: str, restored: bool, case: Case, place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.FOLLOW_UP)
    asked: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or answer)
    if restored:
        call_command("restore", str(place.archive()), stdout=io.StringIO())
        assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_DISCUSSION
    else:
        assert_refused_and_nothing_changed(place, place.archive(), "cancelled", force=False)
    assert len(asked) == 1 and "Type 'restore'" in asked[0]


def test_a_tree_absent_at_backup_time_is_absent_or_empty_after_restore(place: Place) -> None:
    place.attachments.mkdir(parents=True)
    (place.attachments / "0123").write_bytes(b"attachment")
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    call_command("restore", str(place.archive()), force=True, stdout=io.StringIO())
    assert not place.media.exists()
    assert (place.attachments / "0123").read_bytes() == b"attachment"
    (place.media / "later").mkdir(parents=True)
    (place.media / "later" / "file.bin").write_bytes(b"written after the backup")
    call_command("restore", str(place.archive()), force=True, stdout=io.StringIO())
    assert place.media.is_dir() and list(place.media.iterdir()) == []


def test_check_verifies_without_changing_anything(case: Case, place: Place) -> None:
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.FOLLOW_UP)
    rows = database_state()
    out = io.StringIO()
    call_command("restore", str(place.archive()), check=True, stdout=out)
    assert "is whole" in out.getvalue() and "2 file(s)" in out.getvalue()
    assert database_state() == rows


# --- Keys are not in the archive ---------------------------------------------------------------


def test_restore_warns_about_cells_whose_key_file_is_missing(
    world: World, case: Case, place: Place
) -> None:
    call_command("backup", output=place.archive(), stdout=io.StringIO())
    cell_b_file = keys.key_dir() / f"cell-{world.cell_b.pk}.json"
    cell_b_file.rename(place.root / "elsewhere.json")
    out = io.StringIO()
    call_command("restore", str(place.archive()), force=True, stdout=out)
    assert f"Cell {world.cell_b.pk} has no key file" in out.getvalue()
    assert f"Cell {world.cell_a.pk} has no key file" not in out.getvalue()
    assert Case.objects.get(pk=case.pk).subject_family_name == FAMILY_NAME
    restored = AuditEvent.objects.get(action="BACKUP_RESTORED")
    assert restored.data["cells_without_keys"] == 1
