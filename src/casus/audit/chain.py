"""One hash chain per cell over the change log, audit events and the access log (ADR 0020).

Each row commits to the previous one: ``hash = sha256(previous hash + canonical row)``. Rows of
both tables share one position counter per chain (chain 0 holds installation-wide events such as
logins). Appending locks the chain's ``ChainHead`` row, so concurrent writers queue up and never
fork a chain. ``verify_chain`` walks a chain from its start and names the first row that does not
fit; ``seals.py`` signs each day's head with a key kept outside the database.
"""

import hashlib
import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import AccessLog, AuditEvent, ChainHead, DaySeal

EVENT = "event"
ACCESS = "access"
TABLE_LABELS = {EVENT: "audit event", ACCESS: "access-log row"}

_EVENT_FIELDS = (
    "id",
    "chain",
    "seq",
    "hash",
    "at",
    "cell_id",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "data",
    "case_id",
    "signal_id",
    "values_sealed",
)
_ACCESS_FIELDS = (
    "id",
    "chain",
    "seq",
    "hash",
    "at",
    "cell_id",
    "actor_id",
    "kind",
    "object_type",
    "object_id",
    "data",
    "case_id",
)


def chain_of(cell_id: int | None) -> int:
    """The chain a row belongs to: its cell's id, or 0 for installation-wide events."""
    return int(cell_id or 0)


def genesis(chain: int) -> str:
    return hashlib.sha256(f"casus-chain-v1|{chain}".encode()).hexdigest()


