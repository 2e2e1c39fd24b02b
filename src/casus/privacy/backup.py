"""Encrypted backups of the database and the file trees, and their restore (ADR 0021).

An archive is a tar stream: the database dump (SQLite's backup API, or ``pg_dump --format=
custom``), the attachment and media trees, and last ``manifest.json`` (format, creation time,
database vendor, applied migrations, size and sha256 of every member). The stream is encrypted
with AES-256-GCM in chunks of ``CHUNK_BYTES``; each chunk has its own random nonce, and its
associated data is the file header, the chunk's index and whether it is the last one, so a chunk
that is altered, dropped, moved or cut off at the end is refused (a STREAM construction).

The key comes from ``CASUS_BACKUP_KEY`` through HKDF-SHA256 with a random salt per archive; the
header also carries a second HKDF output, so a wrong key is told apart from a damaged archive.
It is not a field key: the dump keeps every sealed value as it is in the database, and the field
keys (``CASUS_KEY_DIR``) are never part of an archive.

A restore decrypts and checks the whole archive into a staging area before it changes anything;
then it replaces the database (SQLite: the backup API; PostgreSQL: ``pg_restore``'s script run by
``psql`` in one transaction) and swaps the content of each file tree by renaming.
"""

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import struct
import subprocess  # nosec B404
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO, UnsupportedOperation
from pathlib import Path, PurePosixPath
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from casus.access.models import Cell
from casus.audit.services import audit_record

from . import keys

FORMAT = 1
MAGIC = b"CASUSBK\n"
CHUNK_BYTES = 1024 * 1024
MIN_SECRET_CHARS = 32
MANIFEST = "manifest.json"
NONCE_BYTES = 12
TAG_BYTES = 16
_MAX_CHUNK_BYTES = 64 * 1024 * 1024
_HEADER = struct.Struct(">8sBI16s32s")  # magic, format, chunk size, salt, key check
_INFO = b"casus-backup-v1"
_COPY_BYTES = 1024 * 1024
_STAGING = ".casus-restore-"
_REPLACED = ".casus-replaced-"
_MANIFEST_KEYS = {
    "created_at",
    "vendor",
    "database",
    "migrations",
    "trees",
    "directories",
    "members",
}
_DATABASE = {"sqlite": "database/casus.sqlite3", "postgresql": "database/casus.pgdump"}
# psql runs this before pg_restore's script, in the same transaction: it removes what the
# archive may not know (tables of newer migrations), so the schema becomes the archive's own.
_PG_CLEAR = """
SET client_min_messages = warning;
SET lock_timeout = '30s';
DO $$
DECLARE item record;
BEGIN
    FOR item IN
        SELECT format('%I.%I', n.nspname, c.relname) AS name,
               CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                              WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                              ELSE 'TABLE' END AS kind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          -- extension members stay; identity and serial sequences go with their table
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.objid = c.oid AND d.deptype IN ('e', 'i', 'a'))
    LOOP
        EXECUTE format('DROP %s IF EXISTS %s CASCADE', item.kind, item.name);
    END LOOP;
    FOR item IN
        SELECT format('%I.%I(%s)', n.nspname, p.proname,
                      pg_get_function_identity_arguments(p.oid)) AS name
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', item.name);
    END LOOP;
END $$;
"""


class BackupError(RuntimeError):
    """The archive cannot be written, read or restored; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    size: int
    sha256: str
    files: int
    skipped: int


@dataclass(frozen=True)
class RestoreSummary:
    created_at: str
    vendor: str
    sha256: str
    files: int
    cells_without_keys: list[int]


# --- Keys and chunked encryption ---------------------------------------------------------------


def _secret() -> str:
    secret = str(settings.CASUS_BACKUP_KEY or "")
    if not secret:
        raise BackupError(
            "CASUS_BACKUP_KEY is not set: give it a long random value, kept apart from the "
            "archives and from the key directory"
        )
    if len(secret) < MIN_SECRET_CHARS:
        raise BackupError(f"CASUS_BACKUP_KEY must be at least {MIN_SECRET_CHARS} random characters")
    return secret


def _derive(secret: str, salt: bytes) -> tuple[bytes, bytes]:
    """Return the archive's AES-256 key and the value that tells whether a key is the right one."""
    material = HKDF(algorithm=SHA256(), length=64, salt=salt, info=_INFO).derive(secret.encode())
    return material[:32], material[32:]


