"""Attachments: names, sizes and types checked by content; storage; upload and download."""

import hashlib
import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from casus.access.rules import forget_case_contexts
from casus.audit.models import AccessKind, AccessLog
from casus.audit.selectors import event_values
from casus.cases import attachments as storage
from casus.cases.attachments import UnreadableFile, open_stored
from casus.cases.models import Attachment, Visibility
from casus.cases.services.casefile import attachment_upload, participation_revoke
from casus.core.exceptions import Forbidden, RuleViolation
from tests.conftest import World, ready_client
from tests.helpers import one_audit_event, refused

from .conftest import CaseWorld
from .helpers import CASE_WRITERS, close_behind_the_back, others

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
TEXT = "Verslag van het gesprek met de school.\nCafé, été.\n".encode()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(*extra: tuple[str, bytes]) -> bytes:
    return _zip(
        [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>"), *extra]
    )


def xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "x"  # type: ignore[index]
    workbook.save(buffer)
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", b"<manifest/>")
    return buffer.getvalue()


class RawName(SimpleUploadedFile):
    """An upload whose name is kept exactly as given (Django would strip folders)."""

    def _set_name(self, name: str | None) -> None:
        self._name = name

    def _get_name(self) -> str | None:
        return self._name

    name = property(_get_name, _set_name)  # type: ignore[assignment]


@pytest.fixture
def store(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    directory = tmp_path / "attachments"
    settings.CASUS_ATTACHMENT_DIR = directory
    settings.CASUS_ATTACHMENT_MAX_BYTES = 64 * 1024
    return directory


def stored_files(directory: Path) -> list[Path]:
    return sorted(directory.iterdir()) if directory.exists() else []


def upload(actor, case, name: str, content: bytes, **kwargs):  # type: ignore[no-untyped-def]
    values = {"visibility": Visibility.ALL, "description": "Report", "for_meeting": False}
    values.update(kwargs)
    filename = values.pop("filename", None)
    return attachment_upload(
        actor=actor,
        case=case,
        uploaded_file=SimpleUploadedFile(name, content),
        filename=filename,
        **values,
    )


# --- Accepted types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.JPEG", JPEG, "image/jpeg"),
        ("notes.txt", TEXT, "text/plain; charset=utf-8"),
        ("letter.docx", docx(), storage.DOCX.content_type),
        ("sheet.xlsx", xlsx(), storage.XLSX.content_type),
        ("letter.odt", odt(), storage.ODT.content_type),
    ],
)
def test_upload_accepts_allowed_types_and_stores_outside_the_web_root(
    world: World, cases: CaseWorld, store: Path, name: str, content: bytes, content_type: str
) -> None:
    with one_audit_event("ATTACHMENT_UPLOADED", actor=world.partner1, cell=world.cell_a) as rec:
        attachment = upload(world.partner1, cases.case, name, content, for_meeting=True)
    attachment.refresh_from_db()
    assert attachment.filename == name
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.organisation == world.membership(world.partner1).organisation
    assert attachment.for_meeting is True
    # A random storage name, not the given name; the bytes are those uploaded.
    assert attachment.storage_name != name
    assert name not in attachment.storage_name
    assert stored_files(store) == [store / attachment.storage_name]
    # On disk only encrypted (no plaintext, not even its start); opened with the row's key.
    on_disk = (store / attachment.storage_name).read_bytes()
    assert content[:16] not in on_disk and on_disk.startswith(b"CASUS-ATTACHMENT-1\n")
    with open_stored(attachment.storage_name, attachment.file_key) as handle:
        assert handle.read() == content
    event = rec.event
    assert event is not None
    assert event.case_id == cases.case.pk
    assert event_values(event)["filename"] == [None, name]
    assert event_values(event)["sha256"] == [None, attachment.sha256]
    assert "filename" in event.data["fields"]


def test_police_only_upload_needs_the_police(world: World, cases: CaseWorld, store: Path) -> None:
    with refused(RuleViolation, match="police"):
        upload(world.coordinator, cases.case, "a.pdf", PDF, visibility=Visibility.POLICE)
    attachment = upload(world.information_officer, cases.case, "a.pdf", PDF, visibility="police")
    assert attachment.visibility == Visibility.POLICE


@pytest.mark.parametrize("who", others(*CASE_WRITERS))
def test_upload_refused_to_roles_that_may_not_write(
    world: World, cases: CaseWorld, store: Path, who: str
) -> None:
    with refused(Forbidden):
        upload(getattr(world, who), cases.case, "a.pdf", PDF)
    assert stored_files(store) == []


