"""Re-computing the blind index (the keyed hashes of identities and names) after a change of
``CASUS_INDEX_KEY``: every row's hashes are derived again from its opened names, in batches.

Nothing needs the old key, so an interrupted run is simply run again.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model

from casus.cases.identity import subject_keys


@dataclass(frozen=True)
class Indexed:
    """A model whose rows carry ``identity_key`` and ``name_key`` of a person."""

    model: type[Model]
    # (cell id, family name, given names, birth date) of a row.
    person: Callable[[Any], tuple[int, str, str, date | None]]


def _subject(row: Any) -> tuple[int, str, str, date | None]:
    return row.cell_id, row.subject_family_name, row.subject_given_names, row.subject_birth_date


def indexed_models() -> Iterator[Indexed]:
    """Every model with a blind index, and how to read the person of a row."""
    from casus.cases.models import Case, Signal

    yield Indexed(Signal, _subject)
    yield Indexed(Case, _subject)
    try:
        from casus.privacy.models import SubjectRequest
    except ImportError:
        return
    yield Indexed(
        SubjectRequest,
        lambda r: (
            r.cell_id,
            r.requester_family_name,
            r.requester_given_names,
            r.requester_birth_date,
        ),
    )


def reindex(*, batch: int = 500) -> dict[str, int]:
    """Derive every row's keyed hashes again with the current index key; return the number
    of rows changed per model."""
    changed: dict[str, int] = {}
    for indexed in indexed_models():
        model = indexed.model
        count = 0
        last = 0
        while True:
            with transaction.atomic():
                rows = list(
                    model._default_manager.select_for_update()
                    .filter(pk__gt=last)
                    .order_by("pk")[:batch]
                )
                if not rows:
                    break
                for row in rows:
                    cell_id, family, given, born = indexed.person(row)
                    fresh = subject_keys(
                        cell_id=cell_id, family_name=family, given_names=given, birth_date=born
                    )
                    if any(getattr(row, name) != value for name, value in fresh.items()):
                        model._default_manager.filter(pk=row.pk).update(**fresh)
                        count += 1
                last = rows[-1].pk
        changed[model._meta.label] = count
    return changed
