"""Per-cell keys outside the database and per-case keys for crypto-shredding."""

import json
import stat

import pytest
from django.db import transaction

from casus.audit import chain
from casus.audit.models import AuditEvent
from casus.audit.selectors import event_values
from casus.audit.services import audit_record
from casus.cases.services.common import record_case_change
from casus.privacy import crypto, keys
from casus.privacy.models import SubjectKey, SubjectKind
from tests.cases.factories import CaseFactory
from tests.conftest import World

pytestmark = pytest.mark.django_db


# --- Cell keys --------------------------------------------------------------------------------


def test_a_cell_key_file_is_private_and_created_once(world: World) -> None:
    path = keys.key_dir() / f"cell-{world.cell_a.pk}.json"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    kid = keys.cell_key_create(world.cell_a.pk)
    assert kid == keys.current_key(world.cell_a.pk)[0]
    assert json.loads(path.read_text())["current"] == kid


def test_cell_create_writes_the_new_cells_key(world: World) -> None:
    from casus.access.services import cell_create

    cell = cell_create(
        actor=world.installation_admin,
        name="Keyed cell",
        municipalities=[("99999", "Sleutelgem")],
        chair_email="chair@keyed.example",
        chair_name="Chair Keyed",
        admin_email="admin@keyed.example",
        admin_name="Admin Keyed",
    )
    assert keys.has_keys(cell.pk)


def test_values_round_trip_and_are_bound_to_their_purpose(world: World) -> None:
    token = crypto.encrypt_text("Ahmed Peeters", cell_id=world.cell_a.pk, purpose="test.name")
    assert "Ahmed" not in token and crypto.is_sealed(token)
    assert crypto.key_id_of(token) == keys.current_key(world.cell_a.pk)[0]
    assert crypto.decrypt_text(token, purpose="test.name") == "Ahmed Peeters"
    with pytest.raises(crypto.Unreadable):
        crypto.decrypt_text(token, purpose="test.other_field")
    tampered = token[:-6] + ("AAAA==" if not token.endswith("AAAA==") else "BBBB==")
    with pytest.raises(crypto.Unreadable):
        crypto.decrypt_text(tampered, purpose="test.name")


def test_a_new_version_encrypts_and_old_versions_still_decrypt_until_retired(
    world: World,
) -> None:
    cell = world.cell_a.pk
    old_kid = keys.current_key(cell)[0]
    old = crypto.encrypt_text("before", cell_id=cell, purpose="t")
    new_kid = keys.cell_key_add_version(cell)
    assert new_kid != old_kid and keys.current_key(cell)[0] == new_kid
    new = crypto.encrypt_text("after", cell_id=cell, purpose="t")
    assert crypto.key_id_of(new) == new_kid
    assert crypto.decrypt_text(old, purpose="t") == "before"
    resealed = crypto.reseal(old, cell_id=cell, purpose="t")
    assert crypto.key_id_of(resealed) == new_kid
    with pytest.raises(ValueError):
        keys.cell_key_retire(cell, {new_kid})
    keys.cell_key_retire(cell, {old_kid})
    with pytest.raises(crypto.Unreadable):
        crypto.decrypt_text(old, purpose="t")
    assert crypto.decrypt_text(resealed, purpose="t") == "before"


def test_removing_a_cells_key_file_crypto_erases_the_cell(world: World) -> None:
    token = crypto.encrypt_text("secret", cell_id=world.cell_b.pk, purpose="t")
    keys.cell_keys_destroy(world.cell_b.pk)
    with pytest.raises(crypto.Unreadable):
        crypto.decrypt_text(token, purpose="t")
    with pytest.raises(keys.KeyMissing):
        crypto.encrypt_text("more", cell_id=world.cell_b.pk, purpose="t")
    # Other cells are untouched.
    other = crypto.encrypt_text("fine", cell_id=world.cell_a.pk, purpose="t")
    assert crypto.decrypt_text(other, purpose="t") == "fine"
    keys.cell_key_create(world.cell_b.pk)  # the session's later tests need it again


