"""``casus keys reindex``: after the index key changes, duplicate checks and name search find
the same people again."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from casus.audit.models import AuditEvent
from casus.cases.identity import subject_keys
from casus.cases.models import Case, Signal
from tests.cases.factories import CaseFactory, SignalFactory
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _expected(row: Case | Signal) -> dict[str, str]:
    return subject_keys(
        cell_id=row.cell_id,
        family_name=row.subject_family_name,
        given_names=row.subject_given_names,
        birth_date=row.subject_birth_date,
    )


def test_reindex_derives_every_hash_with_the_new_key(world: World, settings: Any) -> None:
    case = CaseFactory(cell=world.cell_a, opened_by=world.coordinator)
    signal = SignalFactory(cell=world.cell_a, reported_by=world.partner1)
    before = {"case": case.identity_key, "signal": signal.name_key}
    settings.CASUS_INDEX_KEY = "a-new-index-key-" + "x" * 40
    # With the new key, the stored hashes no longer match.
    assert _expected(case)["identity_key"] != before["case"]
    out = StringIO()
    call_command("keys", "reindex", "--batch", "1", stdout=out)
    assert "cases.Case: 1 row(s) re-indexed" in out.getvalue()
    assert "cases.Signal: 1 row(s) re-indexed" in out.getvalue()
    for row in (Case.objects.get(pk=case.pk), Signal.objects.get(pk=signal.pk)):
        expected = _expected(row)
        assert (row.identity_key, row.name_key) == (
            expected["identity_key"],
            expected["name_key"],
        )
    assert AuditEvent.objects.filter(action="BLIND_INDEX_REBUILT").count() == 1
    # Running it again changes nothing.
    out = StringIO()
    call_command("keys", "reindex", stdout=out)
    assert "cases.Case: 0 row(s)" in out.getvalue()
