"""Attachment storage: file names, content checks and the files outside the web root.

An upload is accepted only when its name is a plain file name (path tricks are refused, not
rewritten), its size is within ``CASUS_ATTACHMENT_MAX_BYTES``, and its CONTENT is one of the
allowed types — whatever the name says — with an extension that matches that content. Files
are stored under ``CASUS_ATTACHMENT_DIR`` with a random name; the database keeps the shown
name, the content type, the size and the SHA-256.
"""

import base64
import hashlib
import io
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import puremagic
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from casus.core.exceptions import RuleViolation

#: Longest accepted file name (characters); the model keeps 160.
MAX_NAME_LENGTH = 150
#: How much of a file is read to recognise its type.
_HEAD_BYTES = 8192
#: An office file (a zip) may hold at most this many members and this much uncompressed data.
_ZIP_MAX_MEMBERS = 5000
_ZIP_MAX_RATIO = 100
#: The largest ``mimetype`` member of an OpenDocument file that is read (it holds one line).
_ZIP_MIMETYPE_MAX = 64
#: Where ``keep_sent_file_names`` leaves the names on the request.
_SENT_NAMES = "_casus_sent_file_names"
#: A storage name: 32 hex digits and nothing else (never a path).
_STORAGE_NAME = re.compile(r"^[0-9a-f]{32}$")
#: Text that a browser could take for a web page or a script.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|iframe|frame|object|embed|svg|math|style|meta|"
    rb"link|base|form|img|a\s|\?xml)|javascript\s*:|vbscript\s*:",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FileKind:
    """An allowed type of attachment."""

    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = FileKind("application/pdf", (".pdf",), "PDF")
PNG = FileKind("image/png", (".png",), "PNG")
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), "JPEG")
TEXT = FileKind("text/plain; charset=utf-8", (".txt",), "text")
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "DOCX"
)
XLSX = FileKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "XLSX"
)
ODT = FileKind("application/vnd.oasis.opendocument.text", (".odt",), "ODT")

ALLOWED_KINDS = (PDF, PNG, JPEG, TEXT, DOCX, XLSX, ODT)
ALLOWED_EXTENSIONS = frozenset(ext for kind in ALLOWED_KINDS for ext in kind.extensions)
#: The ``accept`` attribute of the upload field (a hint to the browser; the server decides).
ACCEPT = ",".join(sorted(ALLOWED_EXTENSIONS))


