"""Signals: the reporter's list, new signals, the screening queue, the chair's decisions and
one signal's page (opinions, screening, decision, joining a case)."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casus.access import rules
from casus.access.models import Role
from casus.access.rules import Action, can, require
from casus.core.exceptions import CasusError, EditConflict
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page

from ..forms.signals import (
    DecideForm,
    JoinForm,
    OpinionForm,
    OutsideSignalForm,
    ScreenForm,
    SignalForm,
    VersionedForm,
)
from ..models import CaseStatus, Signal, SignalStatus
from ..selectors import signals as selectors
from ..services import signals as services


def home(request: CellRequest) -> HttpResponse:
    """My signals: reference, date received, and "received" or "handled on <date>"."""
    cell = request.cell
    mine = selectors.signal_list_mine(actor=request.user, cell=cell)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "accepting": services.cell_accepts_signals(cell),
        "can_enter_outside": can(request.user, Action.SIGNAL_ENTER_OUTSIDE, cell),
        "can_screen": can(request.user, Action.SIGNAL_SCREEN, cell),
        "can_decide": can(request.user, Action.SIGNAL_DECIDE, cell),
    }
    return render_page(request, "cases/signals/home.html", context)


def _new(request: CellRequest, *, outside: bool) -> HttpResponse:
    cell = request.cell
    require(request.user, Action.SIGNAL_ENTER_OUTSIDE if outside else Action.SIGNAL_SUBMIT, cell)
    form_class = OutsideSignalForm if outside else SignalForm
    form = form_class(request.POST or None, cell=cell)
    if request.method == "POST" and form.is_valid():
        service = services.signal_enter_outside if outside else services.signal_submit
        try:
            signal = service(actor=request.user, cell=cell, **form.service_values())
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(
                request,
                _("Signal %(reference)s received. Thank you.") % {"reference": signal.reference},
            )
            if outside:
                return redirect("cases:signal_detail", signal.pk)
            return redirect("cases:signals")
    context = {
        "form": form,
        "outside": outside,
        "accepting": services.cell_accepts_signals(cell),
    }
    return render_page(request, "cases/signals/new.html", context)


def signal_new(request: CellRequest) -> HttpResponse:
    return _new(request, outside=False)


def signal_outside_new(request: CellRequest) -> HttpResponse:
    return _new(request, outside=True)


def screening(request: CellRequest) -> HttpResponse:
    """The queue of signals awaiting screening (and those proposed to the chair)."""
    queue = list(selectors.screening_queue_for(actor=request.user, cell=request.cell))
    selectors.signal_list_read_record(
        actor=request.user, cell=request.cell, view="screening", signals=queue
    )
    context = {
        "received": [s for s in queue if s.status == SignalStatus.RECEIVED],
        "proposed": [s for s in queue if s.status == SignalStatus.PROPOSED],
        "can_enter_outside": can(request.user, Action.SIGNAL_ENTER_OUTSIDE, request.cell),
    }
    return render_page(request, "cases/signals/screening.html", context)


def decisions(request: CellRequest) -> HttpResponse:
    """The chair's list of proposed signals: summary, both opinions, duplicate check."""
    proposed = selectors.decision_queue_for(actor=request.user, cell=request.cell)
    selectors.signal_list_read_record(
        actor=request.user, cell=request.cell, view="decisions", signals=proposed
    )
    return render_page(request, "cases/signals/decisions.html", {"signals": proposed})


# --- One signal -------------------------------------------------------------------------------


def _own_opinion_field(request: CellRequest) -> str:
    if request.membership.role == Role.COORDINATOR:
        return "coordinator_opinion"
    return "officer_opinion"


def _render_detail(
    request: CellRequest,
    signal: Signal,
    *,
    forms: dict[str, VersionedForm] | None = None,
    conflict: dict[str, Any] | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    """The signal page; ``forms`` replaces the blank forms with bound ones after an error, and
    ``errors`` (a service's refusal) is shown at the top of the page."""
    user, cell = request.user, request.cell
    forms = forms or {}
    selectors.attach_duplicates(actor=user, cell=cell, signals=[signal])
    selectors.signal_read_record(actor=user, signal=signal)
    screens = can(user, Action.SIGNAL_SCREEN, cell)
    decides = can(user, Action.SIGNAL_DECIDE, cell)
    screening_open = screens and signal.status == SignalStatus.RECEIVED
    deciding_open = decides and signal.status == SignalStatus.PROPOSED
    initial = {"version": signal.version}
    context: dict[str, Any] = {
        "signal": signal,
        "source_visible": selectors.source_visible(actor=user, signal=signal),
        "conflict": conflict,
        "errors": errors or [],
        "opinion_form": None,
        "screen_form": None,
        "decide_form": None,
        "both_opinions": bool(signal.coordinator_opinion and signal.officer_opinion),
    }
    if screening_open:
        own = getattr(signal, _own_opinion_field(request))
        context["opinion_form"] = forms.get("opinion") or OpinionForm(
            initial={**initial, "opinion": own}
        )
        context["screen_form"] = forms.get("screen") or ScreenForm(initial=initial)
    if deciding_open:
        context["decide_form"] = forms.get("decide") or DecideForm(initial=initial)
    # Who may join the signal to which case is the rules' decision, case by case.
    context["join_options"] = [
        {
            "case": case,
            "reopens": case.status == CaseStatus.CLOSED,
            "allowed": rules.signal_join_allowed(user, signal, case),
        }
        for case in signal.duplicates.cases  # type: ignore[attr-defined]
    ]
    # The join section belongs to the open stage: screening, or the chair's decision.
    context["can_join"] = screening_open or deciding_open
    return render_page(request, "cases/signals/detail.html", context)


def signal_detail(request: CellRequest, pk: int) -> HttpResponse:
    signal = selectors.signal_get_for(actor=request.user, cell=request.cell, pk=pk)
    return _render_detail(request, signal)


def _with_version(data: QueryDict, version: int) -> QueryDict:
    fresh = data.copy()
    fresh["version"] = str(version)
    return fresh


def _refused(
    request: CellRequest,
    pk: int,
    key: str,
    form: VersionedForm,
    error: CasusError,
    stored_field: str,
) -> HttpResponse:
    """Re-render the signal page after a refusal; on a conflict, show both texts side by side
    and let the user save again over the version they now see."""
    signal = selectors.signal_get_for(actor=request.user, cell=request.cell, pk=pk)
    conflict = None
    if isinstance(error, EditConflict):
        conflict = {
            "mine": form.cleaned_data.get(form.text_field, ""),
            "theirs": getattr(signal, stored_field),
        }
        form = type(form)(_with_version(form.data, signal.version))  # type: ignore[arg-type]
    return _render_detail(
        request, signal, forms={key: form}, conflict=conflict, errors=[error.message]
    )


def _version(form: VersionedForm) -> int:
    return int(form.cleaned_data["version"])


@require_POST
def signal_opinion(request: CellRequest, pk: int) -> HttpResponse:
    signal = selectors.signal_get_for(actor=request.user, cell=request.cell, pk=pk)
    require(request.user, Action.SIGNAL_SCREEN, request.cell)
    form = OpinionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, signal, forms={"opinion": form})
    try:
        services.signal_opinion_record(
            actor=request.user,
            signal=signal,
            opinion=form.cleaned_data["opinion"],
            version=_version(form),
        )
    except CasusError as error:
        return _refused(request, pk, "opinion", form, error, _own_opinion_field(request))
    messages.success(request, _("Your opinion is recorded."))
    return redirect("cases:signal_detail", signal.pk)


