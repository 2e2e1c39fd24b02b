"""The hash chain per cell: every row commits to the one before it; `casus audit verify`
names the first row that was altered, removed or slipped in behind the application's back, and
signed day heads catch a rewritten or shortened chain."""

import datetime
import io
import threading

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from casus.audit import chain, seals
from casus.audit.models import AccessKind, AccessLog, AuditEvent, ChainHead, DaySeal
from casus.audit.services import access_record, audit_record
from tests.conftest import World

pytestmark = pytest.mark.django_db

EVENTS = AuditEvent._meta.db_table
READS = AccessLog._meta.db_table
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL row locks"
)


def event(world: World, action: str = "TEST_EVENT", cell=None) -> AuditEvent:
    with transaction.atomic():
        return audit_record(
            actor=world.chair, action=action, cell=cell or world.cell_a, data={"n": action}
        )


def read(world: World, cell=None) -> AccessLog:
    return access_record(actor=world.coordinator, cell=cell or world.cell_a, kind=AccessKind.CASE)


def build(world: World, n: int = 6) -> list[tuple[str, int]]:
    """Write ``n`` alternating events and reads in cell A; return (table, id) in chain order."""
    rows = []
    for index in range(n):
        if index % 2:
            rows.append((READS, read(world).pk))
        else:
            rows.append((EVENTS, event(world, f"EVENT_{index}").pk))
    return rows


