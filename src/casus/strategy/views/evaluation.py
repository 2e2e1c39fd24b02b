"""The annual self-evaluation: open and close it, answer it, read its results."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from casus.access.rules import Action, can, require
from casus.core.exceptions import CasusError
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page

from .. import selectors, services
from ..forms import AnswerForm, EvaluationOpenForm, answer_initial
from ..results import MIN_RESPONDENTS
from .chart import comparison_chart


def evaluations(request: CellRequest) -> HttpResponse:
    """The cell's self-evaluations: open to answer, and (strategic roles) to manage and read."""
    user, cell = request.user, request.cell
    rows = list(selectors.evaluation_list_for(actor=user, cell=cell))
    answered = selectors.answered_evaluations(actor=user, cell=cell)
    can_manage = can(user, Action.STRATEGY_WRITE, cell)
    context = {
        "rows": [(row, row.pk in answered) for row in rows],
        "can_manage": can_manage,
        "can_read": can(user, Action.STRATEGY_READ, cell),
        "open_form": EvaluationOpenForm(initial={"year": timezone.localdate().year})
        if can_manage
        else None,
    }
    return render_page(request, "strategy/evaluations.html", context)


@require_POST
def evaluation_open(request: CellRequest) -> HttpResponse:
    require(request.user, Action.STRATEGY_WRITE, request.cell)
    form = EvaluationOpenForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Give the year as a number, such as %(year)d.") % {"year": timezone.localdate().year},
        )
        return redirect("strategy:evaluations")
    try:
        evaluation = services.evaluation_open(
            actor=request.user, cell=request.cell, year=form.cleaned_data["year"]
        )
    except CasusError as error:
        messages.error(request, error.message)
        return redirect("strategy:evaluations")
    messages.success(
        request,
        _("The self-evaluation of %(year)d is open: every member can now answer it.")
        % {"year": evaluation.year},
    )
    return redirect("strategy:evaluations")


def evaluation_answer(request: CellRequest, pk: int) -> HttpResponse:
    """The questionnaire, with the person's own answers; read-only once closed."""
    evaluation = selectors.evaluation_get_for_answer(actor=request.user, cell=request.cell, pk=pk)
    mine = selectors.answers_mine(actor=request.user, evaluation=evaluation)
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                count = services.evaluation_answer(
                    actor=request.user, evaluation=evaluation, replies=form.replies()
                )
            except CasusError as error:
                add_rule_error(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Your answer is saved (%(count)d statement). You can change it until "
                        "the self-evaluation closes.",
                        "Your answers are saved (%(count)d statements). You can change them until "
                        "the self-evaluation closes.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("strategy:evaluation_answer", pk=evaluation.pk)
    else:
        form = AnswerForm(initial=answer_initial(mine))
    context = {
        "evaluation": evaluation,
        "form": form,
        "mine": mine,
        "threshold": MIN_RESPONDENTS,
    }
    return render_page(request, "strategy/answer.html", context, status=400 if form.errors else 200)


@require_POST
def evaluation_close(request: CellRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get_for(actor=request.user, cell=request.cell, pk=pk)
    try:
        services.evaluation_close(actor=request.user, evaluation=evaluation)
    except CasusError as error:
        messages.error(request, error.message)
        return redirect("strategy:evaluations")
    messages.success(request, _("The self-evaluation is closed; its results can be read."))
    return redirect("strategy:evaluation_results", pk=evaluation.pk)


@require_GET
def evaluation_results(request: CellRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get_for(actor=request.user, cell=request.cell, pk=pk)
    context = {
        "evaluation": evaluation,
        "modules": selectors.evaluation_results_for(actor=request.user, evaluation=evaluation),
        "respondents": selectors.respondent_count(evaluation),
        "threshold": MIN_RESPONDENTS,
        "can_manage": can(request.user, Action.STRATEGY_WRITE, request.cell),
    }
    return render_page(request, "strategy/results.html", context)


def evaluation_compare(request: CellRequest) -> HttpResponse:
    """Module means of the closed self-evaluations, year after year: a table and a chart."""
    comparison = selectors.evaluation_comparison_for(actor=request.user, cell=request.cell)
    context = {
        "comparison": comparison,
        "chart": comparison_chart(comparison),
        "threshold": MIN_RESPONDENTS,
    }
    return render_page(request, "strategy/compare.html", context)