@require_POST
def signal_screen(request: CellRequest, pk: int) -> HttpResponse:
    signal = selectors.signal_get_for(actor=request.user, cell=request.cell, pk=pk)
    require(request.user, Action.SIGNAL_SCREEN, request.cell)
    form = ScreenForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, signal, forms={"screen": form})
    try:
        signal = services.signal_screen(
            actor=request.user,
            signal=signal,
            outcome=form.cleaned_data["outcome"],
            summary=form.cleaned_data["summary"],
            referral=form.cleaned_data["referral"],
            version=_version(form),
            referred_offer_id=form.referred_offer_id(),
        )
    except CasusError as error:
        return _refused(request, pk, "screen", form, error, "screening_summary")
    if signal.status == SignalStatus.PROPOSED:
        messages.success(
            request, _("Signal %(reference)s is proposed to the chair.") % {"reference": signal}
        )
    else:
        messages.success(
            request, _("Signal %(reference)s is not retained.") % {"reference": signal}
        )
    return redirect("cases:screening")


@require_POST
def signal_decide(request: CellRequest, pk: int) -> HttpResponse:
    signal = selectors.signal_get_for(actor=request.user, cell=request.cell, pk=pk)
    require(request.user, Action.SIGNAL_DECIDE, request.cell)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, signal, forms={"decide": form})
    try:
        signal = services.signal_decide(
            actor=request.user,
            signal=signal,
            retain=form.cleaned_data["decision"] == "retain",
            note=form.cleaned_data["note"],
            version=_version(form),
        )
    except CasusError as error:
        return _refused(request, pk, "decide", form, error, "decision_note")
    if signal.case_id is not None:
        messages.success(
            request,
            _("Case %(case)s is opened and on the case list.") % {"case": signal.case},
        )
        return redirect("cases:detail", signal.case_id)
    messages.success(request, _("Signal %(reference)s is not retained.") % {"reference": signal})
    return redirect("cases:decisions")


@require_POST
def signal_join(request: CellRequest, pk: int) -> HttpResponse:
    # Only those who may open the signal get this far (404 otherwise); the service then asks
    # the rules whether they may join it to the chosen case.
    signal = selectors.signal_get_for(actor=request.user, cell=request.cell, pk=pk)
    form = JoinForm(
        request.POST, cases=selectors.join_candidates_for(actor=request.user, signal=signal)
    )
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return _render_detail(request, signal, errors=errors)
    try:
        signal = services.signal_join(
            actor=request.user,
            signal=signal,
            case=form.cleaned_data["case"],
            version=_version(form),
        )
    except CasusError as error:
        signal = selectors.signal_get_for(actor=request.user, cell=request.cell, pk=pk)
        return _render_detail(request, signal, errors=[error.message])
    messages.success(
        request,
        _("Signal %(reference)s is joined to case %(case)s.")
        % {"reference": signal, "case": signal.case},
    )
    return redirect("cases:detail", signal.case_id)


urlpatterns: list[URLPattern] = [
    path("signals/", home, name="signals"),
    path("signals/new/", signal_new, name="signal_new"),
    path("signals/new/outside/", signal_outside_new, name="signal_outside_new"),
    path("signals/screening/", screening, name="screening"),
    path("signals/decisions/", decisions, name="decisions"),
    path("signals/<int:pk>/", signal_detail, name="signal_detail"),
    path("signals/<int:pk>/opinion/", signal_opinion, name="signal_opinion"),
    path("signals/<int:pk>/screen/", signal_screen, name="signal_screen"),
    path("signals/<int:pk>/decide/", signal_decide, name="signal_decide"),
    path("signals/<int:pk>/join/", signal_join, name="signal_join"),
]