@pytest.mark.parametrize("who", ["coordinator", "information_officer"])
def test_upload_allowed_to_dossier_roles(
    world: World, cases: CaseWorld, store: Path, who: str
) -> None:
    assert upload(getattr(world, who), cases.other, "a.pdf", PDF).pk


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        # Oversize (limit 64 KiB in these tests).
        ("big.pdf", PDF + b"0" * 70_000, "too large"),
        # HTML renamed to .pdf, to .txt, to .png.
        ("report.pdf", HTML, "web page or a script"),
        ("notes.txt", b"Hello\n<script>alert(1)</script>\n", "web page or a script"),
        ("notes.txt", b"  <svg onload=alert(1)></svg>", "web page or a script"),
        ("image.png", HTML, "web page or a script"),
        # Unknown or disallowed content.
        ("report.pdf", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not of an allowed type"),
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "not of an allowed type"),
        ("notes.txt", b"\xff\xfe\x00\x00binary", "not of an allowed type"),
        ("notes.txt", "latin-1 café".encode("latin-1"), "not of an allowed type"),
        ("letter.docx", _zip([("a.txt", b"x")]), "not of an allowed type"),
        ("letter.docx", docx(("word/vbaProject.bin", b"x")), "macros"),
        ("letter.docx", b"PK\x03\x04 broken zip", "not of an allowed type"),
        # Content and extension disagree.
        ("photo.pdf", PNG, "content is PNG"),
        ("report.txt", PDF, "content is PDF"),
        ("sheet.docx", xlsx(), "content is XLSX"),
        # Extension not allowed at all, empty file.
        ("page.html", HTML, "cannot be attached"),
        ("tool.exe", b"MZ", "cannot be attached"),
        ("noextension", PDF, "cannot be attached"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_upload_refuses_by_content(
    world: World, cases: CaseWorld, store: Path, name: str, content: bytes, match: str
) -> None:
    with refused(RuleViolation, match=match):
        upload(world.partner1, cases.case, name, content)
    assert stored_files(store) == []
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("../report.pdf", "plain name"),
        ("../../etc/passwd.pdf", "plain name"),
        ("..\\report.pdf", "plain name"),
        ("dir/report.pdf", "plain name"),
        ("/etc/report.pdf", "plain name"),
        ("C:\\Temp\\report.pdf", "plain name"),
        ("C:report.pdf", "plain name"),
        ("..", "plain name"),
        (".hidden.pdf", "plain name"),
        ("report\x00.pdf", "control characters"),
        ("report\n.pdf", "control characters"),
        ("report\x1b.pdf", "control characters"),
        ("report\u202efdp.txt", "control characters"),
        ("", "no name"),
        ("   ", "no name"),
        (" report.pdf", "spaces"),
        ("a" * 200 + ".pdf", "too long"),
    ],
)
def test_upload_refuses_path_tricks_in_names(
    world: World, cases: CaseWorld, store: Path, name: str, match: str
) -> None:
    with refused(RuleViolation, match=match):
        upload(world.partner1, cases.case, "report.pdf", PDF, filename=name)
    # Also when the trick is in the uploaded file's own name (not only the sent name).
    with refused(RuleViolation, match=match):
        attachment_upload(
            actor=world.partner1,
            case=cases.case,
            uploaded_file=RawName(name, PDF),
            visibility=Visibility.ALL,
            description="",
            for_meeting=False,
        )
    assert stored_files(store) == []


@given(st.text(min_size=1, max_size=40))
def test_accepted_names_are_plain(name: str) -> None:
    try:
        accepted = storage.check_filename(name)
    except RuleViolation:
        return
    assert accepted == name
    assert "/" not in name and "\\" not in name and ":" not in name
    assert not name.startswith(".")
    assert all(ord(char) >= 32 for char in name)


def test_storage_names_are_never_paths(store: Path) -> None:
    for bad in ("../x", "/etc/passwd", "abc", "A" * 32):
        with pytest.raises(ValueError, match="storage name"):
            storage.attachment_path(bad)


# --- Views ------------------------------------------------------------------------------------


