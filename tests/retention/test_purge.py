"""Retention and purge: due rules, the dry run the chair approves, exactly what it listed
destroyed, the destruction log, statistics that survive, shredded change-log values, and a
hash chain that still verifies."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, ForeignObjectRel

from casus.access.models import Cell, Charter, User
from casus.audit import chain
from casus.audit.models import AuditEvent
from casus.audit.selectors import event_values
from casus.cases.attachments import attachment_path
from casus.cases.models import (
    Attachment,
    Case,
    CaseStatus,
    ClosureReason,
    Handover,
    HandoverStatus,
    JournalEntry,
    Signal,
    SignalStatus,
)
from casus.cases.services.common import next_case_number
from casus.core.exceptions import Forbidden, RuleViolation
from casus.core.models import Notification
from casus.demo.loader import CELL_NAME, load_demo
from casus.meetings.models import AgendaItem, Meeting, MeetingStatus
from casus.privacy import crypto
from casus.privacy.models import SubjectKey, SubjectKind
from casus.retention import purge, selectors, services
from casus.retention.models import (
    AppendOnlyError,
    DestructionRecord,
    HoldReason,
    ItemOutcome,
    PurgedStatistic,
    PurgeItem,
    PurgeRun,
    RecordType,
    Rule,
    RunStatus,
)
from casus.retention.periods import add_months, was_minor
from tests.cases.factories import CaseFactory, SignalFactory
from tests.cases.helpers import activate_charter
from tests.conftest import World
from tests.meetings.factories import AgendaItemFactory, MeetingFactory

from .helpers import ADULT, CHILD, LONG_AGO, NOW, closed, not_retained

pytestmark = pytest.mark.django_db


# --- Periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2026, 11, 15), 2, datetime.date(2027, 1, 15)),
        (datetime.date(2026, 3, 1), 60, datetime.date(2031, 3, 1)),
        (datetime.date(2026, 12, 31), 12, datetime.date(2027, 12, 31)),
    ],
)
def test_add_months(day: datetime.date, months: int, expected: datetime.date) -> None:
    assert add_months(day, months) == expected


def test_minor_at_the_time() -> None:
    born = datetime.date(2008, 4, 1)
    assert was_minor(born, datetime.date(2026, 3, 31))
    assert not was_minor(born, datetime.date(2026, 4, 1))
    assert was_minor(datetime.date(2008, 2, 29), datetime.date(2026, 2, 28))
    assert not was_minor(datetime.date(2008, 2, 29), datetime.date(2026, 3, 1))
    assert not was_minor(None, datetime.date(2026, 3, 1))


# --- Due rules ----------------------------------------------------------------------------------


def _due(world: World) -> dict[tuple[str, int], str]:
    return {(d.record_type, d.record_id): d.rule for d in selectors.due_records(world.cell_a)}


def test_due_rules_follow_the_charter(world: World, charter: Charter) -> None:
    old_signal = not_retained(world, 400, ADULT)
    young_signal = not_retained(world, 300, ADULT)
    # A minor's not-retained signal: min(12, 36) months: the ordinary period is shorter.
    minor_signal = not_retained(world, 400, CHILD)
    old_case = closed(world, 61 * 31, ADULT)
    recent_case = closed(world, 40 * 31, ADULT)
    # A minor's closed case: 36 months instead of 60.
    minor_case = closed(world, 40 * 31, CHILD)
    open_case = CaseFactory(cell=world.cell_a, opened_by=world.coordinator, opened_at=LONG_AGO)
    received = SignalFactory(cell=world.cell_a, reported_by=world.partner1, received_at=LONG_AGO)
    due = _due(world)
    assert due == {
        (RecordType.SIGNAL, old_signal.pk): Rule.NOT_RETAINED,
        (RecordType.SIGNAL, minor_signal.pk): Rule.NOT_RETAINED,
        (RecordType.CASE, old_case.pk): Rule.CLOSED,
        (RecordType.CASE, minor_case.pk): Rule.MINOR,
    }
    assert (RecordType.SIGNAL, young_signal.pk) not in due
    assert (RecordType.CASE, recent_case.pk) not in due
    assert (RecordType.CASE, open_case.pk) not in due
    assert (RecordType.SIGNAL, received.pk) not in due


def test_minor_period_applies_when_shorter(world: World, charter: Charter) -> None:
    charter.retention_not_retained_months = 24
    charter.retention_minor_months = 6
    charter.save()
    minor_signal = not_retained(world, 200, CHILD)
    adult_signal = not_retained(world, 200, ADULT)
    assert _due(world) == {(RecordType.SIGNAL, minor_signal.pk): Rule.MINOR}
    assert adult_signal.pk


def test_nothing_is_due_without_an_active_charter(world: World) -> None:
    closed(world, 61 * 31, ADULT)
    assert selectors.due_records(world.cell_a) == []
    with pytest.raises(RuleViolation):
        services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)


def test_other_cells_records_are_never_due(world: World, charter: Charter) -> None:
    activate_charter(world, cell=world.cell_b, by=world.member_b)
    other = CaseFactory(
        cell=world.cell_b,
        opened_by=world.member_b,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.POSITIVE,
        closed_at=LONG_AGO,
    )
    assert (RecordType.CASE, other.pk) not in _due(world)


def test_plan_covers_every_relation_to_cases_and_signals() -> None:
    """A new model that refers to a case or a signal must be handled by the purge."""
    case_model, signal_model = apps.get_model("cases.Case"), apps.get_model("cases.Signal")
    found: set[type] = set()
    todo = [case_model, signal_model]
    while todo:
        model = todo.pop()
        for field in model._meta.get_fields(include_hidden=True):
            if not isinstance(field, ForeignObjectRel) or field.many_to_many:
                continue
            related = field.related_model
            # Many-to-many link rows go with their row by themselves.
            if related in found or related is case_model or related._meta.auto_created:
                continue
            found.add(related)
            todo.append(related)
    # (Rows that carry only ids, such as the logs and the subject keys, have no relation.)
    missing = {m._meta.label for m in found - purge.PLAN}
    assert missing == set(), f"not handled by the purge: {sorted(missing)}"


# --- The dry run, the approval and the purge on the demo cell -------------------------------


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Path) -> Cell:
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CASUS_ATTACHMENT_DIR = tmp_path / "att"
    load_demo()
    return Cell.objects.get(name=CELL_NAME)


def _person(cell: Cell, role: str) -> User:
    return User.objects.get(memberships__cell=cell, memberships__role=role)


def _age_records(cell: Cell) -> None:
    """Seven years pass for the demo's closed cases and not-retained signals."""
    years = datetime.timedelta(days=365 * 7)
    Case.objects.filter(cell=cell, status=CaseStatus.CLOSED).update(
        opened_at=F("opened_at") - years, closed_at=F("closed_at") - years
    )
    Signal.objects.filter(cell=cell, status=SignalStatus.NOT_RETAINED).update(
        received_at=F("received_at") - years,
        screened_at=F("screened_at") - years,
        handled_at=F("handled_at") - years,
    )


