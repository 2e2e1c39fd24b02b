"""Request gates: session limits, the user's language, mandatory MFA, the active cell and its
confidentiality statement. Deny by default: only views marked exempt skip a gate."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import selectors, services

#: Paths whose views belong to django-allauth (login, logout, MFA set-up): the MFA and cell
#: gates must let them through, or nobody could enrol.
ACCOUNT_PREFIX = "/accounts/"


def _open_path(path: str) -> bool:
    return path.startswith((ACCOUNT_PREFIX, "/" + settings.STATIC_URL.lstrip("/")))


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect, telling htmx to do a full-page navigation instead of swapping a fragment."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _end_session(request: HttpRequest, message: str) -> HttpResponse:
    logout(request)
    messages.info(request, message)
    return _redirect(request, reverse("account_login"))


class SessionLimitsMiddleware:
    """End a session after 30 minutes idle or 10 hours in total, whatever the cookie says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            started = session.setdefault("casus_auth_at", now)
            last_seen = session.get("casus_last_seen", now)
            if now - last_seen > settings.CASUS_SESSION_IDLE.total_seconds():
                return _end_session(request, _("You were logged out after a period of inactivity."))
            if now - started > settings.CASUS_SESSION_ABSOLUTE.total_seconds():
                return _end_session(request, _("Your session reached its maximum length."))
            session["casus_last_seen"] = now
        response = self.get_response(request)
        # An expired session reaches LoginRequiredMiddleware, whose plain redirect htmx would
        # follow in the background and swap the login page into a fragment.
        if (
            request.headers.get("HX-Request")
            and isinstance(response, HttpResponseRedirect)
            and response["Location"].startswith(reverse("account_login"))
        ):
            return _redirect(request, response["Location"])
        return response


class UserLanguageMiddleware:
    """Speak the language the logged-in person chose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            language = request.user.language
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if request.user.is_authenticated:
            response.headers.setdefault("Content-Language", translation.get_language() or "")
        return response


class MFARequiredMiddleware:
    """Nobody uses Casus without a second factor: enrolment is forced at first login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: Any,
        kwargs: Any,
    ) -> HttpResponse | None:
        user = request.user
        # Views open to anonymous visitors (language switch, health check) need no factor:
        # otherwise nobody could change the language while enrolling one.
        public = getattr(view, "login_required", True) is False
        needs_check = user.is_authenticated and not public and not _open_path(request.path)
        if needs_check and not request.session.get("casus_mfa_ok"):
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(user):
                messages.warning(
                    request,
                    _("Set up a second factor (an authenticator app or a passkey) first."),
                )
                return _redirect(request, reverse("mfa_index"))
            request.session["casus_mfa_ok"] = True
        return None


def cell_exempt(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that works without an active cell (cell choice, installation pages)."""
    view.casus_cell_exempt = True  # type: ignore[attr-defined]
    return view


def statement_exempt(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a cell view that opens before the statement is signed (the signing page itself)."""
    view.casus_statement_exempt = True  # type: ignore[attr-defined]
    return view


class CellContextMiddleware:
    """Resolve the active cell and membership; refuse every cell page until the current
    confidentiality statement is signed; end the session when the membership ends or its
    role changes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.cell = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: Any,
        kwargs: Any,
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or _open_path(request.path):
            return None
        seen: dict[str, list[Any]] = request.session.get("casus_memberships", {})
        memberships = {m.cell_id: m for m in selectors.membership_list_mine(actor=user)}
        for cell_id, (membership_id, role) in seen.items():
            membership = memberships.get(int(cell_id))
            if membership is None or membership.pk != membership_id or membership.role != role:
                return _end_session(request, _("Your membership changed; please log in again."))
        membership = memberships.get(user.active_cell_id)  # type: ignore[arg-type]
        if membership is None and len(memberships) == 1:
            membership = services.user_choose_cell(
                actor=user,
                cell=next(iter(memberships.values())).cell,
            )
        if membership is not None:
            seen[str(membership.cell_id)] = [membership.pk, membership.role]
            request.session["casus_memberships"] = seen
            request.cell = membership.cell  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
        if getattr(view, "casus_cell_exempt", False):
            return None
        if membership is None:
            if user.is_installation_admin:
                return _redirect(request, reverse("installation:cells"))
            # Installation roles without a cell land on their own pages.
            if not memberships and user.is_knowledge_editor:
                return _redirect(request, reverse("knowledge:list"))
            if not memberships and user.is_regional_support:
                return _redirect(request, reverse("monitoring:regional"))
            return _redirect(request, reverse("core:choose_cell"))
        if getattr(view, "casus_statement_exempt", False):
            return None
        if selectors.statement_signature_current(user=user, cell=membership.cell_id) is None:
            return _redirect(request, reverse("core:statement"))
        return None
