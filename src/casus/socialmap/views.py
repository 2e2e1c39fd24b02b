"""Social-map pages: every logged-in person reads published offers and contact points, with or
without a cell; knowledge editors write, publish and archive them."""

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casus.access.middleware import cell_exempt
from casus.access.models import User
from casus.access.rules import InstallationAction, can_installation, require_installation
from casus.core.exceptions import CasusError, EditConflict
from casus.core.forms import add_rule_error
from casus.core.htmx import render_page

from . import selectors, services
from .forms import (
    ContactPointFilterForm,
    ContactPointForm,
    OfferFilterForm,
    OfferForm,
    VersionForm,
)
from .models import ContactPoint, Entry, Offer, Status

PAGE_SIZE = 50


class UserRequest(HttpRequest):
    """A logged-in request; it may have no active cell (knowledge editors, regional support)."""

    user: User


def _editor(request: UserRequest) -> bool:
    return can_installation(request.user, InstallationAction.KNOWLEDGE_EDIT)


def _page(request: UserRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _rebound(form: Any, current: Entry) -> Any:
    """The editor's form again, now over the stored version (their input is kept)."""
    data = form.data.copy()
    data["version"] = str(current.version)
    return type(form)(data, editing=True)


def _stored(form: Any, current: Entry | None) -> list[tuple[str, str]]:
    """The stored version's values, labelled as in the form, to compare after a conflict."""
    if current is None:
        return []
    initial = type(form).initial_for(current)
    rows = []
    for name, field in form.fields.items():
        if field.widget.is_hidden:
            continue
        value = initial.get(name, "")
        if isinstance(field, forms.ChoiceField):
            labels = dict(cast(list[tuple[str, str]], field.choices))
            chosen = value if isinstance(value, list) else [value]
            value = ", ".join(str(labels.get(code, code)) for code in chosen if code)
        rows.append((str(field.label), str(value or "")))
    return rows


# --- Offers ---------------------------------------------------------------------------------


@cell_exempt
@require_GET
def offers(request: UserRequest) -> HttpResponse:
    """The published offers (editors: every status), filtered by the GET form."""
    editor = _editor(request)
    form = OfferFilterForm(request.GET, editor=editor)
    rows = selectors.offer_list_for(actor=request.user, filters=form.filters())
    return render_page(
        request,
        "socialmap/offers.html",
        {"form": form, "page": _page(request, rows), "editor": editor},
        partial="results",
    )


@cell_exempt
@require_GET
def offer_detail(request: UserRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_get_for(actor=request.user, pk=pk)
    editor = _editor(request)
    return render_page(
        request,
        "socialmap/offer_detail.html",
        {"offer": offer, "editor": editor, "Status": Status},
    )


def _save_offer(request: UserRequest, offer: Offer | None) -> HttpResponse:
    editing = offer is not None
    initial = OfferForm.initial_for(offer) if offer is not None else None
    form = OfferForm(request.POST or None, initial=initial, editing=editing)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            if offer is None:
                offer = services.offer_create(actor=request.user, values=form.values())
            else:
                offer = services.offer_update(
                    actor=request.user,
                    offer=offer,
                    values=form.values(),
                    version=form.cleaned_data["version"],
                )
        except EditConflict as error:
            current = selectors.offer_get_for_edit(
                actor=request.user, pk=getattr(offer, "pk", None)
            )
            form = _rebound(form, current)
            add_rule_error(form, error)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The offer is saved."))
            return redirect("socialmap:offer", pk=offer.pk)
    return render_page(
        request,
        "socialmap/offer_form.html",
        {"form": form, "offer": offer, "current": current, "stored": _stored(form, current)},
        status=400 if form.errors else 200,
    )


@cell_exempt
def offer_new(request: UserRequest) -> HttpResponse:
    require_installation(request.user, InstallationAction.KNOWLEDGE_EDIT)
    return _save_offer(request, None)


@cell_exempt
def offer_edit(request: UserRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_get_for_edit(actor=request.user, pk=pk)
    return _save_offer(request, offer)


def _change_status(
    request: UserRequest, entry: Entry, change: Callable[[int], object], done: str, back: str
) -> HttpResponse:
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date; nothing changed. Try again."))
        return redirect(back, pk=entry.pk)
    try:
        change(form.cleaned_data["version"])
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(back, pk=entry.pk)


@cell_exempt
@require_POST
def offer_publish(request: UserRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_get_for_edit(actor=request.user, pk=pk)
    return _change_status(
        request,
        offer,
        lambda version: services.offer_publish(actor=request.user, offer=offer, version=version),
        _("The offer is published."),
        "socialmap:offer",
    )


@cell_exempt
@require_POST
def offer_archive(request: UserRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_get_for_edit(actor=request.user, pk=pk)
    return _change_status(
        request,
        offer,
        lambda version: services.offer_archive(actor=request.user, offer=offer, version=version),
        _("The offer is archived."),
        "socialmap:offer",
    )


# --- Contact points -------------------------------------------------------------------------


@cell_exempt
@require_GET
def contact_points(request: UserRequest) -> HttpResponse:
    editor = _editor(request)
    form = ContactPointFilterForm(request.GET, editor=editor)
    rows = selectors.contact_point_list_for(actor=request.user, filters=form.filters())
    return render_page(
        request,
        "socialmap/contact_points.html",
        {"form": form, "page": _page(request, rows), "editor": editor},
        partial="results",
    )


@cell_exempt
@require_GET
def contact_point_detail(request: UserRequest, pk: int) -> HttpResponse:
    point = selectors.contact_point_get_for(actor=request.user, pk=pk)
    return render_page(
        request,
        "socialmap/contact_point_detail.html",
        {"point": point, "editor": _editor(request), "Status": Status},
    )


def _save_point(request: UserRequest, point: ContactPoint | None) -> HttpResponse:
    editing = point is not None
    initial = ContactPointForm.initial_for(point) if point is not None else None
    form = ContactPointForm(request.POST or None, initial=initial, editing=editing)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            if point is None:
                point = services.contact_point_create(actor=request.user, values=form.values())
            else:
                point = services.contact_point_update(
                    actor=request.user,
                    point=point,
                    values=form.values(),
                    version=form.cleaned_data["version"],
                )
        except EditConflict as error:
            current = selectors.contact_point_get_for_edit(
                actor=request.user, pk=getattr(point, "pk", None)
            )
            form = _rebound(form, current)
            add_rule_error(form, error)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The contact point is saved."))
            return redirect("socialmap:contact_point", pk=point.pk)
    return render_page(
        request,
        "socialmap/contact_point_form.html",
        {"form": form, "point": point, "current": current, "stored": _stored(form, current)},
        status=400 if form.errors else 200,
    )


@cell_exempt
def contact_point_new(request: UserRequest) -> HttpResponse:
    require_installation(request.user, InstallationAction.KNOWLEDGE_EDIT)
    return _save_point(request, None)


@cell_exempt
def contact_point_edit(request: UserRequest, pk: int) -> HttpResponse:
    point = selectors.contact_point_get_for_edit(actor=request.user, pk=pk)
    return _save_point(request, point)


@cell_exempt
@require_POST
def contact_point_publish(request: UserRequest, pk: int) -> HttpResponse:
    point = selectors.contact_point_get_for_edit(actor=request.user, pk=pk)
    return _change_status(
        request,
        point,
        lambda version: services.contact_point_publish(
            actor=request.user, point=point, version=version
        ),
        _("The contact point is published."),
        "socialmap:contact_point",
    )


@cell_exempt
@require_POST
def contact_point_archive(request: UserRequest, pk: int) -> HttpResponse:
    point = selectors.contact_point_get_for_edit(actor=request.user, pk=pk)
    return _change_status(
        request,
        point,
        lambda version: services.contact_point_archive(
            actor=request.user, point=point, version=version
        ),
        _("The contact point is archived."),
        "socialmap:contact_point",
    )