def lift_triggers() -> None:
    """Remove the append-only triggers, as a database owner could (undone with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks must run before the table can be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in (EVENTS, READS, DaySeal._meta.db_table):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for name in ("auditevent", "accesslog", "dayseal"):
                cursor.execute(f"DROP TRIGGER IF EXISTS audit_{name}_no_update")


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def verify(cell) -> chain.ChainReport:
    return chain.verify_chain(chain.chain_of(cell.pk))


def only_problem(report: chain.ChainReport) -> chain.Problem:
    assert not report.ok
    return report.problems[0]


# --- Linking --------------------------------------------------------------------------------


def test_events_and_reads_share_one_numbered_chain_per_cell(world: World) -> None:
    def head_seq(cell) -> int:
        return ChainHead.objects.filter(chain=cell.pk).values_list("seq", flat=True).first() or 0

    before_a, before_b = head_seq(world.cell_a), head_seq(world.cell_b)
    first = event(world)
    second = read(world)
    third = event(world)
    other = event(world, cell=world.cell_b)
    assert [first.seq, second.seq, third.seq] == [before_a + 1, before_a + 2, before_a + 3]
    assert first.chain == second.chain == third.chain == world.cell_a.pk
    assert other.chain == world.cell_b.pk
    assert other.seq == before_b + 1
    head = ChainHead.objects.get(chain=world.cell_a.pk)
    assert (head.seq, head.hash) == (third.seq, third.hash)
    assert verify(world.cell_a).ok and verify(world.cell_b).ok


def test_installation_events_form_chain_zero(world: World) -> None:
    with transaction.atomic():
        login = audit_record(actor=world.chair, action="LOGIN_SUCCEEDED")
    assert login.chain == 0
    assert chain.verify_chain(0).ok


def test_every_chain_of_a_fresh_world_verifies(world: World) -> None:
    build(world)
    event(world, cell=world.cell_b)
    reports = chain.verify_all()
    assert reports and all(report.ok for report in reports)
    assert {world.cell_a.pk, world.cell_b.pk} <= {report.chain for report in reports}


def test_stored_row_hash_is_recomputable(world: World) -> None:
    read(world)
    row = AuditEvent.objects.filter(pk=event(world).pk).values(*chain._EVENT_FIELDS).get()
    # The row before it is the read, in the other table.
    previous = AccessLog.objects.get(chain=row["chain"], seq=row["seq"] - 1).hash
    assert chain.link_hash(previous, chain.content(chain.EVENT, row)) == row["hash"]


# --- Tampering with raw SQL: verify names the row every time ---------------------------------


@pytest.mark.parametrize("position", range(6))
def test_an_altered_row_is_named_wherever_it_is(world: World, position: int) -> None:
    rows = build(world)
    table, pk = rows[position]
    lift_triggers()
    column = "action" if table == EVENTS else "kind"
    raw(f"UPDATE {table} SET {column} = %s WHERE id = %s", ["FORGED", pk])
    problem = only_problem(verify(world.cell_a))
    assert problem.row_id == pk
    assert problem.table == (chain.EVENT if table == EVENTS else chain.ACCESS)
    assert "does not match its hash" in problem.message


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", '{"n": "other"}'),
        ("actor_id", None),
        ("object_id", "999"),
        ("case_id", 12345),
        ("at", "2020-01-01 00:00:00"),
        ("values_sealed", "enc1:c1v1:AAAA"),
    ],
)
def test_any_altered_column_is_caught(world: World, column: str, value: object) -> None:
    build(world, 4)
    target = event(world, "TARGET")
    read(world)
    lift_triggers()
    raw(f"UPDATE {EVENTS} SET {column} = %s WHERE id = %s", [value, target.pk])
    problem = only_problem(verify(world.cell_a))
    assert (problem.table, problem.row_id) == (chain.EVENT, target.pk)


def test_a_rehashed_row_breaks_the_link_of_the_next_one(world: World) -> None:
    rows = build(world, 5)
    table, pk = rows[2]
    forged = chain.link_hash("0" * 64, {"forged": True})
    lift_triggers()
    raw(f"UPDATE {table} SET hash = %s WHERE id = %s", [forged, pk])
    problem = only_problem(verify(world.cell_a))
    # Its own hash no longer fits what it holds.
    assert problem.row_id == pk


@pytest.mark.parametrize("position", range(1, 5))
def test_a_deleted_row_is_named_by_the_row_after_the_gap(world: World, position: int) -> None:
    rows = build(world)
    table, pk = rows[position]
    gone = (AuditEvent if table == EVENTS else AccessLog).objects.get(pk=pk).seq
    lift_triggers()
    raw(f"DELETE FROM {table} WHERE id = %s", [pk])
    problem = only_problem(verify(world.cell_a))
    next_table, next_pk = rows[position + 1]
    assert problem.row_id == next_pk
    assert f"position {gone}" in problem.message and "missing" in problem.message


def test_a_deleted_last_row_is_caught_by_the_head(world: World) -> None:
    rows = build(world)
    table, pk = rows[-1]
    gone = (AuditEvent if table == EVENTS else AccessLog).objects.get(pk=pk).seq
    lift_triggers()
    raw(f"DELETE FROM {table} WHERE id = %s", [pk])
    problem = only_problem(verify(world.cell_a))
    assert problem.row_id == rows[-2][1]
    assert f"positions {gone} to {gone} are missing" in problem.message


def test_a_deleted_last_row_with_a_rewound_head_is_caught_by_the_seal(world: World) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        rows = build(world)
    seals.seal_through(timezone.localdate() - datetime.timedelta(days=1))
    table, pk = rows[-1]
    lift_triggers()
    raw(f"DELETE FROM {table} WHERE id = %s", [pk])
    previous = rows[-2]
    model = AuditEvent if previous[0] == EVENTS else AccessLog
    kept = model.objects.get(pk=previous[1])
    ChainHead.objects.filter(chain=world.cell_a.pk).update(seq=kept.seq, hash=kept.hash)
    problem = only_problem(verify(world.cell_a))
    assert "removed from the end" in problem.message


def _insert_event(world: World, seq: int, hash_: str, action: str = "SLIPPED_IN") -> int:
    raw(
        f"INSERT INTO {EVENTS} (at, cell_id, actor_id, action, object_type, object_id, data, "
        "case_id, signal_id, values_sealed, chain, seq, hash) VALUES "
        "(%s, %s, %s, %s, '', '', '{}', NULL, NULL, '', %s, %s, %s)",
        [timezone.now(), world.cell_a.pk, world.chair.pk, action, world.cell_a.pk, seq, hash_],
    )
    return AuditEvent.objects.get(action=action).pk


def test_a_row_slipped_in_at_the_end_is_named(world: World) -> None:
    build(world)
    head = ChainHead.objects.get(chain=world.cell_a.pk)
    pk = _insert_event(world, head.seq + 1, "f" * 64)
    problem = only_problem(verify(world.cell_a))
    assert problem.row_id == pk
    assert problem.seq == head.seq + 1


def test_a_row_slipped_in_with_a_taken_position_is_named(world: World) -> None:
    rows = build(world)
    taken = AccessLog.objects.get(pk=rows[1][1]).seq
    lift_triggers()
    # The access log's position is free in the events table, so only the chain sees the clash.
    pk = _insert_event(world, taken, "e" * 64)
    problem = only_problem(verify(world.cell_a))
    assert problem.row_id in {pk, rows[1][1]}
    assert problem.seq == taken


def test_a_row_moved_to_another_cells_chain_is_named(world: World) -> None:
    rows = build(world)
    table, pk = rows[-1]
    lift_triggers()
    raw(f"UPDATE {table} SET cell_id = %s WHERE id = %s", [world.cell_b.pk, pk])
    problem = only_problem(verify(world.cell_a))
    assert problem.row_id == pk
    assert "another cell" in problem.message


# --- Day seals --------------------------------------------------------------------------------


def _sealed_world(world: World) -> list[DaySeal]:
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3)):
        build(world, 3)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        build(world, 2)
    return seals.seal_through(timezone.localdate() - datetime.timedelta(days=1))


def test_each_ended_day_is_sealed_once_with_its_head(world: World) -> None:
    made = _sealed_world(world)
    mine = [seal for seal in made if seal.chain == world.cell_a.pk]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert [seal.day for seal in mine][-1] == yesterday
    assert len({seal.day for seal in mine}) == len(mine) >= 3
    last_row = max(
        [
            *AuditEvent.objects.filter(chain=world.cell_a.pk),
            *AccessLog.objects.filter(chain=world.cell_a.pk),
        ],
        key=lambda row: row.seq,
    )
    assert (mine[-1].seq, mine[-1].hash) == (last_row.seq, last_row.hash)
    assert all(seals.check_signature(seal) for seal in made)
    # Sealing again writes nothing; today cannot be sealed before it ends.
    assert seals.seal_through(yesterday) == []
    with pytest.raises(ValueError):
        seals.seal_through(timezone.localdate())
    assert verify(world.cell_a).ok


def test_a_forged_day_seal_is_detected(world: World) -> None:
    made = [seal for seal in _sealed_world(world) if seal.chain == world.cell_a.pk]
    target = made[-1]
    lift_triggers()
    forged = bytes(64).hex()
    raw(f"UPDATE {DaySeal._meta.db_table} SET signature = %s WHERE id = %s", [forged, target.pk])
    report = verify(world.cell_a)
    assert not report.ok
    assert f"seal of {target.day} has no valid signature" in str(report.problems[0])


def test_a_rewritten_chain_does_not_match_its_seal(world: World) -> None:
    """Rewriting a row and recomputing every later hash still breaks the signed head."""
    made = [seal for seal in _sealed_world(world) if seal.chain == world.cell_a.pk]
    lift_triggers()
    rows = sorted(
        [
            *(
                (EVENTS, r)
                for r in AuditEvent.objects.filter(chain=world.cell_a.pk).values(
                    *chain._EVENT_FIELDS
                )
            ),
            *(
                (READS, r)
                for r in AccessLog.objects.filter(chain=world.cell_a.pk).values(
                    *chain._ACCESS_FIELDS
                )
            ),
        ],
        key=lambda item: item[1]["seq"],
    )
    previous = chain.genesis(world.cell_a.pk)
    for table, row in rows:
        if table == EVENTS and row["action"] == "EVENT_0":
            row["action"] = "REWRITTEN"
            raw(f"UPDATE {EVENTS} SET action = 'REWRITTEN' WHERE id = %s", [row["id"]])
        name = chain.EVENT if table == EVENTS else chain.ACCESS
        row_hash = chain.link_hash(previous, chain.content(name, row))
        raw(f"UPDATE {table} SET hash = %s WHERE id = %s", [row_hash, row["id"]])
        previous = row_hash
    ChainHead.objects.filter(chain=world.cell_a.pk).update(hash=previous)
    report = verify(world.cell_a)
    assert not report.ok
    assert "signed head" in report.problems[0].message
    assert made


def test_a_seal_signed_with_another_key_is_refused(world: World, settings) -> None:
    _sealed_world(world)
    old_public = seals.public_key_hex()
    settings.CASUS_AUDIT_SIGNING_KEY = "a completely different key"
    report = verify(world.cell_a)
    assert not report.ok and "no valid signature" in report.problems[0].message
    # Declaring the earlier public key makes the old seals verifiable again.
    settings.CASUS_AUDIT_VERIFY_KEYS = [old_public]
    assert verify(world.cell_a).ok


def test_exported_seals_verify_with_the_public_key_alone(world: World) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    _sealed_world(world)
    exported = seals.export(chain=world.cell_a.pk)
    assert exported
    for record in exported:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(record["public_key"]))
        public.verify(
            bytes.fromhex(record["signature"]),
            seals.message(
                chain=record["chain"],
                day=datetime.date.fromisoformat(record["day"]),
                seq=record["seq"],
                hash=record["hash"],
            ),
        )


# --- The command ----------------------------------------------------------------------------


def test_verify_command_passes_and_names_a_broken_row(world: World) -> None:
    rows = build(world)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "all" in out.getvalue() and "verified" in out.getvalue()
    lift_triggers()
    raw(f"UPDATE {EVENTS} SET action = 'FORGED' WHERE id = %s", [rows[2][1]])
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--cell", str(world.cell_a.pk), stdout=out)
    assert f"audit event {rows[2][1]}" in out.getvalue()
    # Another cell's chain is untouched.
    call_command("audit", "verify", "--cell", str(world.cell_b.pk), stdout=io.StringIO())


def test_seal_and_export_commands(world: World) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        build(world, 2)
    out = io.StringIO()
    call_command("audit", "seal", stdout=out)
    assert "day seal(s) written" in out.getvalue()
    out = io.StringIO()
    call_command("audit", "export-seals", "--cell", str(world.cell_a.pk), stdout=out)
    assert out.getvalue().count("\n") >= 1 and '"signature"' in out.getvalue()
    public = seals.public_key_hex()
    call_command("audit", "verify", "--public-key", public, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("audit", "seal", "--through", timezone.localdate().isoformat())


def test_verify_with_only_a_foreign_public_key_refuses_the_seals(world: World) -> None:
    _sealed_world(world)
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--public-key", "11" * 32, stdout=io.StringIO())


# --- Concurrency ------------------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain_per_cell(world: World) -> None:
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            barrier.wait()
            for step in range(15):
                cell = world.cell_a if (index + step) % 3 else world.cell_b
                if step % 2:
                    access_record(actor=world.coordinator, cell=cell, kind=AccessKind.CASE)
                else:
                    with transaction.atomic():
                        audit_record(actor=world.chair, action=f"W{index}_{step}", cell=cell)
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for cell in (world.cell_a, world.cell_b):
        report = verify(cell)
        assert report.ok, report.problems
        seqs = sorted(
            [
                *AuditEvent.objects.filter(chain=cell.pk).values_list("seq", flat=True),
                *AccessLog.objects.filter(chain=cell.pk).values_list("seq", flat=True),
            ]
        )
        assert seqs == list(range(1, len(seqs) + 1))