def test_a_value_cannot_be_opened_with_another_cells_key_id(world: World) -> None:
    token = crypto.encrypt_text("secret", cell_id=world.cell_a.pk, purpose="t")
    other_kid = keys.current_key(world.cell_b.pk)[0]
    moved = token.replace(crypto.key_id_of(token), other_kid, 1)
    with pytest.raises(crypto.Unreadable):
        crypto.decrypt_text(moved, purpose="t")


# --- Change-log values under the case's key ---------------------------------------------------


def _case_change(world: World, case, old: str, new: str) -> AuditEvent:
    with transaction.atomic():
        record_case_change(
            actor=world.coordinator,
            action="CASE_SUMMARY_UPDATED",
            case=case,
            changes={"summary": (old, new)},
        )
    return AuditEvent.objects.filter(case_id=case.pk).latest("seq")


def test_case_values_are_sealed_under_the_cases_own_key(world: World) -> None:
    case = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    event = _case_change(world, case, "Old words", "Radicalising via forum X")
    assert "Radicalising" not in event.values_sealed
    key = SubjectKey.objects.get(kind=SubjectKind.CASE, ref_id=case.pk)
    assert crypto.key_id_of(event.values_sealed) == f"s{key.pk}"
    assert "Radicalising" not in key.wrapped
    assert event_values(event) == {"summary": ["Old words", "Radicalising via forum X"]}
    # The DPO-facing part names the field only.
    assert event.data == {"fields": ["summary"]}


def test_destroying_the_case_key_shreds_its_values_and_the_chain_still_verifies(
    world: World,
) -> None:
    case = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    other = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    shredded = _case_change(world, case, "", "Beliefs of the person")
    kept = _case_change(world, other, "", "Other case")
    with transaction.atomic():
        crypto.subject_key_destroy(kind=SubjectKind.CASE, ref_id=case.pk)
    with pytest.raises(crypto.Unreadable):
        event_values(shredded)
    assert event_values(kept) == {"summary": ["", "Other case"]}
    assert chain.verify_chain(world.cell_a.pk).ok
    row = SubjectKey.objects.get(kind=SubjectKind.CASE, ref_id=case.pk)
    assert row.wrapped == "" and row.destroyed_at is not None
    # Nothing new can be sealed for a shredded case.
    with pytest.raises(crypto.Unreadable), transaction.atomic():
        _case_change(world, case, "", "again")


def test_signal_values_use_the_signals_key_and_cell_values_the_cells_subject_key(
    world: World,
) -> None:
    with transaction.atomic():
        signal_event = audit_record(
            actor=world.coordinator,
            action="SIGNAL_UPDATED",
            cell=world.cell_a,
            signal_id=987,
            values={"behaviour": ("", "text")},
        )
        cell_event = audit_record(
            actor=world.coordinator,
            action="LIFE_DOMAIN_UPDATED",
            cell=world.cell_a,
            values={"name": ("a", "b")},
        )
    signal_key = SubjectKey.objects.get(kind=SubjectKind.SIGNAL, ref_id=987)
    assert crypto.key_id_of(signal_event.values_sealed) == f"s{signal_key.pk}"
    # Never the cell key itself: log rows cannot be re-sealed when it rotates.
    cell_key = SubjectKey.objects.get(kind=SubjectKind.CELL, ref_id=world.cell_a.pk)
    assert crypto.key_id_of(cell_event.values_sealed) == f"s{cell_key.pk}"
    with pytest.raises(ValueError), transaction.atomic():
        audit_record(actor=world.chair, action="X", values={"a": (1, 2)})


def test_subject_keys_are_rewrapped_under_a_rotated_cell_key(world: World) -> None:
    case = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    event = _case_change(world, case, "", "Words")
    old_kid = keys.current_key(world.cell_a.pk)[0]
    keys.cell_key_add_version(world.cell_a.pk)
    assert crypto.subject_keys_rewrap(cell_id=world.cell_a.pk) >= 1
    keys.cell_key_retire(world.cell_a.pk, {old_kid})
    assert event_values(event) == {"summary": ["", "Words"]}
