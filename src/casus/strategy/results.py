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


def _people(rows: Iterable[Row]) -> int:
    return len({row.respondent_id for row in rows})


def module_results(rows: Iterable[Row], minimum: int = MIN_RESPONDENTS) -> list[ModuleResult]:
    """Every module's results over ``rows``. Each figure rests on at least ``minimum`` people:
    a module shows its mean and distribution only when that many gave a score in it ("don't
    know" alone does not count: a reader who answered it would otherwise narrow the others
    down), a statement its mean only when that many scored it, and the comments only when
    that many commented; otherwise only the number of respondents."""
    by_module: dict[str, list[Row]] = {module.key: [] for module in MODULES}
    for row in rows:
        module_key = MODULE_OF.get(row.statement)
        if module_key is not None:  # a statement no longer asked counts nowhere
            by_module[module_key].append(row)
    results = []
    for module in MODULES:
        module_rows = by_module[module.key]
        respondents = _people(module_rows)
        scoring = _people(row for row in module_rows if row.score is not None)
        result = ModuleResult(module, respondents, shown=scoring >= minimum)
        if result.shown:
            _fill(result, module_rows, minimum)
        results.append(result)
    return results


def _fill(result: ModuleResult, rows: list[Row], minimum: int) -> None:
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
        scored = [row for row in own if row.score is not None]
        result.statements.append(
            StatementResult(
                statement.key,
                statement.text,
                mean([row.score for row in scored if row.score is not None])
                if _people(scored) >= minimum
                else None,
                len(own),
            )
        )
    # Sorted, never in the order people answered: the order must not tell who wrote what.
    commented = [row for row in rows if row.comment]
    if _people(commented) >= minimum:
        result.comments = sorted(row.comment for row in commented)


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
