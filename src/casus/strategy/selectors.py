"""Reads of the strategy app, each starting from the actor's cell and checked by the rules.

Plan, diagnosis and results: the strategic roles (``STRATEGY_READ``). The self-evaluation to
answer: everyone who answers (``SELF_EVALUATION_ANSWER``), who sees only their own answers.
Anything of another cell, or refused, is answered 404.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone

from casus.access.models import Cell, Membership, Organisation, User
from casus.access.rules import Action, require
from casus.core.exceptions import Forbidden

from . import results
from .models import (
    Answer,
    DiagnosisDocument,
    EvaluationStatus,
    Finding,
    Objective,
    Priority,
    ProgressNote,
    SelfEvaluation,
)


def _one[T: Model](queryset: "QuerySet[T]", pk: object, what: str) -> T:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Forbidden(what) from None


# --- The strategic table -------------------------------------------------------------------


def plan_years_for(*, actor: User, cell: Cell) -> list[int]:
    """Years with priorities, objectives or findings, and this year; newest first."""
    require(actor, Action.STRATEGY_READ, cell)
    years = {timezone.localdate().year}
    for model in (Priority, Objective, Finding):
        years.update(model.objects.filter(cell=cell).values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


def priority_list_for(*, actor: User, cell: Cell, year: int) -> QuerySet[Priority]:
    require(actor, Action.STRATEGY_READ, cell)
    return Priority.objects.filter(cell=cell, year=year).order_by("order", "id")


def priority_get_for(*, actor: User, cell: Cell, pk: object) -> Priority:
    require(actor, Action.STRATEGY_READ, cell)
    return _one(Priority.objects.filter(cell=cell), pk, "priority")


def objective_list_for(*, actor: User, cell: Cell, year: int) -> QuerySet[Objective]:
    """The plan of ``year``: objectives with their priority, owners and notes (newest first)."""
    require(actor, Action.STRATEGY_READ, cell)
    notes = ProgressNote.objects.select_related("author").order_by("-created_at", "-id")
    return (
        Objective.objects.filter(cell=cell, year=year)
        .select_related("priority", "owner_organisation", "owner_person")
        .prefetch_related(Prefetch("notes", queryset=notes))
        .order_by("priority__order", "priority_id", "target_date", "id")
    )


def objective_get_for(*, actor: User, cell: Cell, pk: object) -> Objective:
    require(actor, Action.STRATEGY_READ, cell)
    queryset = Objective.objects.filter(cell=cell).select_related(
        "priority", "owner_organisation", "owner_person"
    )
    return _one(queryset, pk, "objective")


def note_list_for(*, actor: User, objective: Objective) -> QuerySet[ProgressNote]:
    require(actor, Action.STRATEGY_READ, objective.cell_id)
    return objective.notes.select_related("author").order_by("-created_at", "-id")


def priority_choices(*, cell: Cell, year: int | None = None) -> QuerySet[Priority]:
    priorities = Priority.objects.filter(cell=cell)
    return priorities.filter(year=year) if year is not None else priorities


def organisation_choices(*, cell: Cell, current: int | None = None) -> QuerySet[Organisation]:
    """The cell's organisations that take part (and the one already chosen)."""
    active = Organisation.objects.filter(cell=cell, is_active=True)
    if current is not None:
        active = active | Organisation.objects.filter(cell=cell, pk=current)
    return active.order_by("name")


def person_choices(*, cell: Cell, current: int | None = None) -> QuerySet[User]:
    """The cell's current members (and the person already chosen)."""
    seated = Membership.objects.current().filter(cell=cell).values("user_id")
    people = User.objects.filter(pk__in=seated)
    if current is not None:
        people = people | User.objects.filter(pk=current)
    return people.distinct().order_by("full_name")


# --- The local diagnosis -------------------------------------------------------------------


def document_list_for(*, actor: User, cell: Cell) -> QuerySet[DiagnosisDocument]:
    require(actor, Action.STRATEGY_READ, cell)
    return DiagnosisDocument.objects.filter(cell=cell).order_by("-dated_on", "-id")


