"""Field-encryption keys kept outside the database: one key file per cell (ADR 0019).

``$CASUS_KEY_DIR/cell-<id>.json`` holds every version of the cell's 256-bit AES key and names the
current one. A key id says which cell and version it is (``c12v3``), and each encrypted value
carries its key id, so a value can be read without knowing its row. Removing a cell's file
crypto-erases everything encrypted under it, including the per-case keys wrapped by it.

Files are written atomically (temporary file, then rename) under an exclusive lock, with mode
0600 in a 0700 directory. Readers cache a file until its modification time changes.
"""

import base64
import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

KEY_BYTES = 32
_KID = re.compile(r"^c(?P<cell>\d+)v(?P<version>\d+)$")


class KeyMissing(RuntimeError):
    """No key for this cell or key id: never created, or removed (crypto-erased)."""


@dataclass(frozen=True)
class CellKeys:
    """Every version of one cell's key; ``current`` encrypts, all of them decrypt."""

    cell_id: int
    current: str
    keys: dict[str, bytes]


_cache: dict[int, tuple[int, CellKeys]] = {}


def key_dir() -> Path:
    return Path(settings.CASUS_KEY_DIR)


def _path(cell_id: int) -> Path:
    return key_dir() / f"cell-{int(cell_id)}.json"


def kid_cell(kid: str) -> int:
    """Return the cell id a key id belongs to."""
    match = _KID.match(kid)
    if match is None:
        raise KeyMissing(f"not a cell key id: {kid!r}")
    return int(match["cell"])


def _version(kid: str) -> int:
    match = _KID.match(kid)
    if match is None:
        raise RuntimeError("ids are written by this module only")  # not input: a broken invariant
    return int(match["version"])


def cell_keys(cell_id: int) -> CellKeys:
    """Return the cell's keys, reading its key file when it changed."""
    path = _path(cell_id)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        _cache.pop(cell_id, None)
        raise KeyMissing(f"no key file for cell {cell_id}") from None
    cached = _cache.get(cell_id)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    raw = json.loads(path.read_text())
    keys = CellKeys(
        cell_id=int(raw["cell"]),
        current=str(raw["current"]),
        keys={kid: base64.b64decode(value) for kid, value in raw["keys"].items()},
    )
    if keys.cell_id != cell_id or keys.current not in keys.keys:
        raise KeyMissing(f"key file of cell {cell_id} is inconsistent")
    _cache[cell_id] = (mtime, keys)
    return keys


def key_for(kid: str) -> bytes:
    """Return the key with this id, from its cell's file."""
    keys = cell_keys(kid_cell(kid))
    try:
        return keys.keys[kid]
    except KeyError:
        raise KeyMissing(f"key {kid} was retired or never existed") from None


def current_key(cell_id: int) -> tuple[str, bytes]:
    """Return the id and bytes of the key that encrypts new values of the cell."""
    keys = cell_keys(cell_id)
    return keys.current, keys.keys[keys.current]


def has_keys(cell_id: int) -> bool:
    return _path(cell_id).exists()


@contextmanager
def _locked() -> Iterator[None]:
    directory = key_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (directory / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(keys: CellKeys) -> None:
    path = _path(keys.cell_id)
    temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    body = {
        "cell": keys.cell_id,
        "current": keys.current,
        "keys": {kid: base64.b64encode(value).decode() for kid, value in keys.keys.items()},
    }
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(body, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _cache.pop(keys.cell_id, None)


def cell_key_create(cell_id: int) -> str:
    """Give the cell its first key unless it has one; return the current key id."""
    with _locked():
        if has_keys(cell_id):
            return cell_keys(cell_id).current
        kid = f"c{int(cell_id)}v1"
        _write(CellKeys(cell_id=cell_id, current=kid, keys={kid: secrets.token_bytes(KEY_BYTES)}))
        return kid


def cell_key_add_version(cell_id: int) -> str:
    """Add a new key version and make it current (the first step of a rotation)."""
    with _locked():
        keys = cell_keys(cell_id)
        version = max(_version(kid) for kid in keys.keys) + 1
        kid = f"c{int(cell_id)}v{version}"
        _write(
            CellKeys(
                cell_id=cell_id,
                current=kid,
                keys={**keys.keys, kid: secrets.token_bytes(KEY_BYTES)},
            )
        )
        return kid


def cell_key_retire(cell_id: int, kids: set[str]) -> None:
    """Remove old key versions once no value needs them; the current key stays."""
    with _locked():
        keys = cell_keys(cell_id)
        if keys.current in kids:
            raise ValueError("the current key cannot be retired")
        _write(
            CellKeys(
                cell_id=cell_id,
                current=keys.current,
                keys={kid: value for kid, value in keys.keys.items() if kid not in kids},
            )
        )


def cell_keys_destroy(cell_id: int) -> None:
    """Remove the cell's key file: everything encrypted under it becomes unreadable."""
    with _locked():
        _path(cell_id).unlink(missing_ok=True)
        _cache.pop(cell_id, None)
