"""AES-256-GCM encryption of values under per-cell and per-subject keys (ADR 0019).

A sealed value is text: ``enc1:<key id>:<base64 of nonce + ciphertext>``. The key id names a
cell key (``c12v3``, from the key files) or a subject key (``s41``: a per-case or per-signal key
stored in the database, itself sealed under its cell's key). Destroying a subject key makes what
it sealed unreadable (crypto-shredding) without touching the rows that hold it.

The associated data binds a value to its purpose (for example ``audit.values`` or
``cases.signal.family_name``), so a sealed value cannot be moved to another field unnoticed.
"""

import base64
import os
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import keys

if TYPE_CHECKING:
    from .models import SubjectKey

PREFIX = "enc1:"
NONCE_BYTES = 12
_SUBJECT_PURPOSE = "privacy.subject_key"


class Unreadable(RuntimeError):
    """A sealed value whose key is gone (crypto-erased or shredded) or that was tampered with."""


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id_of(token: str) -> str:
    """Return the key id a sealed value names."""
    if not is_sealed(token):
        raise Unreadable("not a sealed value")
    kid, _, _ = token[len(PREFIX) :].partition(":")
    return kid


def seal_bytes(plaintext: bytes, *, kid: str, key: bytes, purpose: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, purpose.encode())
    return f"{PREFIX}{kid}:{base64.b64encode(nonce + sealed).decode()}"


def open_bytes(token: str, *, key: bytes, purpose: str) -> bytes:
    body = token[len(PREFIX) :].partition(":")[2]
    try:
        raw = base64.b64decode(body, validate=True)
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())
    except (InvalidTag, ValueError) as error:
        raise Unreadable("the value does not decrypt") from error


def _key(kid: str) -> bytes:
    """Return the key bytes for a key id, unwrapping a subject key from the database."""
    try:
        if kid.startswith("s"):
            return _subject_key_bytes(int(kid[1:]))
        return keys.key_for(kid)
    except (keys.KeyMissing, ValueError) as error:
        raise Unreadable(f"key {kid} is not available") from error


def encrypt_text(text: str, *, cell_id: int, purpose: str) -> str:
    """Seal ``text`` under the cell's current key."""
    kid, key = keys.current_key(cell_id)
    return seal_bytes(text.encode(), kid=kid, key=key, purpose=purpose)


def decrypt_text(token: str, *, purpose: str) -> str:
    """Open a sealed value; raise ``Unreadable`` when its key is gone or it was altered."""
    return open_bytes(token, key=_key(key_id_of(token)), purpose=purpose).decode()


def reseal(token: str, *, cell_id: int, purpose: str) -> str:
    """Seal the same text again under the cell's current key (key rotation)."""
    return encrypt_text(decrypt_text(token, purpose=purpose), cell_id=cell_id, purpose=purpose)


# Subject keys: one per case or signal, for crypto-shredding -----------------------------------


def _subject_key_bytes(pk: int) -> bytes:
    from .models import SubjectKey

    row = SubjectKey.objects.filter(pk=pk).values_list("wrapped", flat=True).first()
    if not row:
        raise keys.KeyMissing(f"subject key {pk} was destroyed")
    return base64.b64decode(decrypt_text(row, purpose=_SUBJECT_PURPOSE))


def subject_key(*, cell_id: int, kind: str, ref_id: int) -> tuple[str, bytes]:
    """Return the id and bytes of the subject's key, creating it on first use.

    Raises ``Unreadable`` for a subject whose key was destroyed: nothing new is sealed for a
    purged subject.
    """
    from .models import SubjectKey

    row = SubjectKey.objects.filter(kind=kind, ref_id=ref_id).first()
    if row is None:
        fresh = os.urandom(keys.KEY_BYTES)
        wrapped = encrypt_text(
            base64.b64encode(fresh).decode(), cell_id=cell_id, purpose=_SUBJECT_PURPOSE
        )
        try:
            with transaction.atomic():
                row = SubjectKey.objects.create(
                    cell_id=cell_id, kind=kind, ref_id=ref_id, wrapped=wrapped
                )
        except IntegrityError:
            row = SubjectKey.objects.get(kind=kind, ref_id=ref_id)
        else:
            return f"s{row.pk}", fresh
    if row.cell_id != cell_id:
        raise Unreadable("the subject belongs to another cell")
    if not row.wrapped:
        raise Unreadable(f"the {kind} key was destroyed")
    return f"s{row.pk}", base64.b64decode(decrypt_text(row.wrapped, purpose=_SUBJECT_PURPOSE))


def subject_encrypt(text: str, *, cell_id: int, kind: str, ref_id: int, purpose: str) -> str:
    """Seal ``text`` under the subject's own key."""
    kid, key = subject_key(cell_id=cell_id, kind=kind, ref_id=ref_id)
    return seal_bytes(text.encode(), kid=kid, key=key, purpose=purpose)


def subject_key_destroy(*, kind: str, ref_id: int) -> "SubjectKey | None":
    """Erase the subject's key: what it sealed can never be read again. Return the row."""
    from .models import SubjectKey

    row = SubjectKey.objects.select_for_update().filter(kind=kind, ref_id=ref_id).first()
    if row is not None and row.wrapped:
        row.wrapped = ""
        row.destroyed_at = timezone.now()
        row.save(update_fields=["wrapped", "destroyed_at"])
    return row


def subject_keys_rewrap(*, cell_id: int) -> int:
    """Seal every live subject key of the cell under the cell's current key; return the count."""
    from .models import SubjectKey

    current = keys.current_key(cell_id)[0]
    count = 0
    for row in SubjectKey.objects.filter(cell_id=cell_id).exclude(wrapped="").iterator():
        if key_id_of(row.wrapped) != current:
            row.wrapped = reseal(row.wrapped, cell_id=cell_id, purpose=_SUBJECT_PURPOSE)
            row.save(update_fields=["wrapped"])
            count += 1
    return count