def _multipart_files(*files: tuple[str, str, bytes], **fields: str) -> tuple[bytes, str]:
    """A multipart body with several (field, filename, content) files, names exactly as given
    (the test client strips folders)."""
    boundary = "----casus-test-boundary"
    parts = []
    for key, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{key}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for field, filename, content in files:
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _multipart(filename: str, content: bytes, **fields: str) -> tuple[bytes, str]:
    """A multipart body with one attachment, ``filename`` exactly as given."""
    return _multipart_files(("file", filename, content), **fields)


def test_upload_view_accepts_and_lists(world: World, cases: CaseWorld, store: Path) -> None:
    client = ready_client(world.partner1)
    url = reverse("cases:attachments", args=[cases.case.pk])
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("report.pdf", PDF),
            "visibility": "all",
            "description": "School report",
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    page = client.get(url).content.decode()
    assert "report.pdf" in page
    assert reverse("cases:attachment_download", args=[cases.case.pk, attachment.pk]) in page
    # No police-only choice for a non-police member.
    assert 'value="police"' not in page


@pytest.mark.parametrize(
    "filename", ["../../report.pdf", "..\\report.pdf", "/etc/report.pdf", "..", "re\x01port.pdf"]
)
def test_upload_view_refuses_path_tricks_instead_of_rewriting(
    world: World, cases: CaseWorld, store: Path, filename: str
) -> None:
    client = ready_client(world.partner1)
    body, content_type = _multipart(filename, PDF, visibility="all", description="")
    response = client.generic(
        "POST", reverse("cases:attachments", args=[cases.case.pk]), body, content_type=content_type
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "plain name" in page or "control characters" in page
    assert not Attachment.objects.exists()
    assert stored_files(store) == []


def test_upload_view_shows_refusals(world: World, cases: CaseWorld, store: Path) -> None:
    client = ready_client(world.partner1)
    response = client.post(
        reverse("cases:attachments", args=[cases.case.pk]),
        {"file": SimpleUploadedFile("report.pdf", HTML), "visibility": "all"},
    )
    assert response.status_code == 200
    assert "web page or a script" in response.content.decode()
    assert not Attachment.objects.exists()


def test_upload_view_is_404_for_readers_who_may_not_write(
    world: World, cases: CaseWorld, store: Path
) -> None:
    for user in (world.partner2, world.member_b, world.dpo):
        response = ready_client(user).post(
            reverse("cases:attachments", args=[cases.case.pk]),
            {"file": SimpleUploadedFile("report.pdf", PDF), "visibility": "all"},
        )
        assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_download_is_checked_logged_and_served_as_attachment(
    world: World, cases: CaseWorld, store: Path
) -> None:
    attachment = upload(world.partner1, cases.case, "report.pdf", PDF)
    url = reverse("cases:attachment_download", args=[cases.case.pk, attachment.pk])
    response = ready_client(world.coordinator).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    log = AccessLog.objects.get(kind=AccessKind.ATTACHMENT)
    assert log.actor == world.coordinator
    assert log.case_id == cases.case.pk
    assert log.object_id == str(attachment.pk)


def test_download_404_for_non_participants_and_after_revocation(
    world: World, cases: CaseWorld, store: Path
) -> None:
    attachment = upload(world.coordinator, cases.case, "report.pdf", PDF)
    download = reverse("cases:attachment_download", args=[cases.case.pk, attachment.pk])
    listing = reverse("cases:attachments", args=[cases.case.pk])
    for user in (
        world.partner2,
        world.chair,
        world.strategic,
        world.dpo,
        world.cell_admin,
        world.member_b,
    ):
        client = ready_client(user)
        assert client.get(download).status_code == 404
        assert client.get(listing).status_code == 404
    assert not AccessLog.objects.filter(kind=AccessKind.ATTACHMENT).exists()
    partner1 = ready_client(world.partner1)
    assert partner1.get(download).status_code == 200
    # The school stops taking part (after another lead partner is chosen).
    cases.case.lead_organisation = None
    cases.case.save()
    participation_revoke(
        actor=world.coordinator, participation=cases.case.participations.get(), reason="Done."
    )
    forget_case_contexts(world.partner1)
    assert partner1.get(download).status_code == 404
    assert partner1.get(listing).status_code == 404


def test_attachment_visibility(world: World, cases: CaseWorld, store: Path) -> None:
    own = upload(world.partner1, cases.case, "own.pdf", PDF, visibility="own_organisation")
    police = upload(world.information_officer, cases.case, "police.pdf", PDF, visibility="police")
    url = "cases:attachment_download"

    def status(user, attachment) -> int:  # type: ignore[no-untyped-def]
        return int(
            ready_client(user).get(reverse(url, args=[cases.case.pk, attachment.pk])).status_code
        )

    assert status(world.partner1, own) == 200
    assert status(world.coordinator, own) == 404
    assert status(world.information_officer, own) == 404
    assert status(world.information_officer, police) == 200
    assert status(world.coordinator, police) == 404
    assert status(world.partner1, police) == 404
    listing = ready_client(world.coordinator).get(
        reverse("cases:attachments", args=[cases.case.pk])
    )
    assert "own.pdf" not in listing.content.decode()
    assert "police.pdf" not in listing.content.decode()


def test_a_swapped_or_damaged_file_is_404_not_500(
    world: World, cases: CaseWorld, store: Path
) -> None:
    first = upload(world.partner1, cases.case, "report.pdf", PDF)
    second = upload(world.partner1, cases.case, "other.txt", b"Other notes.\n")
    # Another attachment's file in its place: the key and the name binding refuse it.
    (store / first.storage_name).write_bytes((store / second.storage_name).read_bytes())
    url = reverse("cases:attachment_download", args=[cases.case.pk, first.pk])
    assert ready_client(world.partner1).get(url).status_code == 404
    (store / first.storage_name).write_bytes(b"CASUS-ATTACHMENT-1\n" + b"\0" * 40)
    assert ready_client(world.partner1).get(url).status_code == 404
    with pytest.raises(UnreadableFile):
        open_stored(first.storage_name, second.file_key)


def test_download_of_a_missing_file_is_404(world: World, cases: CaseWorld, store: Path) -> None:
    attachment = upload(world.partner1, cases.case, "report.pdf", PDF)
    (store / attachment.storage_name).unlink()
    url = reverse("cases:attachment_download", args=[cases.case.pk, attachment.pk])
    assert ready_client(world.partner1).get(url).status_code == 404


def test_attachment_list_logs_the_read(world: World, cases: CaseWorld, store: Path) -> None:
    ready_client(world.partner1).get(reverse("cases:attachments", args=[cases.case.pk]))
    assert AccessLog.objects.filter(
        actor=world.partner1, case_id=cases.case.pk, kind=AccessKind.JOURNAL
    ).exists()


def test_path_tricks_are_refused_with_the_csrf_check_on(
    world: World, cases: CaseWorld, store: Path
) -> None:
    """The CSRF check reads the form too; the names must still be seen as sent."""
    client = ready_client(world.partner1)
    client.handler.enforce_csrf_checks = True
    listing = reverse("cases:attachments", args=[cases.case.pk])
    client.get(listing)
    token = client.cookies["csrftoken"].value
    body, content_type = _multipart(
        "../../report.pdf", PDF, csrfmiddlewaretoken=token, visibility="all", description=""
    )
    response = client.generic("POST", listing, body, content_type=content_type)
    assert response.status_code == 200
    assert "plain name" in response.content.decode()
    assert not Attachment.objects.exists()
    # Without the token: refused by the CSRF check.
    body, content_type = _multipart("report.pdf", PDF, visibility="all", description="")
    assert client.generic("POST", listing, body, content_type=content_type).status_code == 403
    # With the token and a plain name: stored.
    body, content_type = _multipart(
        "report.pdf", PDF, csrfmiddlewaretoken=token, visibility="all", description=""
    )
    assert client.generic("POST", listing, body, content_type=content_type).status_code == 302
    assert Attachment.objects.get().filename == "report.pdf"


def test_attachment_list_queries_do_not_grow(world: World, cases: CaseWorld, store: Path) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = ready_client(world.partner1)
    listing = reverse("cases:attachments", args=[cases.case.pk])
    client.get(listing)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(listing).status_code == 200
        return len(queries)

    for _ in range(2):
        upload(world.partner1, cases.case, "a.pdf", PDF)
    small = count()
    for _ in range(18):
        upload(world.coordinator, cases.case, "b.png", PNG)
    assert count() == small
    assert Attachment.objects.count() == 20


# --- Bounded reads of office files ------------------------------------------------------------


def _odt_with_mimetype(mimetype: bytes, padding: int = 0) -> bytes:
    """An ODT-shaped zip; ``padding`` random (incompressible) bytes keep the zip large enough
    that the overall expansion limit lets a large ``mimetype`` member through to its check."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", b"<office:document-content/>")
        if padding:
            archive.writestr("Pictures/noise.bin", os.urandom(padding))
    return buffer.getvalue()


@pytest.fixture
def decompressed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many bytes the content check decompressed, per read."""
    reads: list[int] = []
    original = zipfile.ZipExtFile.read

    def counting(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        data = original(self, n)
        reads.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return reads


def test_a_huge_mimetype_member_is_refused_without_decompressing_it(
    decompressed: list[int],
) -> None:
    """A small upload whose ``mimetype`` member declares megabytes (zeros compress ~1000:1)
    is refused from the declared size: nothing of it is decompressed."""
    bomb = _odt_with_mimetype(storage.ODT.content_type.encode() + b" " * 5_000_000, 60_000)
    assert len(bomb) < 100_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("mimetype").file_size > 5_000_000
    with pytest.raises(RuleViolation, match="not of an allowed type"):
        storage.detect_kind(io.BytesIO(bomb), len(bomb))
    assert sum(decompressed) <= 64


def test_the_mimetype_member_is_read_in_a_bounded_way(decompressed: list[int]) -> None:
    # Exactly the type: accepted, reading a few bytes.
    odt_file = _odt_with_mimetype(storage.ODT.content_type.encode())
    assert storage.detect_kind(io.BytesIO(odt_file), len(odt_file)) == storage.ODT
    assert 0 < sum(decompressed) <= 64
    # The type followed by more than fits in 64 bytes: not an OpenDocument file.
    padded = _odt_with_mimetype(storage.ODT.content_type.encode() + b" " * 30)
    with pytest.raises(RuleViolation, match="not of an allowed type"):
        storage.detect_kind(io.BytesIO(padded), len(padded))


# --- The name sent with THE file --------------------------------------------------------------


def _post_files(world: World, cases: CaseWorld, *files: tuple[str, str, bytes]):  # type: ignore[no-untyped-def]
    body, content_type = _multipart_files(*files, visibility="all", description="")
    return ready_client(world.partner1).generic(
        "POST", reverse("cases:attachments", args=[cases.case.pk]), body, content_type=content_type
    )


def test_the_name_checked_is_the_one_sent_with_the_file_field(
    world: World, cases: CaseWorld, store: Path
) -> None:
    # Another file field with a plain name first, the attachment with a path: refused.
    response = _post_files(world, cases, ("other", "report.pdf", PDF), ("file", "../x.pdf", PDF))
    assert response.status_code == 200
    assert "plain name" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(store) == []
    # A path only in another field's name does not matter: the attachment keeps its own name.
    response = _post_files(
        world, cases, ("other", "../../evil.pdf", PDF), ("file", "minutes.pdf", PDF)
    )
    assert response.status_code == 302
    assert Attachment.objects.get().filename == "minutes.pdf"


def test_one_file_at_a_time(world: World, cases: CaseWorld, store: Path) -> None:
    response = _post_files(world, cases, ("file", "a.pdf", PDF), ("file", "b.pdf", PDF))
    assert response.status_code == 200
    assert "one file at a time" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(store) == []


def test_an_upload_after_a_concurrent_close_is_refused(
    world: World, cases: CaseWorld, store: Path
) -> None:
    stale = cases.case
    close_behind_the_back(stale)
    with refused(RuleViolation, match="closed"):
        upload(world.partner1, stale, "report.pdf", PDF)
    assert stored_files(store) == []
    assert not Attachment.objects.exists()


def test_files_stored_before_encryption_are_sealed_in_place(
    world: World, cases: CaseWorld, store: Path
) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("casus.cases.migrations.0005_attachment_files_encrypted")
    attachment = upload(world.partner1, cases.case, "report.pdf", PDF)
    # As before encryption: the file in clear, no key.
    path = store / attachment.storage_name
    with open_stored(attachment.storage_name, attachment.file_key) as handle:
        path.write_bytes(handle.read())
    Attachment.objects.filter(pk=attachment.pk).update(file_key="")
    assert path.read_bytes() == PDF
    migration.seal_files(apps, None)
    attachment.refresh_from_db()
    assert attachment.file_key and not path.read_bytes().startswith(b"%PDF-")
    with open_stored(attachment.storage_name, attachment.file_key) as handle:
        assert handle.read() == PDF
    # And back.
    migration.open_files(apps, None)
    assert path.read_bytes() == PDF