def _run_report(run: PurgeRun) -> set[tuple[str, int]]:
    return set(
        run.items.filter(outcome=ItemOutcome.PENDING).values_list("record_type", "record_id")
    )


def test_dry_run_lists_exactly_what_the_purge_destroys(demo: Cell) -> None:
    cell = demo
    _age_records(cell)
    coordinator, chair = _person(cell, "coordinator"), _person(cell, "chair")
    closed = list(Case.objects.filter(cell=cell, status=CaseStatus.CLOSED))
    assert closed, "the demo has closed cases"
    # A change-log row of a case about to go, readable before the purge.
    target = closed[0]
    events = list(AuditEvent.objects.filter(case_id=target.pk).exclude(values_sealed=""))
    assert events and all(event_values(e) for e in events)
    files = [
        Path(settings_attachment_dir()) / name
        for name in Attachment.objects.filter(case__in=closed).values_list(
            "storage_name", flat=True
        )
    ]
    before = selectors.statistics_for(cell.pk)
    signal_ids = set(Signal.objects.filter(case__in=closed).values_list("pk", flat=True)) | set(
        Signal.objects.filter(cell=cell, status=SignalStatus.NOT_RETAINED).values_list(
            "pk", flat=True
        )
    )

    run = services.purge_run_prepare(actor=coordinator, cell=cell)
    listed = _run_report(run)
    assert listed, "the dry run found due records"
    assert not Notification.objects.filter(user=coordinator, kind="purge_proposed").exists()
    # The dry run destroys nothing.
    assert Case.objects.filter(pk=target.pk).exists()
    services.purge_run_approve(actor=chair, run=run, note="Periods ended.")
    run = services.purge_run_execute(run=PurgeRun.objects.get(pk=run.pk))

    assert run.status == RunStatus.DONE
    destroyed = set(
        DestructionRecord.objects.filter(run=run).values_list("record_type", "record_id")
    )
    assert destroyed == listed
    assert set(run.items.values_list("outcome", flat=True)) <= {
        ItemOutcome.DESTROYED,
        ItemOutcome.HELD,
    }
    # The records and everything under them are gone; nothing else is.
    for record_type, record_id in listed:
        model = Case if record_type == RecordType.CASE else Signal
        assert not model.objects.filter(pk=record_id).exists()
    held = set(run.items.filter(outcome=ItemOutcome.HELD).values_list("record_type", "record_id"))
    for _type, record_id in held:
        assert Case.objects.filter(pk=record_id).exists()
    purged_cases = {i for t, i in listed if t == RecordType.CASE}
    purged_signals = signal_ids - set(Signal.objects.values_list("pk", flat=True))
    assert purged_signals
    assert not JournalEntry.objects.filter(case_id__in=purged_cases).exists()
    assert not AgendaItem.objects.filter(case_id__in=purged_cases).exists()
    # The purged cases' files are removed from disk; the others stay.
    kept = set(Attachment.objects.values_list("storage_name", flat=True))
    assert all(path.exists() == (path.name in kept) for path in files)
    # Statistics over live and destroyed records agree before and after.
    assert selectors.statistics_for(cell.pk) == before
    assert PurgedStatistic.objects.filter(cell=cell).count() == len(listed) + len(
        purged_signals - {i for t, i in listed if t == RecordType.SIGNAL}
    )
    # The purged cases' (and their signals') change-log values are shredded...
    for case_id in purged_cases:
        key = SubjectKey.objects.filter(kind=SubjectKind.CASE, ref_id=case_id).first()
        assert key is None or (key.wrapped == "" and key.destroyed_at is not None)
    if target.pk in purged_cases:
        for event in events:
            with pytest.raises(crypto.Unreadable):
                event_values(AuditEvent.objects.get(pk=event.pk))
    for signal_id in purged_signals:
        key = SubjectKey.objects.filter(kind=SubjectKind.SIGNAL, ref_id=signal_id).first()
        assert key is None or key.wrapped == ""
    # ...while every chain still verifies, the destruction rows included.
    assert chain.verify_chain(cell.pk).ok
    call_command("audit", "verify")
    assert AuditEvent.objects.filter(action="RETENTION_RECORD_DESTROYED").count() == len(listed)