def normalise(data: Any) -> Any:
    """Return ``data`` as it reads back from a JSON column, so hashes survive the round trip."""
    return json.loads(json.dumps(data))


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def content(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The fields of a row that its hash covers (everything but its id and the hash itself)."""
    body = {
        "table": table,
        "chain": row["chain"],
        "seq": row["seq"],
        "at": _stamp(row["at"]),
        "cell": row["cell_id"],
        "actor": row["actor_id"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "data": row["data"],
        "case": row["case_id"],
    }
    if table == EVENT:
        body.update(
            action=row["action"], signal=row["signal_id"], values=row["values_sealed"] or ""
        )
    else:
        body["kind"] = row["kind"]
    return body


def link_hash(previous: str, body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{previous}\n{text}".encode()).hexdigest()


def _head_for_update(chain: int) -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            ChainHead.objects.create(chain=chain, seq=0, hash=genesis(chain))
    except IntegrityError:
        pass  # another writer created it first; its row lock orders us after it
    return ChainHead.objects.select_for_update().get(chain=chain)


def append(row: AuditEvent | AccessLog) -> None:
    """Link ``row`` to the end of its cell's chain and save it; call inside a transaction."""
    table = EVENT if isinstance(row, AuditEvent) else ACCESS
    chain = chain_of(row.cell_id)
    head = _head_for_update(chain)
    row.chain = chain
    row.seq = head.seq + 1
    # The time is taken under the lock, so it never goes backwards along a chain.
    row.at = timezone.now()
    row.data = normalise(row.data)
    fields = {name: getattr(row, name) for name in ("chain", "seq", "at", "data")}
    fields.update(
        cell_id=row.cell_id,
        actor_id=row.actor_id,
        object_type=row.object_type,
        object_id=row.object_id,
        case_id=row.case_id,
    )
    if isinstance(row, AuditEvent):
        fields.update(action=row.action, signal_id=row.signal_id, values_sealed=row.values_sealed)
    else:
        fields["kind"] = row.kind
    row.hash = link_hash(head.hash, content(table, fields))
    row.save(force_insert=True)
    ChainHead.objects.filter(chain=chain).update(seq=row.seq, hash=row.hash)


# Verification ------------------------------------------------------------------------------


@dataclass
class Problem:
    """The first row of a chain that does not fit, and why."""

    chain: int
    message: str
    table: str = ""
    row_id: int | None = None
    seq: int | None = None

    def __str__(self) -> str:
        where = f"chain {self.chain}"
        if self.row_id is not None:
            where += f", {TABLE_LABELS[self.table]} {self.row_id}"
        if self.seq is not None:
            where += f" (position {self.seq})"
        return f"{where}: {self.message}"


@dataclass
class ChainReport:
    chain: int
    rows: int = 0
    seals: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(chain: int) -> Iterator[tuple[int, str, dict[str, Any]]]:
    events = (
        AuditEvent.objects.filter(chain=chain).order_by("seq", "id").values(*_EVENT_FIELDS)
    ).iterator(chunk_size=2000)
    reads = (
        AccessLog.objects.filter(chain=chain).order_by("seq", "id").values(*_ACCESS_FIELDS)
    ).iterator(chunk_size=2000)
    yield from heapq.merge(
        ((row["seq"], EVENT, row) for row in events),
        ((row["seq"], ACCESS, row) for row in reads),
        key=lambda item: (item[0], item[1]),
    )


def verify_chain(chain: int, *, public_keys: dict[str, Any] | None = None) -> ChainReport:
    """Walk the chain from its start; report the first row that breaks it and every bad seal."""
    from .seals import check_signature

    report = ChainReport(chain=chain)
    seals_by_seq: dict[int, list[DaySeal]] = {}
    for seal in DaySeal.objects.filter(chain=chain).order_by("day"):
        seals_by_seq.setdefault(seal.seq, []).append(seal)
        report.seals += 1
        if not check_signature(seal, public_keys=public_keys):
            report.problems.append(
                Problem(chain, f"the seal of {seal.day} has no valid signature", seq=seal.seq)
            )
    previous, expected = genesis(chain), 1
    last: tuple[str, dict[str, Any]] | None = None
    for seq, table, row in _rows(chain):
        report.rows += 1
        problem = _check_row(chain, table, row, expected, previous, last)
        if problem is not None:
            report.problems.append(problem)
            return report
        for seal in seals_by_seq.pop(seq, []):
            if seal.hash != row["hash"]:
                report.problems.append(
                    Problem(
                        chain,
                        f"does not match the signed head of {seal.day}",
                        table,
                        row["id"],
                        seq,
                    )
                )
                return report
        previous, expected, last = row["hash"], seq + 1, (table, row)
    for seq, sealed in sorted(seals_by_seq.items()):
        report.problems.append(
            Problem(
                chain,
                f"position {seq}, signed as the head of {sealed[0].day}, is missing "
                "(rows were removed from the end of the chain)",
                seq=seq,
            )
        )
        return report
    head = ChainHead.objects.filter(chain=chain).first()
    last_seq = expected - 1
    if head is not None and (head.seq, head.hash) != (last_seq, previous):
        if head.seq > last_seq:
            message = f"positions {last_seq + 1} to {head.seq} are missing from the end"
        else:
            message = "the chain head does not match the last row"
        report.problems.append(
            Problem(
                chain,
                message,
                last[0] if last else "",
                last[1]["id"] if last else None,
                last_seq or None,
            )
        )
    elif head is None and last_seq:
        report.problems.append(Problem(chain, "the chain head is missing"))
    return report


def _check_row(
    chain: int,
    table: str,
    row: dict[str, Any],
    expected: int,
    previous: str,
    last: tuple[str, dict[str, Any]] | None,
) -> Problem | None:
    seq = row["seq"]
    if chain_of(row["cell_id"]) != chain:
        return Problem(chain, "belongs to another cell's chain", table, row["id"], seq)
    if seq < expected:
        return Problem(chain, f"repeats position {seq}", table, row["id"], seq)
    if seq > expected:
        missing = (
            f"position {expected}" if seq == expected + 1 else f"positions {expected}-{seq - 1}"
        )
        after = f" after {TABLE_LABELS[last[0]]} {last[1]['id']}" if last else ""
        return Problem(chain, f"{missing}{after} missing before it", table, row["id"], seq)
    if link_hash(previous, content(table, row)) != row["hash"]:
        return Problem(
            chain, "its content or its link does not match its hash", table, row["id"], seq
        )
    return None


def chains() -> list[int]:
    """Every chain that has a head, a row or a seal."""
    found = set(ChainHead.objects.values_list("chain", flat=True))
    found |= set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    found |= set(AccessLog.objects.values_list("chain", flat=True).distinct())
    found |= set(DaySeal.objects.values_list("chain", flat=True).distinct())
    return sorted(found)


def verify_all(
    *, only: list[int] | None = None, public_keys: dict[str, Any] | None = None
) -> list[ChainReport]:
    return [
        verify_chain(chain, public_keys=public_keys)
        for chain in (only if only is not None else chains())
    ]
