"""What the monitoring pages show, in which order and under which name.

Each row names a count of ``indicators.figures_for`` (or a duration list for a median, or two
counts for a share). Structure rows are about the cell, not about persons: shown exactly in
every view. Every other count goes through small-number suppression in the published views.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casus.access.models import Sector, TableKind
from casus.cases.models import ClosureReason, ScreeningOutcome

from .indicators import DESTROYED, NOT_RETAINED, OUTSIDE, Figures

COUNT, STOCK, MEDIAN, SHARE, FLAG = "count", "stock", "median", "share", "flag"


@dataclass(frozen=True)
class Row:
    key: str  # a count, a duration list (median) or "numerator/denominator" (share)
    label: str | Promise
    kind: str = COUNT
    indent: bool = False
    #: Year column of a structure row: the last quarter's value (a state) or the sum (a flow).
    year_is_last: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    rows: list[Row]
    note: str | Promise = ""
    structure: bool = False


@dataclass(frozen=True)
class Breakdown:
    """A total and its categories: drawn as a bar chart beside its table."""

    prefix: str
    title: str | Promise
    categories: Sequence[tuple[str, str | Promise]] = field(default_factory=list)


SOURCE_SECTORS = [
    *Sector.choices,
    (OUTSIDE, _("Outside reporter")),
    (DESTROYED, _("Destroyed record (source no longer known)")),
]

BREAKDOWNS = [
    Breakdown("structure.members", _("Members at the end of the period by sector"), Sector.choices),
    Breakdown("structure.meetings", _("Meetings held by table"), TableKind.choices),
    Breakdown("signals.received", _("Signals received by source sector"), SOURCE_SECTORS),
    Breakdown("signals.screened", _("Signals screened by outcome"), ScreeningOutcome.choices),
    Breakdown("cases.closed", _("Cases closed by reason"), ClosureReason.choices),
]
BREAKDOWN_PREFIXES = {breakdown.prefix for breakdown in BREAKDOWNS}


def _breakdown(prefix: str, total_label: str | Promise) -> list[Row]:
    breakdown = next(b for b in BREAKDOWNS if b.prefix == prefix)
    state = prefix == "structure.members"
    return [
        Row(prefix, total_label, year_is_last=state),
        *(
            Row(f"{prefix}.{code}", label, indent=True, year_is_last=state)
            for code, label in breakdown.categories
        ),
    ]


SECTIONS = [
    Section(
        "structure",
        _("Structure"),
        [
            Row(
                "structure.charter_active",
                _("Charter active at the end of the period"),
                FLAG,
                year_is_last=True,
            ),
            Row("structure.charter_version", _("Charter version"), year_is_last=True),
            *_breakdown("structure.members", _("Members at the end of the period")),
            *_breakdown("structure.meetings", _("Meetings held")),
            Row("structure.invited", _("Invitations to held meetings")),
            Row("structure.present", _("Present at held meetings")),
            Row("structure.present/structure.invited", _("Attendance (present / invited)"), SHARE),
            Row(
                "structure.statements_ok",
                _("Members with an up-to-date confidentiality statement at the end of the period"),
                year_is_last=True,
            ),
        ],
        note=_("About the cell, not about persons: shown exactly, also in the published view."),
        structure=True,
    ),
    Section(
        "process",
        _("Process"),
        [
            *_breakdown("signals.received", _("Signals received")),
            *_breakdown("signals.screened", _("Signals screened")),
            Row("signals.not_retained", _("Signals not retained")),
            Row("signals.not_retained/signals.screened", _("Share not retained"), SHARE),
            Row("screening_days", _("Median days from receipt to screening"), MEDIAN),
            Row("discussion_days", _("Median days from screening to the first discussion"), MEDIAN),
            Row("cases.opened", _("Cases opened")),
            Row("cases.closed", _("Cases closed")),
            Row("cases.reopened", _("Cases reopened")),
            Row("cases.open_end", _("Open cases at the end of the period"), STOCK),
            Row("case_days", _("Median duration of the cases closed (days)"), MEDIAN),
            Row("actions.done_on_time", _("Actions done on time")),
            Row("actions.done_late", _("Actions done late")),
            Row("actions.overdue_end", _("Actions overdue at the end of the period"), STOCK),
        ],
    ),
    Section(
        "sharing",
        _("Information sharing"),
        [
            Row("feedback.proposed", pgettext_lazy("feedback sheets", "Feedback sheets proposed")),
            Row("feedback.sent", pgettext_lazy("feedback sheets", "Feedback sheets sent")),
            Row("feedback.blocked", pgettext_lazy("feedback sheets", "Feedback sheets blocked")),
        ],
    ),
    Section(
        "outcomes",
        _("Outcomes"),
        [
            *(
                Row(f"cases.closed.{code}", label, indent=False)
                for code, label in ClosureReason.choices
            ),
            Row("cases.reopened", _("Reopenings")),
        ],
    ),
]


#: A region's structure rows: totals over the cells counted (not a cell's state). Whether a
#: charter is active becomes how many cells have one; a charter version summed over cells
#: means nothing and is left out. Members are counted once per cell they sit in.
REGIONAL_STRUCTURE = Section(
    "structure",
    _("Structure"),
    [
        Row(
            "structure.charter_active",
            _("Cells with an active charter at the end of the period"),
            year_is_last=True,
        ),
        *(
            Row(row.key, label, row.kind, row.indent, row.year_is_last)
            for row, label in zip(
                _breakdown("structure.members", _("Members at the end of the period")),
                [
                    _("Members at the end of the period (total over the cells)"),
                    *(label for _code, label in Sector.choices),
                ],
                strict=True,
            )
        ),
        *(
            Row(row.key, label, row.kind, row.indent, row.year_is_last)
            for row, label in zip(
                _breakdown("structure.meetings", _("Meetings held")),
                [
                    _("Meetings held (total over the cells)"),
                    *(label for _code, label in TableKind.choices),
                ],
                strict=True,
            )
        ),
        Row("structure.invited", _("Invitations to held meetings (total over the cells)")),
        Row("structure.present", _("Present at held meetings (total over the cells)")),
        Row("structure.present/structure.invited", _("Attendance (present / invited)"), SHARE),
        Row(
            "structure.statements_ok",
            _(
                "Members with an up-to-date confidentiality statement at the end of the period "
                "(total over the cells)"
            ),
            year_is_last=True,
        ),
    ],
    note=_(
        "About the cells, not about persons: totals over the cells counted in each quarter, "
        "shown exactly. A person sitting in two cells counts in both."
    ),
    structure=True,
)


def sections_for(*, regional: bool = False) -> list[Section]:
    """The sections of a cell's page, or of a region's (its own structure rows)."""
    if not regional:
        return SECTIONS
    return [REGIONAL_STRUCTURE if s.key == "structure" else s for s in SECTIONS]


def suppressed_keys(counts: dict[str, int]) -> list[str]:
    """The counts that go through small-number suppression (all but the structure)."""
    return sorted(key for key in counts if not key.startswith("structure."))


STOCKS = ("cases.open_end", "actions.overdue_end")

#: Category identities that hold for every column: total = Σ parts.
SUMS = [
    *(
        (b.prefix, [f"{b.prefix}.{code}" for code, _label in b.categories])
        for b in BREAKDOWNS
        if not b.prefix.startswith("structure.")
    ),
    ("signals.not_retained", [f"signals.screened.{code}" for code in NOT_RETAINED]),
]


#: Every count ``indicators.figures_for`` returns, and its duration lists.
COUNT_KEYS = frozenset(
    [
        *(
            part
            for section in SECTIONS
            for row in section.rows
            if row.kind != MEDIAN
            for part in row.key.split("/")
        ),
        *(part for _total, parts in SUMS for part in parts),
    ]
)
DURATION_KEYS = frozenset(
    row.key for section in SECTIONS for row in section.rows if row.kind == MEDIAN
)


def normalised(figures: Figures) -> Figures:
    """Frozen figures read against today's catalog. A category added after the quarter was
    frozen (a new sector, screening outcome, closure reason or table kind) did not exist then:
    nobody could have used it, so it counts 0. A count the catalog no longer knows is dropped;
    its total then no longer equals the sum of its parts, and ``publication`` declares no
    relation that does not hold exactly."""
    counts = {key: figures["counts"].get(key, 0) for key in COUNT_KEYS}
    durations = {key: list(figures["durations"].get(key, [])) for key in DURATION_KEYS}
    return {"counts": counts, "durations": durations}