def settings_attachment_dir() -> Path:
    from casus.cases.attachments import attachment_dir

    return attachment_dir()


# --- Focused cases: holds, re-checks, files, handovers, numbering ---------------------------


def _approve_and_run(world: World, run: PurgeRun) -> PurgeRun:
    services.purge_run_approve(actor=world.chair, run=run)
    return services.purge_run_execute(run=PurgeRun.objects.get(pk=run.pk))


def test_purge_removes_files_notices_and_shreds_values(
    world: World, cell_a_due: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    case = cell_a_due["case"]
    attachment = Attachment.objects.get(case=case)
    path = attachment_path(attachment.storage_name)
    assert path.exists()
    changed = list(AuditEvent.objects.filter(case_id=case.pk).exclude(values_sealed=""))
    assert changed and all(event_values(e) for e in changed)
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    assert _run_report(run) == {
        (RecordType.CASE, case.pk),
        (RecordType.SIGNAL, cell_a_due["signal"].pk),
    }
    with django_capture_on_commit_callbacks(execute=True):
        run = _approve_and_run(world, run)
    assert not path.exists()
    assert not Notification.objects.filter(key=f"review_due:{case.pk}").exists()
    for event in changed:
        with pytest.raises(crypto.Unreadable):
            event_values(event)
    assert chain.verify_chain(world.cell_a.pk).ok
    record = DestructionRecord.objects.get(record_type=RecordType.CASE, record_id=case.pk)
    assert record.rule == Rule.CLOSED and record.reference == case.reference
    assert record.rows["cases.JournalEntry"] == 1 and record.rows["cases.Attachment"] == 1
    # The change log keeps who changed what when: the rows are there, the values are not.
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in changed]).count() == len(changed)


def test_a_case_reopened_after_the_dry_run_is_kept(
    world: World, cell_a_due: dict[str, Any]
) -> None:
    case = cell_a_due["case"]
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.FOLLOW_UP, closure_reason="")
    run = _approve_and_run(world, run)
    item = run.items.get(record_type=RecordType.CASE)
    assert (item.outcome, item.reason) == (ItemOutcome.SKIPPED, HoldReason.REOPENED)
    assert Case.objects.filter(pk=case.pk).exists()
    assert not Signal.objects.filter(pk=cell_a_due["signal"].pk).exists()
    assert AuditEvent.objects.filter(action="RETENTION_RECORD_KEPT").count() == 1


