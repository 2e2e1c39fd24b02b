"""Signed day heads: each chain's last link of a day, signed with Ed25519 (ADR 0020).

The signing key is derived from ``CASUS_AUDIT_SIGNING_KEY``, which lives outside the database.
Anyone with the public key can check an exported seal; someone who rewrites the database cannot
forge one. Earlier public keys (``CASUS_AUDIT_VERIFY_KEYS``) keep older seals verifiable after
the signing key changes.
"""

import hashlib
from datetime import date, datetime, time, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from .chain import chains
from .models import AccessLog, AuditEvent, DaySeal


def _private_key() -> Ed25519PrivateKey:
    seed = hashlib.sha256(b"casus-audit-seal|" + settings.CASUS_AUDIT_SIGNING_KEY.encode())
    return Ed25519PrivateKey.from_private_bytes(seed.digest())


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


def public_key_hex() -> str:
    """The current public key, to keep beside exported seals."""
    return _raw(_private_key().public_key()).hex()


def known_public_keys() -> dict[str, Ed25519PublicKey]:
    """The current public key and the configured earlier ones, by key id."""
    found = [_private_key().public_key()]
    found += [
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
        for text in settings.CASUS_AUDIT_VERIFY_KEYS
    ]
    return {key_id(public): public for public in found}


def message(*, chain: int, day: date, seq: int, hash: str) -> bytes:
    return f"casus-seal-v1|{chain}|{day.isoformat()}|{seq}|{hash}".encode()


def check_signature(seal: DaySeal, *, public_keys: dict[str, Any] | None = None) -> bool:
    public = (public_keys if public_keys is not None else known_public_keys()).get(seal.key_id)
    if public is None:
        return False
    try:
        public.verify(
            bytes.fromhex(seal.signature),
            message(chain=seal.chain, day=seal.day, seq=seal.seq, hash=seal.hash),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _day_end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _head_before(chain: int, end: datetime) -> tuple[int, str] | None:
    """The last link of ``chain`` written before ``end``, as (position, hash)."""
    best: tuple[int, str] | None = None
    for model in (AuditEvent, AccessLog):
        row = (
            model.objects.filter(chain=chain, at__lt=end)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        if row is not None and (best is None or row[0] > best[0]):
            best = row
    return best


def _first_day(chain: int) -> date | None:
    starts = [
        model.objects.filter(chain=chain).aggregate(first=Min("at"))["first"]
        for model in (AuditEvent, AccessLog)
    ]
    found = [start for start in starts if start is not None]
    return timezone.localdate(min(found)) if found else None


def seal_through(last_day: date) -> list[DaySeal]:
    """Seal every chain's head for each ended day up to ``last_day`` not sealed yet.

    Idempotent: a day already sealed is skipped (the unique constraint settles races between
    workers). A day cannot be sealed before it has ended.
    """
    if last_day >= timezone.localdate():
        raise ValueError("only days that have ended can be sealed")
    private = _private_key()
    kid = key_id(private.public_key())
    made = []
    for chain in chains():
        sealed_until = DaySeal.objects.filter(chain=chain).aggregate(last=Max("day"))["last"]
        day = sealed_until + timedelta(days=1) if sealed_until else _first_day(chain)
        while day is not None and day <= last_day:
            head = _head_before(chain, _day_end(day))
            if head is not None:
                seq, hash_ = head
                signature = private.sign(message(chain=chain, day=day, seq=seq, hash=hash_))
                try:
                    with transaction.atomic():
                        made.append(
                            DaySeal.objects.create(
                                chain=chain,
                                day=day,
                                seq=seq,
                                hash=hash_,
                                key_id=kid,
                                signature=signature.hex(),
                            )
                        )
                except IntegrityError:
                    pass  # another worker sealed this day first
            day += timedelta(days=1)
    return made


def export(*, chain: int | None = None, since: date | None = None) -> list[dict[str, Any]]:
    """The seals as plain records, with the public key that checks each one."""
    public = {kid: _raw(key).hex() for kid, key in known_public_keys().items()}
    seals = DaySeal.objects.all()
    if chain is not None:
        seals = seals.filter(chain=chain)
    if since is not None:
        seals = seals.filter(day__gte=since)
    return [
        {
            "chain": seal.chain,
            "day": seal.day.isoformat(),
            "seq": seal.seq,
            "hash": seal.hash,
            "key_id": seal.key_id,
            "public_key": public.get(seal.key_id, ""),
            "signature": seal.signature,
        }
        for seal in seals.order_by("chain", "day")
    ]
