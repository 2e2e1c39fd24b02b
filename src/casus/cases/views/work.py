"""Work views: the case list (filters, number search, pages) and the name search."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from casus.access.rules import Action, can, require
from casus.core.htmx import CellRequest, render_page

from ..forms.work import CaseFilterForm, PersonSearchForm
from ..selectors.work import case_list_for, case_list_record, person_search

#: Rows per page of the case list.
CASES_PER_PAGE = 25


@never_cache
def case_list(request: CellRequest) -> HttpResponse:
    """The cases this person may see; filters and the number search come by GET."""
    cell = request.cell
    require(request.user, Action.CASE_LIST, cell)
    form = CaseFilterForm(request.GET, cell=cell)
    form.is_valid()  # an invalid filter is shown with its error and left out
    cases = case_list_for(actor=request.user, cell=cell, filters=form.filters())
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    if page.object_list:
        case_list_record(
            actor=request.user,
            cell=cell,
            page=page.number,
            case_ids=[case.pk for case in page.object_list],
        )
    context = {
        "form": form,
        "page": page,
        "today": timezone.localdate(),
        "can_search": can(request.user, Action.PERSON_SEARCH, cell),
    }
    return render_page(request, "cases/work/list.html", context, partial="results")


@never_cache
def search(request: CellRequest) -> HttpResponse:
    """Exact search by name: POST only, so names never travel in URLs or logs."""
    cell = request.cell
    require(request.user, Action.PERSON_SEARCH, cell)
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = person_search(
            actor=request.user,
            cell=cell,
            family_name=form.cleaned_data["family_name"],
            given_names=form.cleaned_data["given_names"],
            birth_date=form.cleaned_data["birth_date"],
        )
    context = {"form": form, "result": result}
    return render_page(request, "cases/work/search.html", context)


urlpatterns: list[URLPattern] = [
    path("cases/", case_list, name="list"),
    path("cases/search/", search, name="search"),
]