def test_a_longer_period_adopted_meanwhile_keeps_the_record(
    world: World, charter: Charter, cell_a_due: dict[str, Any]
) -> None:
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    charter.retention_closed_months = 240
    charter.save()
    run = _approve_and_run(world, run)
    item = run.items.get(record_type=RecordType.CASE)
    assert (item.outcome, item.reason) == (ItemOutcome.SKIPPED, HoldReason.NOT_DUE)


def test_a_case_on_a_coming_agenda_is_held(world: World, cell_a_due: dict[str, Any]) -> None:
    case = cell_a_due["case"]
    meeting = MeetingFactory(
        cell=world.cell_a, status=MeetingStatus.PUBLISHED, created_by=world.coordinator
    )
    AgendaItemFactory(meeting=meeting, case=case)
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    item = run.items.get(record_type=RecordType.CASE)
    assert (item.outcome, item.reason) == (ItemOutcome.HELD, HoldReason.COMING_MEETING)
    run = _approve_and_run(world, run)
    assert Case.objects.filter(pk=case.pk).exists()
    # Once the meeting has ended, the next dry run lists it.
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.ENDED)
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    assert _run_report(run) == {(RecordType.CASE, case.pk)}
    _approve_and_run(world, run)
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not AgendaItem.objects.filter(meeting=meeting).exists()


def test_a_purged_number_is_never_given_again(world: World, cell_a_due: dict[str, Any]) -> None:
    case = cell_a_due["case"]
    Case.objects.filter(pk=case.pk).update(year=NOW.year, number=41)
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    _approve_and_run(world, run)
    with transaction.atomic():
        assert next_case_number(world.cell_a, NOW.year) == 42


def test_a_handover_stays_with_the_receiving_cell(world: World, cell_a_due: dict[str, Any]) -> None:
    case = cell_a_due["case"]
    handover = Handover.objects.create(
        from_case=case,
        from_cell=world.cell_a,
        to_cell=world.cell_b,
        to_municipality=world.cell_b.municipalities.first(),
        subject_family_name="Moved",
        subject_given_names="Person",
        contact=world.coordinator,
        status=HandoverStatus.PENDING,
    )
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    item = run.items.get(record_type=RecordType.CASE)
    assert item.reason == HoldReason.HANDOVER_PENDING
    Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.ACCEPTED)
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    _approve_and_run(world, run)
    handover.refresh_from_db()
    assert handover.from_case_id is None and handover.subject_family_name == "Moved"


# --- Who may do what ------------------------------------------------------------------------


def test_only_the_coordinator_prepares_and_only_the_chair_decides(
    world: World, cell_a_due: dict[str, Any]
) -> None:
    for user in (world.chair, world.dpo, world.information_officer, world.partner1):
        with pytest.raises(Forbidden):
            services.purge_run_prepare(actor=user, cell=world.cell_a)
    with pytest.raises(Forbidden):
        services.purge_run_prepare(actor=world.member_b, cell=world.cell_a)
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    for user in (world.coordinator, world.dpo, world.member_b):
        with pytest.raises(Forbidden):
            services.purge_run_approve(actor=user, run=run)
    with pytest.raises(RuleViolation):
        services.purge_run_reject(actor=world.chair, run=run, note="  ")
    services.purge_run_reject(actor=world.chair, run=run, note="Wait for the court ruling.")
    with pytest.raises(RuleViolation):
        services.purge_run_approve(actor=world.chair, run=run)
    with pytest.raises(RuleViolation):
        services.purge_run_execute(run=PurgeRun.objects.get(pk=run.pk))
    assert Case.objects.filter(pk=cell_a_due["case"].pk).exists()


def test_a_new_dry_run_replaces_the_one_awaiting_approval(
    world: World, cell_a_due: dict[str, Any]
) -> None:
    first = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    second = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    first.refresh_from_db()
    assert first.status == RunStatus.SUPERSEDED and second.status == RunStatus.PROPOSED
    with pytest.raises(RuleViolation):
        services.purge_run_approve(actor=world.chair, run=first)
    # While an approved purge is pending, no new dry run is prepared.
    services.purge_run_approve(actor=world.chair, run=second)
    with pytest.raises(RuleViolation):
        services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)


