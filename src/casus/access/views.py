"""Cell setup (drafted by the cell administrator) and approvals (by the chair)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casus.core.exceptions import CasusError
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page

from . import imports, selectors, services
from .forms import (
    CharterForm,
    DecisionForm,
    EndMembershipForm,
    ImportForm,
    MembershipRequestForm,
    OrganisationForm,
    StatementTextForm,
    TableForm,
)
from .models import DocumentStatus, RequestKind
from .rules import Action, can, require


def home(request: CellRequest) -> HttpResponse:
    cell = request.cell
    require(request.user, Action.SETUP_VIEW, cell)
    context = {
        "status": selectors.setup_status_for(actor=request.user, cell=cell),
        "can_draft": can(request.user, Action.SETUP_DRAFT, cell),
    }
    return render_page(request, "access/setup_home.html", context)


# --- Organisations --------------------------------------------------------------------------


def organisations(request: CellRequest) -> HttpResponse:
    cell = request.cell
    rows = selectors.organisation_list_for(actor=request.user, cell=cell)
    can_draft = can(request.user, Action.SETUP_DRAFT, cell)
    form = OrganisationForm(request.POST or None) if can_draft else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.organisation_create(
                actor=request.user,
                cell=cell,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                sector=form.cleaned_data["sector"],
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Organisation added."))
            return redirect("setup:organisations")
    context = {"organisations": rows, "form": form, "can_draft": can_draft}
    return render_page(request, "access/organisations.html", context, partial="list")


def organisation_edit(request: CellRequest, pk: int) -> HttpResponse:
    cell = request.cell
    organisation = selectors.organisation_get_for(actor=request.user, cell=cell, pk=pk)
    require(request.user, Action.SETUP_DRAFT, cell)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user,
                organisation=selectors.organisation_get_for(actor=request.user, cell=cell, pk=pk),
                **{name: form.cleaned_data[name] for name in form.fields},
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Organisation saved."))
            return redirect("setup:organisations")
    return render_page(request, "access/form_page.html", {"form": form, "title": organisation.name})


# --- Tables ---------------------------------------------------------------------------------


def tables(request: CellRequest) -> HttpResponse:
    cell = request.cell
    rows = selectors.table_list_for(actor=request.user, cell=cell)
    can_draft = can(request.user, Action.SETUP_DRAFT, cell)
    form = TableForm(request.POST or None) if can_draft else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.table_create(
                actor=request.user,
                cell=cell,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Table added."))
            return redirect("setup:tables")
    return render_page(
        request, "access/tables.html", {"tables": rows, "form": form, "can_draft": can_draft}
    )


def table_edit(request: CellRequest, pk: int) -> HttpResponse:
    cell = request.cell
    table = selectors.table_get_for(actor=request.user, cell=cell, pk=pk)
    require(request.user, Action.SETUP_DRAFT, cell)
    form = TableForm(request.POST or None, instance=table)
    if request.method == "POST" and form.is_valid():
        try:
            services.table_update(
                actor=request.user,
                table=selectors.table_get_for(actor=request.user, cell=cell, pk=pk),
                **{name: form.cleaned_data[name] for name in form.fields},
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Table saved."))
            return redirect("setup:tables")
    return render_page(request, "access/form_page.html", {"form": form, "title": table.name})


# --- Members and membership requests ---------------------------------------------------------


def members(request: CellRequest) -> HttpResponse:
    cell = request.cell
    context = {
        "memberships": selectors.membership_list_for(actor=request.user, cell=cell),
        "requests": selectors.membership_request_list_for(actor=request.user, cell=cell)[:50],
        "can_draft": can(request.user, Action.SETUP_DRAFT, cell),
    }
    return render_page(request, "access/members.html", context)


def _request_fields(form: MembershipRequestForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        name: data[name]
        for name in (
            "organisation",
            "role",
            "term_start",
            "term_end",
            "clearance_level",
            "clearance_expiry",
            "tables",
            "reason",
        )
    }


def member_add(request: CellRequest) -> HttpResponse:
    cell = request.cell
    require(request.user, Action.SETUP_DRAFT, cell)
    form = MembershipRequestForm(request.POST or None, cell=cell)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_request_create(
                actor=request.user,
                cell=cell,
                kind=RequestKind.ADD,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                **_request_fields(form),
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Request sent to the chair for approval."))
            return redirect("setup:members")
    return render_page(
        request, "access/form_page.html", {"form": form, "title": _("Request a new member")}
    )


def member_change(request: CellRequest, pk: int) -> HttpResponse:
    cell = request.cell
    membership = selectors.membership_get_for(actor=request.user, cell=cell, pk=pk)
    require(request.user, Action.SETUP_DRAFT, cell)
    initial = {
        "email": membership.user.email,
        "full_name": membership.user.full_name,
        "organisation": membership.organisation_id,
        "role": membership.role,
        "term_start": membership.term_start,
        "term_end": membership.term_end,
        "clearance_level": membership.clearance_level,
        "clearance_expiry": membership.clearance_expiry,
        "tables": list(membership.tables.all()),
    }
    form = MembershipRequestForm(
        request.POST or None, cell=cell, change_of=membership, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_request_create(
                actor=request.user,
                cell=cell,
                kind=RequestKind.CHANGE,
                membership=membership,
                **_request_fields(form),
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Request sent to the chair for approval."))
            return redirect("setup:members")
    title = _("Change the membership of %(name)s") % {"name": membership.user.full_name}
    return render_page(request, "access/form_page.html", {"form": form, "title": title})


def member_end(request: CellRequest, pk: int) -> HttpResponse:
    cell = request.cell
    membership = selectors.membership_get_for(actor=request.user, cell=cell, pk=pk)
    require(request.user, Action.SETUP_DRAFT, cell)
    form = EndMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_request_create(
                actor=request.user,
                cell=cell,
                kind=RequestKind.END,
                membership=membership,
                reason=form.cleaned_data["reason"],
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Request sent to the chair for approval."))
            return redirect("setup:members")
    title = _("End the membership of %(name)s") % {"name": membership.user.full_name}
    return render_page(request, "access/form_page.html", {"form": form, "title": title})


@require_POST
def request_withdraw(request: CellRequest, pk: int) -> HttpResponse:
    cell = request.cell
    membership_request = selectors.membership_request_get_for(actor=request.user, cell=cell, pk=pk)
    try:
        services.membership_request_withdraw(actor=request.user, request=membership_request)
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("setup:members")


# --- Charter and statement drafts ------------------------------------------------------------


def charters(request: CellRequest) -> HttpResponse:
    cell = request.cell
    context = {
        "charters": selectors.charter_list_for(actor=request.user, cell=cell),
        "can_draft": can(request.user, Action.SETUP_DRAFT, cell),
        "missing_roles": selectors.mandatory_roles_missing(cell=cell),
    }
    return render_page(request, "access/charters.html", context)


def charter_new(request: CellRequest) -> HttpResponse:
    cell = request.cell
    require(request.user, Action.SETUP_DRAFT, cell)
    initial = {}
    active = selectors.charter_active(cell=cell)
    if active is not None:
        initial = {name: getattr(active, name) for name in services.CHARTER_FIELDS}
        initial["organisations"] = list(active.organisations.all())
    form = CharterForm(request.POST or None, cell=cell, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisations = data.pop("organisations")
        try:
            charter = services.charter_draft_create(
                actor=request.user, cell=cell, organisations=organisations, **data
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Draft saved. The chair can now review it."))
            return redirect("setup:charter", pk=charter.pk)
    return render_page(
        request, "access/form_page.html", {"form": form, "title": _("New charter version")}
    )


def charter_detail(request: CellRequest, pk: int) -> HttpResponse:
    cell = request.cell
    charter = selectors.charter_get_for(actor=request.user, cell=cell, pk=pk)
    editable = charter.status == DocumentStatus.DRAFT and can(
        request.user, Action.SETUP_DRAFT, cell
    )
    form = CharterForm(request.POST or None, cell=cell, instance=charter) if editable else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.CHARTER_FIELDS}
        try:
            services.charter_draft_update(
                actor=request.user,
                charter=charter,
                organisations=form.cleaned_data["organisations"],
                **data,
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("setup:charter", pk=charter.pk)
    return render_page(request, "access/charter_detail.html", {"charter": charter, "form": form})


def statements(request: CellRequest) -> HttpResponse:
    cell = request.cell
    context = {
        "statements": selectors.statement_text_list_for(actor=request.user, cell=cell),
        "can_draft": can(request.user, Action.SETUP_DRAFT, cell),
    }
    return render_page(request, "access/statements.html", context)


def statement_new(request: CellRequest) -> HttpResponse:
    cell = request.cell
    require(request.user, Action.SETUP_DRAFT, cell)
    active = selectors.statement_active(cell=cell)
    initial = {"text": active.text, "validity_months": active.validity_months} if active else {}
    form = StatementTextForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.statement_draft_create(actor=request.user, cell=cell, **form.cleaned_data)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Draft saved. The chair can now review it."))
            return redirect("setup:statements")
    return render_page(
        request, "access/form_page.html", {"form": form, "title": _("New statement text")}
    )


def statement_edit(request: CellRequest, pk: int) -> HttpResponse:
    cell = request.cell
    statement = selectors.statement_text_get_for(actor=request.user, cell=cell, pk=pk)
    require(request.user, Action.SETUP_DRAFT, cell)
    form = StatementTextForm(request.POST or None, instance=statement)
    if request.method == "POST" and form.is_valid():
        try:
            services.statement_draft_update(
                actor=request.user, statement=statement, **form.cleaned_data
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("setup:statements")
    title = _("Statement text, version %(version)s") % {"version": statement.version}
    return render_page(request, "access/form_page.html", {"form": form, "title": title})


# --- Import ---------------------------------------------------------------------------------


def import_file(request: CellRequest) -> HttpResponse:
    cell = request.cell
    require(request.user, Action.SETUP_DRAFT, cell)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = imports.import_upload(
            actor=request.user,
            cell=cell,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )
        if report.ok:
            messages.success(request, report.summary)
            return redirect(
                "setup:members" if form.cleaned_data["kind"] == "members" else "setup:organisations"
            )
    return render_page(request, "access/import.html", {"form": form, "report": report})


# --- Approvals (chair) ----------------------------------------------------------------------


def approvals(request: CellRequest) -> HttpResponse:
    cell = request.cell
    require(request.user, Action.SETUP_APPROVE, cell)
    context = {
        "requests": selectors.membership_request_list_for(
            actor=request.user, cell=cell, pending_only=True
        ),
        "charters": selectors.charter_list_for(actor=request.user, cell=cell).filter(
            status=DocumentStatus.DRAFT
        ),
        "statements": selectors.statement_text_list_for(actor=request.user, cell=cell).filter(
            status=DocumentStatus.DRAFT
        ),
        "missing_roles": selectors.mandatory_roles_missing(cell=cell),
        "form": DecisionForm(),
    }
    return render_page(request, "access/approvals.html", context)


def decide_from_form(
    request: CellRequest, apply: Callable[[DecisionForm], object], back: str
) -> HttpResponse:
    """Read an approve/reject form, let ``apply`` record it, report the outcome, go ``back``."""
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
    else:
        try:
            apply(form)
        except CasusError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Decision recorded."))
    return redirect(back)


@require_POST
def decide_request(request: CellRequest, pk: int) -> HttpResponse:
    cell = request.cell
    membership_request = selectors.membership_request_get_for(actor=request.user, cell=cell, pk=pk)
    return decide_from_form(
        request,
        lambda form: services.membership_request_decide(
            actor=request.user,
            request=membership_request,
            approve=form.approved,
            note=form.cleaned_data["note"],
        ),
        "setup:approvals",
    )


@require_POST
def decide_charter(request: CellRequest, pk: int) -> HttpResponse:
    cell = request.cell
    charter = selectors.charter_get_for(actor=request.user, cell=cell, pk=pk)

    def apply(form: DecisionForm) -> None:
        if form.approved:
            services.charter_activate(actor=request.user, charter=charter)
        else:
            services.charter_reject(
                actor=request.user, charter=charter, note=form.cleaned_data["note"]
            )

    return decide_from_form(request, apply, "setup:approvals")


@require_POST
def decide_statement(request: CellRequest, pk: int) -> HttpResponse:
    cell = request.cell
    statement = selectors.statement_text_get_for(actor=request.user, cell=cell, pk=pk)

    def apply(form: DecisionForm) -> None:
        if form.approved:
            services.statement_activate(actor=request.user, statement=statement)
        else:
            services.statement_reject(
                actor=request.user, statement=statement, note=form.cleaned_data["note"]
            )

    return decide_from_form(request, apply, "setup:approvals")
