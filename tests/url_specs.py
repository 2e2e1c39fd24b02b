"""The kinds of URL of the cross-cell test's classification (see tests/test_cross_cell_urls.py)."""

from dataclasses import dataclass, field
from typing import Any

from casus.access.models import Role


@dataclass(frozen=True)
class Ref:
    """A value of ``ObjectUrl.data`` taken from the objects of the URL's cell: "key" (its pk)
    or "key.attribute" — a form field naming another object, or an edit's version."""

    ref: str


@dataclass(frozen=True)
class ObjectUrl:
    """(a) A URL naming one object of a cell by ``pk`` (and, inside it, maybe more)."""

    object: str  # key of the objects fixture: organisation, table, membership, case, ...
    roles: frozenset[Role]  # who may open it in their own cell
    post_only: bool = False
    get_only: bool = False  # ``require_GET``: a POST is 405 whatever the ids, and is not tried
    data: dict[str, Any] = field(default_factory=dict)  # a POST that would write if allowed
    # The URL's other ids: kwarg → key of the objects fixture (its pk) or "key.attribute".
    ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CellPage:
    """(b) A page of the active cell, without ids."""

    roles: frozenset[Role]
    post_only: bool = False  # an action of the active cell that returns to a page


@dataclass(frozen=True)
class InstallationUrl:
    """(c) Installation administration."""

    object: str | None = None  # "cell", "user" or "request" when the URL names one
    post_only: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    writes: str | None = None  # the audit action the installation administrator's POST writes


@dataclass(frozen=True)
class PublicUrl:
    """(d) Open to anyone (or to anyone logged in), naming no cell data."""

    method: str = "get"


@dataclass(frozen=True)
class SharedUrl:
    """(e) Installation-wide knowledge (practice fiches, social map), naming no cell data:
    every logged-in person reads it; ``editors_only`` pages are for knowledge editors alone."""

    object: str | None = None  # key of Cells.shared when the URL names one
    editors_only: bool = False
    post_only: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # a POST that would write if allowed


@dataclass(frozen=True)
class RegionalUrl:
    """(f) A regional support body's aggregates: its regional support people alone."""

    object: str | None = None  # key of Cells.shared when the URL names one
