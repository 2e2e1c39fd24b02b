"""OpenID Connect single sign-on: which SSO logins meet the MFA bar, and which accounts they open.

allauth runs the login; Casus decides only two things (ADR 0022). A provider login skips the
local second factor when its ID token asserts one (``amr`` or ``acr`` on the installation's
allow-list); otherwise allauth's own MFA stage asks for TOTP or a passkey, exactly as after a
password. And a first SSO login may match an existing account by e-mail only when the provider
verified that address and is authoritative for its domain.
"""

from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.stages import AuthenticateStage as MFAAuthenticateStage
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.http import HttpRequest

#: allauth's MFA login stage, which ``AuthenticateStage`` replaces (same key, same views).
ALLAUTH_MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"
MFA_STAGE = "casus.access.sso.AuthenticateStage"

#: Session key: which factor satisfied an SSO login ("provider", "local", or "none" while the
#: member still has to enrol one).
SESSION_MFA = "casus_sso_mfa"


def is_ours(provider_id: str) -> bool:
    """Tell whether ``provider_id`` is the installation's configured OpenID Connect provider."""
    return bool(settings.CASUS_OIDC_SERVER_URL) and provider_id == settings.CASUS_OIDC_PROVIDER_ID


def mfa_asserted(provider_id: str, extra_data: Any) -> bool:
    """Tell whether the ID token of an SSO login asserts a second factor on the allow-lists.

    Only the ID token counts: ``amr`` and ``acr`` are ID-token claims, and the userinfo answer
    (which allauth prefers for the profile) is not part of what the provider vouches for at login.
    """
    if not is_ours(provider_id) or not isinstance(extra_data, dict):
        return False
    claims = extra_data.get("id_token")
    if not isinstance(claims, dict):
        return False
    amr = claims.get("amr")
    # amr is a JSON array of strings (RFC 8176); anything else asserts nothing.
    if isinstance(amr, list) and any(
        isinstance(value, str) and value in settings.CASUS_OIDC_MFA_AMR for value in amr
    ):
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in settings.CASUS_OIDC_MFA_ACR


def email_trusted(provider_id: str, email: str) -> bool:
    """Tell whether a verified ``email`` from ``provider_id`` may open the account that has it.

    Only for domains the installation names as the provider's own: any other address could
    be set by whoever administers that provider, and would open someone else's account.
    """
    domain = email.rpartition("@")[2].lower()
    domains = {d.lower() for d in settings.CASUS_OIDC_EMAIL_DOMAINS}
    return is_ours(provider_id) and bool(domain) and domain in domains


class AuthenticateStage(MFAAuthenticateStage):
    """allauth's MFA prompt, skipped only for an SSO login whose provider asserted MFA."""

    def handle(self) -> tuple[Any, bool]:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None and mfa_asserted(
            sociallogin.account.provider, sociallogin.account.extra_data
        ):
            return None, True
        result: tuple[Any, bool] = super().handle()
        return result


def login_outcome(request: HttpRequest, user: Any) -> dict[str, str] | None:
    """Describe a just-completed SSO login in codes; ``None`` for any other kind of login.

    allauth records each authentication step of the session; the last step that can start a
    login (anything but a second factor, or a passkey used without password) is how this one
    started, and a second factor after it was asked locally.
    """
    records = get_authentication_records(request, user)
    steps = [
        i
        for i, record in enumerate(records)
        if record.get("method") != "mfa" or record.get("passwordless")
    ]
    if not steps or records[steps[-1]].get("method") != "socialaccount":
        return None
    start = records[steps[-1]]
    if any(record.get("method") == "mfa" for record in records[steps[-1] + 1 :]):
        mfa = "local"
    else:
        account = SocialAccount.objects.filter(
            provider=start.get("provider"), uid=start.get("uid")
        ).first()
        asserted = account is not None and mfa_asserted(account.provider, account.extra_data)
        mfa = "provider" if asserted else "none"
    return {"method": "sso", "mfa": mfa}