class Upload(Protocol):
    """What the storage needs of an uploaded file (Django's ``UploadedFile`` has it)."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


@dataclass(frozen=True)
class StoredFile:
    """A file written to the attachment directory, not yet recorded in the database."""

    storage_name: str
    filename: str
    content_type: str
    size: int
    sha256: str
    # The file's own AES-256 key (base64); the row keeps it sealed under the cell's key.
    file_key: str


def _allowed_list() -> str:
    return ", ".join(sorted(ALLOWED_EXTENSIONS))


# --- File names -------------------------------------------------------------------------------


def check_filename(name: str | None) -> str:
    """Return ``name`` if it is a plain, allowed file name; refuse it otherwise.

    Nothing is rewritten: a name with a path, a control character or a wrong extension is
    refused with a message, so the person knows what happened to their file.
    """
    if name is None or not name.strip():
        raise RuleViolation(_("The file has no name. Give it a name and upload it again."))
    if len(name) > MAX_NAME_LENGTH or len(name.encode("utf-8")) > 255:
        raise RuleViolation(
            _("The file name is too long (at most %(max)d characters). Rename it and try again.")
            % {"max": MAX_NAME_LENGTH}
        )
    # NUL, line breaks, other control and invisible formatting characters (e.g. right-to-left
    # overrides that disguise an extension).
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise RuleViolation(
            _("The file name contains control characters. Rename the file and try again.")
        )
    # Paths: separators, parent directories, drive letters and absolute paths.
    if (
        "/" in name
        or "\\" in name
        or ":" in name
        or name.strip() in {".", ".."}
        or name.startswith((".", "~"))
    ):
        raise RuleViolation(
            _(
                "The file name must be a plain name without folders, drive letters or "
                'leading dots ("../", "..\\\\", "/", "C:" are refused). Rename the file '
                "and try again."
            )
        )
    if name != name.strip():
        raise RuleViolation(
            _("The file name starts or ends with spaces. Rename the file and try again.")
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise RuleViolation(
            _("Files of this type cannot be attached. Allowed: %(allowed)s.")
            % {"allowed": _allowed_list()}
        )
    return name


#: The name under which a file whose sent name Django would drop ("..", "/") is kept, so that
#: its field still maps to the name as sent (which ``check_filename`` then refuses).
_DROPPED_NAME = "unnamed"


class _SentNameRecorder(FileUploadHandler):
    """The first upload handler: files each name as sent under its form field."""

    def __init__(self, request: HttpRequest, pending: list[str], sent: dict[str, list[str]]):
        super().__init__(request)
        self.pending = pending
        self.sent = sent

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        # ``sanitize_file_name`` has just put this part's name as sent in ``pending``.
        raw = self.pending.pop() if self.pending else file_name
        self.sent.setdefault(field_name, []).append(raw)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # the next handlers store the data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers make the file


def keep_sent_file_names(request: HttpRequest) -> dict[str, list[str]]:
    """Make ``request`` remember each upload's file name as the browser sent it, per field.

    Django strips folders and control characters from uploaded file names before any view sees
    them; call this before anything reads ``request.POST``/``request.FILES`` (the CSRF check
    does: see the attachments view) so that the view can refuse such names instead of
    accepting a silently rewritten one. ``sent_file_name`` returns them afterwards.
    """
    pending: list[str] = []
    sent: dict[str, list[str]] = {}

    class NameKeepingParser(MultiPartParser):
        def sanitize_file_name(self, file_name: str) -> str | None:
            pending[:] = [file_name]
            clean: str | None = super().sanitize_file_name(file_name)
            # A name Django would drop (the file with it) is kept under a placeholder, so the
            # file stays in its field and the name as sent is refused with a reason.
            return clean or _DROPPED_NAME

    request.multipart_parser_class = NameKeepingParser  # type: ignore[assignment]
    request.upload_handlers.insert(0, _SentNameRecorder(request, pending, sent))
    setattr(request, _SENT_NAMES, sent)  # noqa: B010 — an attribute of our own on the request
    return sent


def sent_file_name(request: HttpRequest, field: str) -> str | None:
    """The name as sent of the file in form field ``field`` (None if ``keep_sent_file_names``
    did not run or no file came in that field); refuses several files in one field."""
    sent: dict[str, list[str]] = getattr(request, _SENT_NAMES, {})
    names = sent.get(field, [])
    if len(names) > 1:
        raise RuleViolation(_("Attach one file at a time."))
    return names[0] if names else None


# --- Content ----------------------------------------------------------------------------------


def _not_allowed() -> RuleViolation:
    return RuleViolation(
        _(
            "The content of this file is not of an allowed type (%(allowed)s). Save it as PDF "
            "and try again."
        )
        % {"allowed": _allowed_list()}
    )


def _markup() -> RuleViolation:
    return RuleViolation(
        _(
            "This file contains a web page or a script (HTML, SVG, XML or JavaScript), whatever "
            "its name says. Such files cannot be attached; save it as PDF and try again."
        )
    )


def _magic_mime_types(head: bytes) -> set[str]:
    """The content types the ``puremagic`` signature database sees in ``head``."""
    try:
        return {match.mime_type for match in puremagic.magic_string(head) if match.mime_type}
    except (puremagic.PureError, ValueError):
        return set()


def _office_kind(file: IO[bytes], size: int) -> FileKind:
    """DOCX, XLSX or ODT: a zip with the internal structure of that format, else refuse."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            total = sum(member.file_size for member in members)
            if len(members) > _ZIP_MAX_MEMBERS or total > max(size, 1) * _ZIP_MAX_RATIO:
                raise _not_allowed()
            # Macro-enabled documents (scripts inside office files) are refused.
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise RuleViolation(
                    _("Office files with macros cannot be attached. Save it without macros.")
                )
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return XLSX
            if members and members[0].filename == "mimetype" and "content.xml" in names:
                # Read at most a few bytes, whatever size the member claims (no zip bomb).
                mimetype = members[0]
                if mimetype.file_size <= _ZIP_MIMETYPE_MAX and (
                    _read_member(archive, mimetype).strip() == ODT.content_type.encode()
                ):
                    return ODT
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise _not_allowed() from None
    raise _not_allowed()


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """At most ``_ZIP_MIMETYPE_MAX`` bytes of ``member``, decompressing no more than that."""
    with archive.open(member) as stream:
        return stream.read(_ZIP_MIMETYPE_MAX)


def _text_kind(file: IO[bytes]) -> FileKind:
    """Plain UTF-8 text without markup, else refuse."""
    file.seek(0)
    data = file.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_allowed() from None
    if any(unicodedata.category(char) == "Cc" and char not in "\t\n\r\f" for char in text):
        raise _not_allowed()
    if _MARKUP.search(data):
        raise _markup()
    return TEXT


def detect_kind(file: IO[bytes], size: int) -> FileKind:
    """Recognise an allowed type from the content of ``file`` (seekable); refuse any other."""
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    magic = _magic_mime_types(head)
    # Web pages, scripts and XML (incl. SVG) are refused first, whatever the name says.
    if magic & {"text/html", "image/svg+xml", "text/xml", "application/xml"}:
        raise _markup()
    if head.startswith(b"%PDF-") and "application/pdf" in magic:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n") and "image/png" in magic:
        return PNG
    if head.startswith(b"\xff\xd8\xff") and "image/jpeg" in magic:
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        file.seek(0)
        return _office_kind(file, size)
    if _MARKUP.search(head):
        raise _markup()
    # Anything else with a known signature, or binary, is not plain text.
    if magic - {"text/plain", "application/json"} or b"\x00" in head:
        raise _not_allowed()
    return _text_kind(file)


