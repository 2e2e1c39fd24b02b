"""Re-authentication before exports, break-glass and the purge decision, asked only after the
permission check."""

from collections.abc import Callable

from allauth.account.decorators import reauthentication_required
from django.http import HttpRequest, HttpResponse


def after_reauthentication(
    request: HttpRequest, respond: Callable[[], HttpResponse]
) -> HttpResponse:
    """Answer with ``respond()`` if the user re-authenticated recently; otherwise send them to
    allauth's re-authentication page, which brings them back to this URL.

    Call it only once the object and the permission are checked: a forbidden or missing id must
    answer 404, not a prompt that tells the id exists.
    """
    response: HttpResponse = _respond(request, respond)
    return response


@reauthentication_required  # type: ignore[untyped-decorator]  # allauth has no annotations
def _respond(request: HttpRequest, respond: Callable[[], HttpResponse]) -> HttpResponse:
    return respond()