def _associated(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">QB", index, int(final))


class _Unseekable:
    """The rest of the file-object protocol that tarfile's stream mode never uses."""

    def read(self, size: int = -1, /) -> bytes:
        raise UnsupportedOperation("read")

    def write(self, data: bytes, /) -> int:
        raise UnsupportedOperation("write")

    def tell(self) -> int:
        raise UnsupportedOperation("tell")

    def seek(self, position: int, /) -> int:
        raise UnsupportedOperation("seek")

    def close(self) -> None:
        """Leave the underlying file open: its owner closes it."""


class _SealingWriter(_Unseekable):
    """Encrypt what is written to it, chunk by chunk, into ``handle``."""

    def __init__(self, handle: IO[bytes], *, key: bytes, header: bytes) -> None:
        self._handle = handle
        self._aead = AESGCM(key)
        self._header = header
        self._buffer = bytearray()
        self._index = 0
        self.digest = hashlib.sha256(header)
        self.size = len(header)
        handle.write(header)

    def write(self, data: bytes, /) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK_BYTES:
            self._seal(bytes(self._buffer[:CHUNK_BYTES]), final=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def finish(self) -> None:
        """Write the last chunk, marked as such: without it the archive reads as truncated."""
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()

    def _seal(self, plain: bytes, *, final: bool) -> None:
        nonce = os.urandom(NONCE_BYTES)
        ad = _associated(self._header, self._index, final)
        record = nonce + self._aead.encrypt(nonce, plain, ad)
        self._handle.write(record)
        self.digest.update(record)
        self.size += len(record)
        self._index += 1


class _OpeningReader(_Unseekable):
    """Decrypt an archive's chunks in order, refusing any chunk that does not authenticate."""

    def __init__(self, handle: IO[bytes], *, key: bytes, header: bytes, chunk_bytes: int) -> None:
        self._handle = handle
        self._aead = AESGCM(key)
        self._header = header
        self._record = NONCE_BYTES + chunk_bytes + TAG_BYTES
        self._index = 0
        self._plain = b""
        self._offset = 0
        self._done = False
        self.digest = hashlib.sha256(header)
        self._pending = handle.read(self._record)
        if not self._pending:
            raise BackupError("the archive is truncated: it holds no data after its header")

    def read(self, size: int = -1, /) -> bytes:
        pieces = []
        wanted = size
        while wanted != 0:
            if self._offset >= len(self._plain):
                if self._done:
                    break
                self._open_next()
                continue
            end = len(self._plain) if wanted < 0 else self._offset + wanted
            piece = self._plain[self._offset : end]
            self._offset += len(piece)
            pieces.append(piece)
            if wanted > 0:
                wanted -= len(piece)
        return b"".join(pieces)

    def drain(self) -> None:
        """Read and authenticate the remaining chunks, the last one included."""
        while not self._done:
            self._open_next()

    def _open_next(self) -> None:
        record, self._pending = self._pending, self._handle.read(self._record)
        final = not self._pending
        try:
            if len(record) < NONCE_BYTES + TAG_BYTES:
                raise InvalidTag
            plain = self._aead.decrypt(
                record[:NONCE_BYTES],
                record[NONCE_BYTES:],
                _associated(self._header, self._index, final),
            )
        except InvalidTag:
            raise BackupError(
                f"the archive is damaged, truncated or was altered (chunk {self._index})"
            ) from None
        self.digest.update(record)
        self._index += 1
        self._plain, self._offset, self._done = plain, 0, final


class _Hashing:
    """Hash what is read through it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1, /) -> bytes:
        data = self._handle.read(size)
        self.digest.update(data)
        return data


# --- Common checks -----------------------------------------------------------------------------


def _outside_transaction() -> None:
    if connection.in_atomic_block:
        raise BackupError("backups and restores run outside any transaction")


def _trees() -> dict[str, Path]:
    """The file trees an archive holds, by name: attachments, and media when configured."""
    trees = {"attachments": Path(settings.CASUS_ATTACHMENT_DIR)}
    if str(settings.MEDIA_ROOT or ""):
        trees["media"] = Path(settings.MEDIA_ROOT)
    trees = {name: path.resolve() for name, path in trees.items()}
    key_dir = keys.key_dir().resolve()
    for name, path in trees.items():
        if key_dir.is_relative_to(path):
            raise BackupError(
                f"the key directory lies inside the {name} tree ({path}): field "
                "keys must never be part of a backup; move CASUS_KEY_DIR"
            )
        for other, other_path in trees.items():
            if other != name and path.is_relative_to(other_path):
                raise BackupError(f"the {name} tree lies inside the {other} tree")
    return trees


def _pg_env() -> dict[str, str]:
    """The environment that points pg_dump, pg_restore and psql at Django's database."""
    conf = connection.settings_dict
    options = conf.get("OPTIONS") or {}
    values = {
        "PGHOST": conf.get("HOST"),
        "PGPORT": conf.get("PORT"),
        "PGUSER": conf.get("USER"),
        "PGPASSWORD": conf.get("PASSWORD"),
        "PGDATABASE": conf.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
        "PGPASSFILE": options.get("passfile"),
        "PGSERVICE": options.get("service"),
    }
    return {**os.environ, **{k: str(v) for k, v in values.items() if v not in (None, "")}}


def _run(program: str, *arguments: str) -> None:
    """Run a PostgreSQL client program against Django's database; raise with its complaint."""
    found = shutil.which(program)
    if found is None:
        raise BackupError(f"{program} is not installed (Debian: postgresql-client)")
    result = subprocess.run(  # noqa: S603  # nosec B603
        [found, *arguments], env=_pg_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        complaint = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{program} failed: {complaint}")


# --- Backup ------------------------------------------------------------------------------------


def _dump_database(work: Path) -> tuple[str, Path]:
    """Copy the database into ``work`` as it is stored: sealed values stay sealed."""
    name = _DATABASE.get(connection.vendor)
    if name is None:
        raise BackupError(f"backups of a {connection.vendor} database are not supported")
    path = work / PurePosixPath(name).name
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        _run("pg_dump", "--format=custom", "--no-owner", "--no-password", f"--file={path}")
    return name, path


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    """Add one regular file; return its size and sha256, hashed as it is read."""
    with path.open("rb") as handle:
        status = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = status.st_size, status.st_mode & 0o777, status.st_mtime
        hashing = _Hashing(handle)
        tar.addfile(info, hashing)
    return {"size": info.size, "sha256": hashing.digest.hexdigest()}


def _add_directory(tar: tarfile.TarFile, path: Path, name: str) -> None:
    status = path.stat()
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = tarfile.DIRTYPE, status.st_mode & 0o777, status.st_mtime
    tar.addfile(info)


def _add_tree(
    tar: tarfile.TarFile, *, name: str, root: Path, members: dict[str, Any], directories: list[str]
) -> int:
    """Add the tree's directories and regular files; return how many other entries were left."""
    skipped = 0
    for current, dirnames, filenames in os.walk(root, onerror=_raise):
        here = Path(current)
        if here == root:  # what an interrupted restore left behind
            dirnames[:] = [d for d in dirnames if not d.startswith((_STAGING, _REPLACED))]
        links = [d for d in dirnames if (here / d).is_symlink()]
        dirnames[:] = sorted(set(dirnames) - set(links))
        skipped += len(links)
        folder = "/".join(["files", name, *here.relative_to(root).parts])
        _add_directory(tar, here, folder)
        directories.append(folder)
        for filename in sorted(filenames):
            path = here / filename
            if path.is_symlink() or not path.is_file():
                skipped += 1
                continue
            try:
                members[f"{folder}/{filename}"] = _add_file(tar, path, f"{folder}/{filename}")
            except FileNotFoundError:  # removed since the walk listed it (a purge)
                skipped += 1
    return skipped


def _raise(error: OSError) -> None:
    """Stop the walk: a folder that cannot be read must not be left out silently."""
    raise error


def _applied_migrations() -> list[list[str]]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted([app, name] for app, name in applied)


def _write_members(
    tar: tarfile.TarFile, *, database: str, dump: Path, trees: dict[str, Path]
) -> tuple[int, int]:
    """Add the dump, the trees and last the manifest; return the files added and left out."""
    migrations = _applied_migrations()
    members = {database: _add_file(tar, dump, database)}
    dump.unlink()
    directories: list[str] = []
    skipped = 0
    archived = sorted(name for name, root in trees.items() if root.is_dir())
    for name in archived:
        skipped += _add_tree(
            tar, name=name, root=trees[name], members=members, directories=directories
        )
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "database": database,
        "migrations": migrations,
        "trees": archived,
        "directories": directories,
        "members": members,
    }
    body = json.dumps(manifest, indent=1, sort_keys=True).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size, info.mode, info.mtime = len(body), 0o600, int(timezone.now().timestamp())
    tar.addfile(info, BytesIO(body))
    return len(members) - 1, skipped


def _new_output(output: Path, trees: dict[str, Path]) -> Path:
    output = Path(output).absolute()
    if output.exists():
        raise BackupError(f"{output} exists already: choose a new file name")
    if not output.parent.is_dir():
        raise BackupError(f"the folder {output.parent} does not exist")
    for name, root in trees.items():
        if output.resolve().is_relative_to(root):
            raise BackupError(f"the archive cannot be written inside the {name} tree")
    return output


def backup_create(*, output: Path) -> BackupSummary:
    """Write an encrypted archive of the database and the file trees to the new file ``output``.

    The database is copied first, then the files: an attachment is written before its row is
    committed, so every attachment row in the archive finds its file. The archive appears
    only when complete (written under a temporary name, then renamed), with mode 0600.
    """
    secret = _secret()
    _outside_transaction()
    trees = _trees()
    output = _new_output(output, trees)
    salt = os.urandom(16)
    key, check = _derive(secret, salt)
    header = _HEADER.pack(MAGIC, FORMAT, CHUNK_BYTES, salt, check)
    temporary = output.with_name(f".{output.name}.{os.urandom(4).hex()}.tmp")
    with tempfile.TemporaryDirectory(prefix=".casus-backup-", dir=output.parent) as work:
        database, dump = _dump_database(Path(work))
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                writer = _SealingWriter(handle, key=key, header=header)
                with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    files, skipped = _write_members(tar, database=database, dump=dump, trees=trees)
                writer.finish()
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, output)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    _fsync_directory(output.parent)
    summary = BackupSummary(
        path=output,
        size=writer.size,
        sha256=writer.digest.hexdigest(),
        files=files,
        skipped=skipped,
    )
    with transaction.atomic():
        audit_record(
            actor=None,
            action="BACKUP_WRITTEN",
            data={
                "format": FORMAT,
                "vendor": connection.vendor,
                "files": summary.files,
                "bytes": summary.size,
                "sha256": summary.sha256,
            },
        )
    return summary


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- Reading an archive ------------------------------------------------------------------------


