"""Identity fields and narratives are sealed at rest under the cell key; rotation re-seals them
in resumable batches and retires the old key only when nothing needs it."""

import datetime
import io

import pytest
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from casus.cases.models import Case, JournalEntry, Signal
from casus.privacy import crypto, keys, rotation
from casus.privacy.fields import Erased
from tests.cases.factories import CaseFactory
from tests.cases.helpers import activate_charter, submit, write_entry
from tests.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def charter(world: World):
    return activate_charter(world)


def stored(model, pk: int, column: str) -> str:
    """The text the database holds, read past the ORM."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def make_case(world: World, **overrides) -> Case:
    fields = {
        "cell": world.cell_a,
        "opened_by": world.chair,
        "subject_family_name": "Verhaeghebeek",
        "subject_given_names": "Milan",
        "subject_birth_date": datetime.date(2010, 3, 14),
        "summary": "Shares violent propaganda at school.",
    }
    fields.update(overrides)
    return CaseFactory(**fields)


def test_identity_and_narrative_are_sealed_in_the_database(world: World) -> None:
    case = make_case(world)
    for column, plain in (
        ("subject_family_name", "Verhaeghebeek"),
        ("subject_given_names", "Milan"),
        ("subject_birth_date", "2010-03-14"),
        ("summary", "Shares violent propaganda"),
    ):
        raw = stored(Case, case.pk, column)
        assert crypto.is_sealed(raw), column
        assert plain not in raw
        assert crypto.key_id_of(raw) == keys.current_key(world.cell_a.pk)[0]
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.subject_family_name, fresh.subject_birth_date) == (
        "Verhaeghebeek",
        datetime.date(2010, 3, 14),
    )
    assert fresh.summary == "Shares violent propaganda at school."
    # The instance keeps its plain values after saving.
    assert case.subject_given_names == "Milan"


def test_every_encrypted_field_seals_through_the_services(world: World, charter) -> None:
    signal = submit(world, observed_behaviour="Talks about travelling to a war zone.")
    for column in ("subject_family_name", "observed_behaviour", "concern"):
        assert crypto.is_sealed(stored(Signal, signal.pk, column))
    case = make_case(world)
    entry = write_entry(world.coordinator, case, text="Home visit with the mother.")
    assert crypto.is_sealed(stored(JournalEntry, entry.pk, "text"))
    assert JournalEntry.objects.get(pk=entry.pk).text == "Home visit with the mother."


def test_each_cell_seals_under_its_own_key(world: World) -> None:
    a = make_case(world)
    b = make_case(world, cell=world.cell_b, opened_by=world.member_b)
    assert crypto.key_id_of(stored(Case, a.pk, "summary")).startswith(f"c{world.cell_a.pk}v")
    assert crypto.key_id_of(stored(Case, b.pk, "summary")).startswith(f"c{world.cell_b.pk}v")


def test_empty_values_stay_empty(world: World) -> None:
    case = make_case(world, summary="", subject_birth_date=None)
    assert stored(Case, case.pk, "summary") == ""
    assert stored(Case, case.pk, "subject_birth_date") is None
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.summary, fresh.subject_birth_date) == ("", None)


def test_sql_lookups_and_updates_by_value_are_refused(world: World) -> None:
    make_case(world)
    with pytest.raises(TypeError):
        list(Case.objects.filter(subject_family_name="Verhaeghebeek"))
    # A pattern over ciphertext would silently find nothing: it does not exist.
    with pytest.raises(FieldError):
        list(Case.objects.filter(subject_family_name__startswith="Verh"))
    with pytest.raises(FieldError):
        list(Case.objects.filter(summary__icontains="propaganda"))
    with pytest.raises(TypeError), transaction.atomic():
        Case.objects.update(summary="overwritten in clear")
    # Emptiness can still be asked.
    assert Case.objects.exclude(summary="").count() == 1


def test_a_value_moved_to_another_field_does_not_open(world: World) -> None:
    case = make_case(world)
    raw = stored(Case, case.pk, "summary")
    with pytest.raises(crypto.Unreadable):
        crypto.decrypt_text(raw, purpose="cases.case.evaluation")


def test_clear_text_from_before_the_migration_is_read_and_sealed_on_save(world: World) -> None:
    case = make_case(world)
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET summary = %s WHERE id = %s", ["old clear", case.pk])  # noqa: S608
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.summary == "old clear"
    fresh.save()
    assert crypto.is_sealed(stored(Case, case.pk, "summary"))


def test_a_crypto_erased_cell_reads_as_erased_and_saving_keeps_the_sealed_text(
    world: World,
) -> None:
    case = make_case(world, cell=world.cell_b, opened_by=world.member_b)
    raw = stored(Case, case.pk, "summary")
    keys.cell_keys_destroy(world.cell_b.pk)
    try:
        fresh = Case.objects.get(pk=case.pk)
        assert isinstance(fresh.summary, Erased) and fresh.summary == ""
        assert fresh.subject_family_name == ""
        fresh.save(update_fields=["summary"])
        assert stored(Case, case.pk, "summary") == raw
    finally:
        keys.cell_key_create(world.cell_b.pk)


# --- Rotation ----------------------------------------------------------------------------------


def _all_values(cell_id: int) -> dict[tuple[str, int, str], object]:
    """Every encrypted value of the cell, opened through the ORM."""
    found = {}
    for model, fields in rotation.encrypted_models():
        path = fields[0].cell_path.replace(".", "__")
        for row in model._base_manager.filter(**{path: cell_id}):
            for field in fields:
                found[(model._meta.label, row.pk, field.attname)] = getattr(row, field.attname)
    return found


def _kids(cell_id: int) -> set[str]:
    kids = set()
    for model, fields in rotation.encrypted_models():
        for field in fields:
            table = model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {field.column} FROM {table}")  # noqa: S608
                kids |= {
                    crypto.key_id_of(value)
                    for (value,) in cursor.fetchall()
                    if crypto.is_sealed(value)
                    and crypto.key_id_of(value).startswith(f"c{cell_id}v")
                }
    return kids


@pytest.fixture
def rich_cell(world: World, charter) -> dict:
    for index in range(3):
        case = make_case(world, subject_family_name=f"Family{index}", summary=f"Summary {index}")
        write_entry(world.coordinator, case, text=f"Journal {index}")
    submit(world, observed_behaviour="Behaviour seen in class.")
    before = _all_values(world.cell_a.pk)
    assert "Journal 2" in before.values() and "Behaviour seen in class." in before.values()
    return before


def test_after_rotation_every_value_opens_with_the_new_key_and_none_needs_the_old(
    world: World, rich_cell: dict
) -> None:
    cell = world.cell_a.pk
    old = keys.current_key(cell)[0]
    other_cell_before = _all_values(world.cell_b.pk)
    new, count = rotation.cell_key_rotate(cell_id=cell, batch=2)
    assert new != old and count.values > 0
    assert _kids(cell) == {new}
    assert rotation.values_needing_old_keys(cell_id=cell) == 0
    assert rotation.cell_key_retire_old(cell_id=cell) == [old]
    assert set(keys.cell_keys(cell).keys) == {new}
    after = _all_values(cell)
    assert after == rich_cell
    assert not any(isinstance(value, Erased) for value in after.values())
    assert _all_values(world.cell_b.pk) == other_cell_before


def test_an_interrupted_rotation_resumes_without_losing_anything(
    world: World, rich_cell: dict
) -> None:
    cell = world.cell_a.pk
    calls = []

    def stop_after_first_batch(label: str, size: int) -> None:
        calls.append(label)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotation.cell_key_rotate(cell_id=cell, batch=1, progress=stop_after_first_batch)
    assert calls
    new = keys.current_key(cell)[0]
    assert rotation.values_needing_old_keys(cell_id=cell) > 0
    with pytest.raises(RuntimeError):
        rotation.cell_key_retire_old(cell_id=cell)
    kid, _count = rotation.cell_key_rotate(cell_id=cell, batch=1, resume=True)
    assert kid == new
    assert rotation.values_needing_old_keys(cell_id=cell) == 0
    rotation.cell_key_retire_old(cell_id=cell)
    assert _all_values(cell) == rich_cell


def test_keys_command(world: World, rich_cell: dict) -> None:
    out = io.StringIO()
    call_command("keys", "status", stdout=out)
    assert f"cell {world.cell_a.pk}: current" in out.getvalue()
    out = io.StringIO()
    call_command("keys", "rotate", "--cell", str(world.cell_a.pk), stdout=out)
    assert "re-sealed" in out.getvalue()
    out = io.StringIO()
    call_command("keys", "retire", "--cell", str(world.cell_a.pk), stdout=out)
    assert "retired c" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("keys", "rotate", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("keys", "rotate", "--cell", "99999", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("keys", "erase-cell", "--cell", str(world.cell_b.pk), "--confirm", "wrong")
    assert _all_values(world.cell_a.pk) == rich_cell


def test_erase_cell_command_makes_the_cell_unreadable(world: World) -> None:
    case = make_case(world, cell=world.cell_b, opened_by=world.member_b)
    try:
        call_command(
            "keys",
            "erase-cell",
            "--cell",
            str(world.cell_b.pk),
            "--confirm",
            world.cell_b.name,
            stdout=io.StringIO(),
        )
        assert Case.objects.get(pk=case.pk).summary == ""
        assert not keys.has_keys(world.cell_b.pk)
    finally:
        keys.cell_key_create(world.cell_b.pk)
