"""This app's part of the cross-cell URL classification (see tests/test_cross_cell_urls.py)."""

from tests.url_specs import CellPage, ObjectUrl, RegionalUrl, SharedUrl

CLASSIFICATION: dict[str, ObjectUrl | CellPage | SharedUrl | RegionalUrl] = {}
MARKERS: tuple[str, ...] = ()