def document_get_for(*, actor: User, cell: Cell, pk: object) -> DiagnosisDocument:
    require(actor, Action.STRATEGY_READ, cell)
    return _one(DiagnosisDocument.objects.filter(cell=cell), pk, "document")


def finding_list_for(*, actor: User, cell: Cell, year: int) -> QuerySet[Finding]:
    require(actor, Action.STRATEGY_READ, cell)
    return Finding.objects.filter(cell=cell, year=year).select_related("document").order_by("id")


def finding_get_for(*, actor: User, cell: Cell, pk: object) -> Finding:
    require(actor, Action.STRATEGY_READ, cell)
    return _one(Finding.objects.filter(cell=cell).select_related("document"), pk, "finding")


# --- The self-evaluation -------------------------------------------------------------------


def evaluation_list_for(*, actor: User, cell: Cell) -> QuerySet[SelfEvaluation]:
    """The cell's self-evaluations, newest first: for everyone who answers."""
    require(actor, Action.SELF_EVALUATION_ANSWER, cell)
    return SelfEvaluation.objects.filter(cell=cell).order_by("-year")


def evaluation_get_for_answer(*, actor: User, cell: Cell, pk: object) -> SelfEvaluation:
    """A self-evaluation to answer (or to see one's own answers to)."""
    require(actor, Action.SELF_EVALUATION_ANSWER, cell)
    return _one(SelfEvaluation.objects.filter(cell=cell), pk, "self-evaluation")


def evaluation_get_for(*, actor: User, cell: Cell, pk: object) -> SelfEvaluation:
    """A self-evaluation to manage or to read the results of: strategic roles only."""
    require(actor, Action.STRATEGY_READ, cell)
    return _one(SelfEvaluation.objects.filter(cell=cell), pk, "self-evaluation")


def answers_mine(*, actor: User, evaluation: SelfEvaluation) -> dict[str, Answer]:
    """The actor's own answers, by statement key (nobody else's, ever)."""
    require(actor, Action.SELF_EVALUATION_ANSWER, evaluation.cell_id)
    return {
        answer.statement: answer
        for answer in Answer.objects.filter(evaluation=evaluation, respondent=actor)
    }


def answered_evaluations(*, actor: User, cell: Cell) -> set[int]:
    """The ids of the cell's self-evaluations the actor answered."""
    require(actor, Action.SELF_EVALUATION_ANSWER, cell)
    return set(
        Answer.objects.filter(evaluation__cell=cell, respondent=actor)
        .values_list("evaluation_id", flat=True)
        .distinct()
    )


def respondent_count(evaluation: SelfEvaluation) -> int:
    return evaluation.answers.values("respondent").distinct().count()


def _rows(evaluation_ids: list[int]) -> dict[int, list[results.Row]]:
    rows: dict[int, list[results.Row]] = {pk: [] for pk in evaluation_ids}
    answers = Answer.objects.filter(evaluation_id__in=evaluation_ids).only(
        "evaluation_id", "respondent_id", "statement", "score", "comment"
    )
    for answer in answers:
        rows[answer.evaluation_id].append(
            results.Row(answer.respondent_id, answer.statement, answer.score, answer.comment)
        )
    return rows


def evaluation_results_for(
    *, actor: User, evaluation: SelfEvaluation
) -> list[results.ModuleResult] | None:
    """The results per module, once the self-evaluation is closed (None while it is open:
    results that change as each person answers would tell what that person answered)."""
    require(actor, Action.STRATEGY_READ, evaluation.cell_id)
    if evaluation.status != EvaluationStatus.CLOSED:
        return None
    return results.module_results(_rows([evaluation.pk])[evaluation.pk])


def evaluation_comparison_for(*, actor: User, cell: Cell) -> results.Comparison:
    """Module means of the cell's closed self-evaluations, year after year."""
    require(actor, Action.STRATEGY_READ, cell)
    closed = dict(
        SelfEvaluation.objects.filter(cell=cell, status=EvaluationStatus.CLOSED).values_list(
            "pk", "year"
        )
    )
    rows = _rows(list(closed))
    return results.comparison(
        {year: results.module_results(rows[pk]) for pk, year in closed.items()}
    )
