"""Knowledge base pages: everyone logged in reads and searches, knowledge editors write.

Every view is ``cell_exempt``: fiches hold no cell data, and knowledge editors and regional
support people have no cell. Rights are decided by the selectors and services (404 otherwise).
"""

from typing import cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from casus.access.middleware import cell_exempt
from casus.access.models import User
from casus.access.rules import InstallationAction, can_installation, require_installation
from casus.core.exceptions import CasusError, EditConflict
from casus.core.forms import add_rule_error
from casus.core.htmx import render_page

from . import selectors, services
from .forms import FicheForm, SearchForm, TranslationForm
from .models import PracticeFiche

PAGE_SIZE = 20


class _Request(HttpRequest):
    user: User


def _is_editor(request: _Request) -> bool:
    return can_installation(request.user, InstallationAction.KNOWLEDGE_EDIT)


@cell_exempt
@require_GET
def fiche_list(request: _Request) -> HttpResponse:
    """Search and filter the fiches; the results alone for htmx."""
    editor = _is_editor(request)
    themes = list(selectors.theme_list_for(actor=request.user))
    form = SearchForm(request.GET or None, themes=themes, editor=editor)
    fiches = selectors.fiche_search(actor=request.user, query=form.query(), filters=form.filters())
    page = Paginator(fiches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "knowledge/list.html",
        {"form": form, "page": page, "editor": editor, "searching": bool(form.query())},
        partial="results",
    )


@cell_exempt
@require_GET
def fiche_detail(request: _Request, pk: int) -> HttpResponse:
    """One fiche with every field and its translations."""
    fiche = selectors.fiche_get_for(actor=request.user, pk=pk)
    return render_page(
        request,
        "knowledge/detail.html",
        {
            "fiche": fiche,
            "translations": selectors.fiche_translations_for(actor=request.user, fiche=fiche),
            "editor": _is_editor(request),
        },
    )


@cell_exempt
def fiche_new(request: _Request) -> HttpResponse:
    """A knowledge editor writes a new fiche (a draft until published)."""
    require_installation(request.user, InstallationAction.KNOWLEDGE_EDIT)
    form = FicheForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fiche = services.fiche_create(actor=request.user, **form.service_fields())
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Fiche saved as a draft."))
            return redirect("knowledge:detail", pk=fiche.pk)
    return render_page(
        request,
        "knowledge/form.html",
        {"form": form, "fiche": None},
        status=400 if form.errors else 200,
    )


@cell_exempt
def fiche_edit(request: _Request, pk: int) -> HttpResponse:
    """A knowledge editor changes a fiche; an edit saved meanwhile is never overwritten."""
    fiche = selectors.fiche_get_for_edit(actor=request.user, pk=pk)
    form = FicheForm(request.POST or None, instance=fiche)
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            services.fiche_update(
                actor=request.user, fiche=fiche, version=form.cleaned_data["version"], **fields
            )
        except EditConflict as error:
            conflict = cast("PracticeFiche", error.current)  # what fiche_update raises
            form = _rebase(form, conflict)
            add_rule_error(form, error)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Fiche saved."))
            return redirect("knowledge:detail", pk=fiche.pk)
    return render_page(
        request,
        "knowledge/form.html",
        {"form": form, "fiche": fiche, "conflict": conflict},
        status=400 if form.errors else 200,
    )


def _rebase(form: FicheForm, current: PracticeFiche) -> FicheForm:
    """Keep the editor's unsaved input, now based on the current version (so both stay)."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["version"] = str(current.version)
    rebased = FicheForm(data, instance=current)
    rebased.is_valid()
    return rebased


class _VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


def _posted_version(request: _Request) -> tuple[bool, int | None]:
    form = _VersionForm(request.POST)
    if not form.is_valid():
        return False, None
    return True, form.cleaned_data["version"]


def _act(request: _Request, pk: int, action: str) -> HttpResponse:
    """Publish or unpublish, then back to the fiche with the outcome."""
    fiche = selectors.fiche_get_for_edit(actor=request.user, pk=pk)
    valid, version = _posted_version(request)
    if not valid:
        messages.error(request, _("The page was out of date; open the fiche again and retry."))
        return redirect("knowledge:detail", pk=fiche.pk)
    service = services.fiche_publish if action == "publish" else services.fiche_unpublish
    try:
        service(actor=request.user, fiche=fiche, version=version)
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(_DONE[action]))
    return redirect("knowledge:detail", pk=fiche.pk)


_DONE = {
    "publish": gettext_lazy("Fiche published: everyone can read it now."),
    "unpublish": gettext_lazy("Fiche taken back to draft: only editors see it now."),
}


@cell_exempt
@require_POST
def fiche_publish(request: _Request, pk: int) -> HttpResponse:
    return _act(request, pk, "publish")


@cell_exempt
@require_POST
def fiche_unpublish(request: _Request, pk: int) -> HttpResponse:
    return _act(request, pk, "unpublish")


@cell_exempt
def fiche_translation(request: _Request, pk: int) -> HttpResponse:
    """A knowledge editor links the fiche with a fiche in another language."""
    fiche = selectors.fiche_get_for_edit(actor=request.user, pk=pk)
    candidates = selectors.translation_candidates_for(actor=request.user, fiche=fiche)
    form = TranslationForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.fiche_translation_link(
                actor=request.user, fiche=fiche, other=form.cleaned_data["other"]
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Translation linked."))
            return redirect("knowledge:detail", pk=fiche.pk)
    return render_page(
        request,
        "knowledge/translation.html",
        {
            "fiche": fiche,
            "form": form,
            "translations": selectors.fiche_translations_for(actor=request.user, fiche=fiche),
        },
        status=400 if form.errors else 200,
    )


@cell_exempt
@require_POST
def fiche_translation_unlink(request: _Request, pk: int) -> HttpResponse:
    """Take the fiche out of its translations."""
    fiche = selectors.fiche_get_for_edit(actor=request.user, pk=pk)
    try:
        services.fiche_translation_unlink(actor=request.user, fiche=fiche)
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Translation link removed."))
    return redirect("knowledge:detail", pk=fiche.pk)