def test_each_step_is_audited(world: World, cell_a_due: dict[str, Any]) -> None:
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    _approve_and_run(world, run)
    actions = list(
        AuditEvent.objects.filter(cell=world.cell_a, action__startswith="RETENTION_")
        .order_by("seq")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("RETENTION_DRY_RUN", world.coordinator.pk),
        ("RETENTION_PURGE_APPROVED", world.chair.pk),
        ("RETENTION_RECORD_DESTROYED", world.chair.pk),
        ("RETENTION_RECORD_DESTROYED", world.chair.pk),
        ("RETENTION_PURGE_DONE", world.chair.pk),
    ]
    destroyed = AuditEvent.objects.filter(action="RETENTION_RECORD_DESTROYED")
    assert {e.data["rule"] for e in destroyed} == {Rule.CLOSED, Rule.NOT_RETAINED}


def test_destruction_log_and_statistics_are_append_only(
    world: World, cell_a_due: dict[str, Any]
) -> None:
    _approve_and_run(world, services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a))
    record = DestructionRecord.objects.first()
    assert record is not None
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        DestructionRecord.objects.update(rule=Rule.ERASURE)
    with pytest.raises(AppendOnlyError):
        PurgedStatistic.objects.all().delete()


# --- The daily job ------------------------------------------------------------------------------


def test_daily_job_proposes_once_and_carries_out_approved_purges(
    world: World, cell_a_due: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retention_daily() == {"executed": 0, "prepared": 1}
    run = PurgeRun.objects.get(cell=world.cell_a)
    assert run.prepared_by is None
    notice = Notification.objects.get(kind="purge_proposed")
    assert notice.user == world.chair and notice.reference == ""
    # The next day: nothing new to propose while the report waits.
    assert services.retention_daily() == {"executed": 0, "prepared": 0}
    services.purge_run_approve(actor=world.chair, run=run)
    assert services.retention_daily() == {"executed": 1, "prepared": 0}
    assert set(PurgeItem.objects.values_list("outcome", flat=True)) == {ItemOutcome.DESTROYED}
    assert not Case.objects.filter(pk=cell_a_due["case"].pk).exists()
    # Run again: idempotent.
    assert services.retention_daily() == {"executed": 0, "prepared": 0}


def test_an_interrupted_purge_resumes(
    world: World, cell_a_due: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    services.purge_run_approve(actor=world.chair, run=run)
    real = purge.destroy_case

    def broken(case: Case) -> tuple[dict[str, int], list[str]]:
        raise KeyboardInterrupt

    monkeypatch.setattr(purge, "destroy_case", broken)
    with pytest.raises(KeyboardInterrupt):
        services.purge_run_execute(run=PurgeRun.objects.get(pk=run.pk))
    # The signal went (its own transaction); the case stayed, with no half-written rows.
    assert not Signal.objects.filter(pk=cell_a_due["signal"].pk).exists()
    assert Case.objects.filter(pk=cell_a_due["case"].pk).exists()
    assert DestructionRecord.objects.count() == 1
    assert PurgeItem.objects.get(record_type=RecordType.CASE).outcome == ItemOutcome.PENDING
    monkeypatch.setattr(purge, "destroy_case", real)
    run = services.purge_run_execute(run=PurgeRun.objects.get(pk=run.pk))
    assert run.status == RunStatus.DONE and DestructionRecord.objects.count() == 2


def test_a_granted_erasure_makes_a_case_due_at_once(
    world: World, charter: Charter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data-subject workflow names the files to erase; the next purge takes them, open or
    closed, with the rule ``erasure``."""
    from casus.privacy import selectors as privacy_selectors

    open_case = CaseFactory(cell=world.cell_a, opened_by=world.coordinator)
    signal = not_retained(world, 10, ADULT)
    assert _due(world) == {}
    monkeypatch.setattr(
        privacy_selectors,
        "subject_request_erasures",
        lambda cell_id: ({open_case.pk}, {signal.pk}) if cell_id == world.cell_a.pk else ((), ()),
    )
    assert _due(world) == {
        (RecordType.CASE, open_case.pk): Rule.ERASURE,
        (RecordType.SIGNAL, signal.pk): Rule.ERASURE,
    }
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    services.purge_run_approve(actor=world.chair, run=run)
    services.purge_run_execute(run=PurgeRun.objects.get(pk=run.pk))
    assert not Case.objects.filter(pk=open_case.pk).exists()
    assert set(DestructionRecord.objects.values_list("rule", flat=True)) == {Rule.ERASURE}