def _checked_name(name: str) -> PurePosixPath:
    """Refuse member names that are not plain relative paths of the archive's layout."""
    path = PurePosixPath(name)
    if (
        str(path) != name
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in path.parts)
        or not (
            (len(path.parts) == 2 and path.parts[0] == "database")
            or (len(path.parts) >= 2 and path.parts[0] == "files")
        )
    ):
        raise BackupError(f"the archive holds an unexpected member: {name!r}")
    return path


def _write_member(source: IO[bytes], target: Path, *, mode: int, mtime: float) -> str:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    digest = hashlib.sha256()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    with os.fdopen(os.open(target, flags, 0o600), "wb") as handle:
        while block := source.read(_COPY_BYTES):
            digest.update(block)
            handle.write(block)
    os.chmod(target, mode & 0o777)
    os.utime(target, (mtime, mtime))
    return digest.hexdigest()


def _unpack(archive: Path, *, place: Callable[[str], Path | None]) -> tuple[dict[str, Any], str]:
    """Decrypt and check the whole archive; write each member where ``place`` says (or nowhere).

    Return the manifest and the sha256 of the archive file. Nothing is trusted before the last
    chunk authenticated and every member matched the manifest.
    """
    secret = _secret()
    found: dict[str, dict[str, Any]] = {}
    folders: list[tuple[Path, int, float]] = []
    directories: list[str] = []
    manifest: Any = None
    with Path(archive).open("rb") as handle:
        header = handle.read(_HEADER.size)
        if len(header) < _HEADER.size or not header.startswith(MAGIC):
            raise BackupError("this is not a Casus backup archive")
        _, version, chunk_bytes, salt, check = _HEADER.unpack(header)
        if version != FORMAT:
            raise BackupError(
                f"archive format {version} is not supported (this code reads {FORMAT})"
            )
        if not 0 < chunk_bytes <= _MAX_CHUNK_BYTES:
            raise BackupError("the archive header is damaged")
        key, expected = _derive(secret, salt)
        if not hmac.compare_digest(check, expected):
            raise BackupError(
                "CASUS_BACKUP_KEY does not open this archive: another key wrote it, or its "
                "header is damaged"
            )
        reader = _OpeningReader(handle, key=key, header=header, chunk_bytes=chunk_bytes)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for member in tar:
                    if manifest is not None:
                        raise BackupError("the archive holds data after its manifest")
                    source = tar.extractfile(member) if member.isfile() else None
                    if member.name == MANIFEST and source is not None:
                        manifest = json.loads(source.read())
                        continue
                    _checked_name(member.name)
                    target = place(member.name)
                    if member.isdir():
                        directories.append(member.name)
                        if target is not None:
                            target.mkdir(mode=0o700, parents=True, exist_ok=True)
                            folders.append((target, member.mode, member.mtime))
                    elif source is not None:
                        if target is None:
                            hashing = _Hashing(source)
                            while hashing.read(_COPY_BYTES):
                                pass
                            digest = hashing.digest.hexdigest()
                        else:
                            digest = _write_member(
                                source, target, mode=member.mode, mtime=member.mtime
                            )
                        found[member.name] = {"size": member.size, "sha256": digest}
                    else:
                        raise BackupError(
                            f"the archive holds an unexpected member: {member.name!r}"
                        )
            reader.drain()
        except (tarfile.TarError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BackupError(f"the archive's content is malformed: {error}") from error
    for path, mode, mtime in sorted(folders, key=lambda item: len(item[0].parts), reverse=True):
        os.chmod(path, mode & 0o777 | 0o700)
        os.utime(path, (mtime, mtime))
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not _MANIFEST_KEYS.issubset(manifest)
    ):
        raise BackupError("the archive has no valid manifest")
    if manifest.get("members") != found or manifest.get("directories") != directories:
        raise BackupError("the archive's members do not match its manifest")
    if manifest.get("database") not in found:
        raise BackupError("the archive holds no database")
    return manifest, reader.digest.hexdigest()


