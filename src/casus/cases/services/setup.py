"""A cell's case configuration: default life domains, the cell's own domains."""

from casus.access.models import Cell

from ..defaults import DEFAULT_LIFE_DOMAINS
from ..models import LifeDomain


def cell_case_defaults_create(*, cell: Cell) -> None:
    """Give a new cell the default life domains (called inside ``cell_create``'s transaction)."""
    for position, (code, _label) in enumerate(DEFAULT_LIFE_DOMAINS):
        LifeDomain.objects.get_or_create(cell=cell, code=code, defaults={"position": position})
