"""Audit logins, logouts, password, MFA and SSO changes; end sessions when MFA is reset."""

from typing import Any

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from allauth.socialaccount.signals import social_account_added, social_account_removed
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from casus.audit.services import audit_record

from . import sso
from .models import User, new_security_stamp


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    outcome = None
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session["casus_auth_at"] = now
        request.session["casus_last_seen"] = now
        # An SSO login records which factor satisfied it: the provider's or the local one.
        outcome = sso.login_outcome(request, user)
        if outcome is not None:
            request.session[sso.SESSION_MFA] = outcome["mfa"]
    with transaction.atomic():
        audit_record(actor=user, action="LOGIN_SUCCEEDED", obj=user, data=outcome)


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # The identifier is kept (it is no case content); the password never is.
    identifier = str(credentials.get("email") or credentials.get("username") or "")[:254]
    with transaction.atomic():
        audit_record(actor=None, action="LOGIN_FAILED", data={"identifier": identifier})


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            audit_record(actor=user, action="LOGGED_OUT", obj=user)


@receiver(password_changed)
@receiver(password_reset)
def on_password(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="PASSWORD_CHANGED", obj=user)


@receiver(authenticator_added)
def on_mfa_added(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **kw: Any
) -> None:
    with transaction.atomic():
        audit_record(
            actor=user, action="MFA_ADDED", obj=user, data={"type": str(authenticator.type)}
        )
    if request is not None and hasattr(request, "session"):
        request.session["casus_mfa_ok"] = True


@receiver(authenticator_removed)
@receiver(authenticator_reset)
def on_mfa_changed(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **kwargs: Any
) -> None:
    """A removed or reset factor ends every other session of the user."""
    with transaction.atomic():
        user.security_stamp = new_security_stamp()
        user.save(update_fields=["security_stamp"])
        audit_record(
            actor=user,
            action="MFA_REMOVED" if kwargs.get("signal") is authenticator_removed else "MFA_RESET",
            obj=user,
            data={"type": str(authenticator.type)},
        )
    if request is not None and hasattr(request, "session"):
        request.session.pop("casus_mfa_ok", None)
        update_session_auth_hash(request, user)


@receiver(social_account_added)
@receiver(social_account_removed)
def on_sso_link(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    """Linking or unlinking a single sign-on identity changes how the account can be entered."""
    added = kwargs.get("signal") is social_account_added
    account = kwargs["sociallogin"].account if added else kwargs["socialaccount"]
    with transaction.atomic():
        audit_record(
            actor=account.user,
            action="SSO_LINKED" if added else "SSO_UNLINKED",
            obj=account.user,
            data={"provider": str(account.provider)},
        )