def _check_restorable(manifest: dict[str, Any]) -> None:
    """Refuse an archive of another database vendor or of a newer schema than this code's."""
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"the archive holds a {manifest['vendor']} database; this installation uses "
            f"{connection.vendor}"
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known |= set(migration.replaces)
    unknown = sorted(
        f"{app}.{name}"
        for app, name in manifest["migrations"]
        if app in loader.migrated_apps and (app, name) not in known
    )
    if unknown:
        raise BackupError(
            "the archive comes from a newer version of Casus (migrations this code does not "
            f"have: {', '.join(unknown[:5])}); restore it with that version"
        )


def backup_verify(*, archive: Path, extract_to: Path | None = None) -> dict[str, Any]:
    """Check that ``archive`` opens with the key, is whole, and could be restored here.

    Return its manifest. With ``extract_to``, also write its members there (for inspection).
    """

    def place(name: str) -> Path | None:
        return None if extract_to is None else Path(extract_to) / name

    manifest, _ = _unpack(archive, place=place)
    _check_restorable(manifest)
    return manifest


# --- Restore -----------------------------------------------------------------------------------


class _Staging:
    """Where a restore writes the archive before it replaces anything.

    The database goes to a private temporary folder; each tree to a hidden folder inside the
    tree itself, so the swap is a rename on the same file system (a tree may be a mount point).
    """

    def __init__(self, *, work: Path, trees: dict[str, Path]) -> None:
        self.work = work
        self.trees = trees
        self.created: list[Path] = []
        self.roots: dict[str, Path] = {}
        try:
            for name, root in trees.items():
                if not root.exists():
                    root.mkdir(mode=0o700, parents=True)
                    self.created.append(root)
                self.roots[name] = Path(tempfile.mkdtemp(prefix=_STAGING, dir=root))
        except BaseException:
            self.discard()
            raise

    def place(self, name: str) -> Path | None:
        path = _checked_name(name)
        if path.parts[0] == "database":
            return self.work / path.parts[1]
        tree = path.parts[1]
        if tree not in self.roots:
            raise BackupError(
                f"the archive holds a tree this installation has no place for: {tree}"
            )
        return self.roots[tree].joinpath(*path.parts[2:])

    def discard(self) -> None:
        for staged in self.roots.values():
            shutil.rmtree(staged, ignore_errors=True)
        for root in self.created:
            shutil.rmtree(root, ignore_errors=True)

    def swap(self, *, archived: list[str]) -> None:
        """Replace each tree's content by the staged one; the tree folder itself stays.

        A tree the archive lacks (it did not exist then) is emptied, or not created at all.
        """
        for name, root in self.trees.items():
            staged = self.roots[name]
            if name not in archived and root in self.created:
                shutil.rmtree(root)
                continue
            replaced = Path(tempfile.mkdtemp(prefix=_REPLACED, dir=root))
            for entry in root.iterdir():
                if entry not in (staged, replaced):
                    entry.rename(replaced / entry.name)
            for entry in staged.iterdir():
                entry.rename(root / entry.name)
            os.chmod(root, staged.stat().st_mode & 0o777)
            staged.rmdir()
            shutil.rmtree(replaced)


