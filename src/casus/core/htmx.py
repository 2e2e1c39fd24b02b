"""htmx helpers: a fragment for htmx requests, the whole page otherwise."""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

if TYPE_CHECKING:
    from casus.access.models import Cell, Membership, User


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render ``template``, or only its ``partial`` (Django's built-in partials) for htmx."""
    name = f"{template}#{partial}" if partial and is_htmx(request) else template
    return render(request, name, context, status=status)


class CellRequest(HttpRequest):
    """A request that passed the cell gate: ``user``, ``cell`` and ``membership`` are set."""

    user: "User"
    cell: "Cell"
    membership: "Membership"
