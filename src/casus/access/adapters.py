"""django-allauth hooks: no self sign-up, TOTP secrets encrypted with a key outside the DB,
single sign-on that meets the MFA bar (ADR 0022)."""

import base64
import hashlib
import os
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.http import HttpRequest

from . import sso

_PREFIX = "aesgcm1:"


def _key() -> bytes:
    return hashlib.sha256(("casus-mfa:" + settings.CASUS_MFA_KEY).encode()).digest()


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts come only from approved memberships, never from self sign-up."""
        return False

    def get_login_stages(self) -> list[str]:
        """allauth's stages, with an MFA stage that honours a provider-asserted second factor."""
        stages: list[str] = super().get_login_stages()
        return [sso.MFA_STAGE if stage == sso.ALLAUTH_MFA_STAGE else stage for stage in stages]


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        """Single sign-on links to existing accounts only."""
        return False

    def can_authenticate_by_email(self, login: Any, email: str) -> bool:
        """Match a first SSO login to an account by e-mail only where the provider is the
        authority for the address's domain (allauth already requires it to be verified)."""
        return sso.email_trusted(login.provider.sub_id, email)


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        """Encrypt a TOTP secret with AES-256-GCM under the installation's MFA key."""
        nonce = os.urandom(12)
        sealed = AESGCM(_key()).encrypt(nonce, text.encode(), b"casus-totp")
        return _PREFIX + base64.b64encode(nonce + sealed).decode()

    def decrypt(self, encrypted_text: str) -> str:
        """Decrypt what ``encrypt`` produced; anything else is refused."""
        if not encrypted_text.startswith(_PREFIX):
            raise ValueError("unencrypted MFA secret")
        raw = base64.b64decode(encrypted_text[len(_PREFIX) :])
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], b"casus-totp").decode()