def _check_sqlite(path: Path) -> None:
    source = sqlite3.connect(path)
    try:
        (result,) = source.execute("PRAGMA integrity_check").fetchone()
    finally:
        source.close()
    if result != "ok":
        raise BackupError(f"the archived SQLite database is damaged: {result}")


def _restore_sqlite(path: Path) -> None:
    """Copy the staged database over the live one, page by page, through Django's connection."""
    source = sqlite3.connect(path)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_postgresql(path: Path, work: Path) -> None:
    script, clear = work / "restore.sql", work / "clear.sql"
    _run("pg_restore", "--clean", "--if-exists", "--no-owner", f"--file={script}", str(path))
    clear.write_text(_PG_CLEAR)
    connections.close_all()
    try:
        _run(
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--no-password",
            "--set=ON_ERROR_STOP=1",
            "--single-transaction",
            f"--file={clear}",
            f"--file={script}",
        )
    except BackupError as error:
        hint = ""
        if "lock timeout" in str(error):
            hint = " Other sessions use the database: stop the application servers and workers."
        raise BackupError(
            f"{error}\nThe database was not changed (one transaction).{hint}"
        ) from None


def backup_restore(
    *, archive: Path, confirm: Callable[[dict[str, Any]], bool] | None = None
) -> RestoreSummary:
    """Replace the database and the file trees by the archive's, once all of it checked out.

    ``confirm`` is asked, with the manifest, after the checks and before anything changes.
    Afterwards, cells whose key file is missing are listed: their sealed values stay unreadable
    until the key directory is restored too (it is backed up separately on purpose).
    """
    _secret()
    _outside_transaction()
    trees = _trees()
    with tempfile.TemporaryDirectory(prefix="casus-restore-") as work_name:
        work = Path(work_name)
        staging = _Staging(work=work, trees=trees)
        try:
            manifest, digest = _unpack(archive, place=staging.place)
            _check_restorable(manifest)
            database = work / PurePosixPath(manifest["database"]).name
            if connection.vendor == "sqlite":
                _check_sqlite(database)
            if confirm is not None and not confirm(manifest):
                raise BackupError("the restore was cancelled; nothing changed")
            if connection.vendor == "sqlite":
                _restore_sqlite(database)
            else:
                _restore_postgresql(database, work)
        except BaseException:
            staging.discard()
            raise
        staging.swap(archived=list(manifest["trees"]))
    summary = RestoreSummary(
        created_at=str(manifest["created_at"]),
        vendor=str(manifest["vendor"]),
        sha256=digest,
        files=len(manifest["members"]) - 1,
        cells_without_keys=[
            pk
            for pk in Cell.objects.order_by("pk").values_list("pk", flat=True)
            if not keys.has_keys(pk)
        ],
    )
    with transaction.atomic():
        audit_record(
            actor=None,
            action="BACKUP_RESTORED",
            data={
                "format": FORMAT,
                "vendor": summary.vendor,
                "created_at": summary.created_at,
                "files": summary.files,
                "sha256": summary.sha256,
                "cells_without_keys": len(summary.cells_without_keys),
            },
        )
    return summary
