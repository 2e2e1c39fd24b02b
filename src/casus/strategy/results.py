"""The self-evaluation's results: per module the mean, the respondents, the distribution and
the comments — shown only when enough people answered the module to keep answers anonymous.

Pure arithmetic over answer rows, so that it can be tested with known numbers.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.functional import Promise

from .questionnaire import DONT_KNOW_LABEL, MODULE_OF, MODULES, SCORES, Module

#: A module's results show only when at least this many people answered it.
MIN_RESPONDENTS = 3


@dataclass(frozen=True)
class Row:
    """One stored answer: who (only to count people), which statement, the score, the comment."""

    respondent_id: int
    statement: str
    score: int | None
    comment: str


@dataclass
class Bar:
    label: Promise
    count: int
    percent: int  # of the module's answers, rounded


@dataclass
class StatementResult:
    key: str
    text: Promise
    mean: Decimal | None
    answers: int


@dataclass
class ModuleResult:
    module: Module
    respondents: int
    shown: bool
    mean: Decimal | None = None
    answers: int = 0
    distribution: list[Bar] = field(default_factory=list)
    statements: list[StatementResult] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def mean(scores: Sequence[int]) -> Decimal | None:
    """The mean of ``scores`` to two decimals (half up), or None when there are none."""
    if not scores:
        return None
    value = Decimal(sum(scores)) / Decimal(len(scores))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def module_results(rows: Iterable[Row], minimum: int = MIN_RESPONDENTS) -> list[ModuleResult]:
    """Every module's results over ``rows``; a module with fewer than ``minimum`` respondents
    shows only its number of respondents (no mean, no distribution, no comments)."""
    by_module: dict[str, list[Row]] = {module.key: [] for module in MODULES}
    for row in rows:
        module_key = MODULE_OF.get(row.statement)
        if module_key is not None:  # a statement no longer asked counts nowhere
            by_module[module_key].append(row)
    results = []
    for module in MODULES:
        module_rows = by_module[module.key]
        respondents = len({row.respondent_id for row in module_rows})
        result = ModuleResult(module, respondents, shown=respondents >= minimum)
        if result.shown:
            _fill(result, module_rows)
        results.append(result)
    return results


def _fill(result: ModuleResult, rows: list[Row]) -> None:
    scores = [row.score for row in rows if row.score is not None]
    result.mean = mean(scores)
    result.answers = len(rows)
    counts: dict[int | None, int] = {value: 0 for value, _label in SCORES}
    counts[None] = 0
    for row in rows:
        counts[row.score] += 1
    labels: list[tuple[int | None, Any]] = [*SCORES, (None, DONT_KNOW_LABEL)]
    result.distribution = [
        Bar(label, counts[value], round(100 * counts[value] / len(rows)) if rows else 0)
        for value, label in labels
    ]
    for statement in result.module.statements:
        own = [row for row in rows if row.statement == statement.key]
        result.statements.append(
            StatementResult(
                statement.key,
                statement.text,
                mean([row.score for row in own if row.score is not None]),
                len(own),
            )
        )
    # Sorted, never in the order people answered: the order must not tell who wrote what.
    result.comments = sorted(row.comment for row in rows if row.comment)


@dataclass
class ComparisonRow:
    module: Module
    # One cell per year, in the order of ``Comparison.years``: the mean, or None (not shown).
    means: list[Decimal | None]


@dataclass
class Comparison:
    years: list[int]
    rows: list[ComparisonRow]


def comparison(per_year: dict[int, list[ModuleResult]]) -> Comparison:
    """Module means side by side, year after year (only the means a results page shows)."""
    years = sorted(per_year)
    rows = []
    for index, module in enumerate(MODULES):
        rows.append(
            ComparisonRow(
                module,
                [
                    per_year[year][index].mean if per_year[year][index].shown else None
                    for year in years
                ],
            )
        )
    return Comparison(years, rows)