def check_extension(filename: str, kind: FileKind) -> None:
    """The name's extension must be one of the detected type's."""
    extension = os.path.splitext(filename)[1].lower()
    if extension not in kind.extensions:
        raise RuleViolation(
            _(
                "The file name ends in %(extension)s but its content is %(kind)s. Give the file "
                "the right extension (%(expected)s) and try again."
            )
            % {
                "extension": extension,
                "kind": kind.label,
                "expected": ", ".join(kind.extensions),
            }
        )


# --- Storage ----------------------------------------------------------------------------------


def attachment_dir() -> Path:
    """The attachment directory (created, private to the application user)."""
    directory = Path(settings.CASUS_ATTACHMENT_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def attachment_path(storage_name: str) -> Path:
    """The file of ``storage_name``; refuses anything that is not a generated name."""
    if not _STORAGE_NAME.match(storage_name):
        raise ValueError("not a storage name")
    return attachment_dir() / storage_name


def _too_big(limit: int) -> RuleViolation:
    return RuleViolation(
        _("The file is too large: at most %(limit)s may be attached.")
        % {"limit": filesizeformat(limit)}
    )


def _copy(chunks: Iterable[bytes], target: IO[bytes], limit: int) -> tuple[int, str]:
    """Copy ``chunks`` into ``target``; return (size, sha256); refuse past ``limit`` bytes."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise _too_big(limit)
        digest.update(chunk)
        target.write(chunk)
    return size, digest.hexdigest()


#: What an encrypted attachment file starts with (then the 12-byte nonce and the ciphertext).
_MAGIC = b"CASUS-ATTACHMENT-1\n"
_NONCE_BYTES = 12


class UnreadableFile(ValueError):
    """A stored file that does not open with its key (damaged, swapped or foreign)."""


def _seal_file(plaintext: bytes, storage_name: str) -> tuple[bytes, str]:
    """Encrypt a file's content under a fresh key bound to its storage name; return the bytes
    to write and the key (base64)."""
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, storage_name.encode())
    return _MAGIC + nonce + sealed, base64.b64encode(key).decode()


def _open_file(data: bytes, storage_name: str, file_key: str) -> bytes:
    if not data.startswith(_MAGIC):
        raise UnreadableFile("not an encrypted attachment")
    nonce = data[len(_MAGIC) : len(_MAGIC) + _NONCE_BYTES]
    try:
        return AESGCM(base64.b64decode(file_key)).decrypt(
            nonce, data[len(_MAGIC) + _NONCE_BYTES :], storage_name.encode()
        )
    except (InvalidTag, ValueError) as error:
        raise UnreadableFile("the attachment does not open with its key") from error


def store_upload(upload: Upload, *, filename: str | None = None) -> StoredFile:
    """Check ``upload`` (name, size, content) and write it, encrypted, under a random name.

    ``filename`` is the name as the browser sent it (see ``keep_sent_file_names``); it
    defaults to ``upload.name``. The content is checked in memory and written only encrypted
    under its own key (returned, for the row to keep sealed under the cell's key), so no
    plaintext reaches the disk. Raises RuleViolation with the reason when refused; nothing is
    left on disk then. The caller removes the file (``discard``) if its transaction fails.
    """
    name = check_filename(filename if filename is not None else upload.name)
    limit = int(settings.CASUS_ATTACHMENT_MAX_BYTES)
    if upload.size is not None and upload.size > limit:
        raise _too_big(limit)
    storage_name = secrets.token_hex(16)
    path = attachment_path(storage_name)
    partial = path.with_suffix(".part")
    # In memory up to the limit (the copy refuses anything larger).
    with tempfile.SpooledTemporaryFile(max_size=limit + 1) as buffer:
        size, sha256 = _copy(upload.chunks(), buffer, limit)
        if size == 0:
            raise RuleViolation(_("The file is empty."))
        kind = detect_kind(buffer, size)
        check_extension(name, kind)
        buffer.seek(0)
        sealed, file_key = _seal_file(buffer.read(), storage_name)
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as target:
            target.write(sealed)
        os.replace(partial, path)
    except BaseException:
        with suppress(FileNotFoundError):
            partial.unlink()
        raise
    return StoredFile(
        storage_name=storage_name,
        filename=name,
        content_type=kind.content_type,
        size=size,
        sha256=sha256,
        file_key=file_key,
    )


def open_stored(storage_name: str, file_key: str) -> IO[bytes]:
    """Open a stored attachment for reading, decrypted (FileNotFoundError when it is gone,
    UnreadableFile when it does not open with its key). A file stored before encryption has
    no key and is read as it is."""
    path = attachment_path(storage_name)
    if not file_key:
        return path.open("rb")
    return io.BytesIO(_open_file(path.read_bytes(), storage_name, file_key))


def seal_stored(storage_name: str) -> str:
    """Encrypt a file stored in clear before encryption existed, in place; return its key."""
    path = attachment_path(storage_name)
    sealed, file_key = _seal_file(path.read_bytes(), storage_name)
    partial = path.with_suffix(".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as target:
        target.write(sealed)
    os.replace(partial, path)
    return file_key


def discard(storage_name: str) -> None:
    """Remove a stored file (after a failed transaction)."""
    with suppress(FileNotFoundError, ValueError):
        attachment_path(storage_name).unlink()
