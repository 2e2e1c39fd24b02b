"""Single sign-on through OpenID Connect (ADR 0022), against a stub provider on 127.0.0.1.

An SSO login opens existing accounts only, and skips the local second factor only when the ID
token asserts one that the installation's allow-lists accept.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import pyotp
import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from casus.access import sso
from casus.access.models import User
from casus.audit.models import AuditEvent
from casus.config.settings import openid_connect_providers
from tests.access.oidc_stub import CLIENT_ID, CLIENT_SECRET, Identity, StubProvider
from tests.conftest import World, mark_reauthenticated, ready_client
from tests.factories import PASSWORD, enrol_totp, sign_statement

pytestmark = pytest.mark.django_db

PROVIDER_ID = "stub"
LOGIN_PATH = f"/accounts/oidc/{PROVIDER_ID}/login/"
DASHBOARD = "/"


@pytest.fixture(scope="module")
def stub() -> Iterator[StubProvider]:
    provider = StubProvider()
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc(stub: StubProvider, settings, monkeypatch) -> StubProvider:
    """Configure the installation's provider as the stub, as settings.py would from the env."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    settings.CASUS_OIDC_SERVER_URL = stub.url
    settings.CASUS_OIDC_PROVIDER_ID = PROVIDER_ID
    settings.CASUS_OIDC_MFA_AMR = ["mfa", "otp", "hwk", "swk"]
    settings.CASUS_OIDC_MFA_ACR = []
    settings.CASUS_OIDC_EMAIL_DOMAINS = ["a.example.be"]
    _providers(settings)
    stub.identity = None
    stub.authorize_requests.clear()
    return stub


def _providers(settings) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = openid_connect_providers(
        server_url=settings.CASUS_OIDC_SERVER_URL,
        provider_id=settings.CASUS_OIDC_PROVIDER_ID,
        name="Stub IdP",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        acr=settings.CASUS_OIDC_MFA_ACR,
    )


def browser() -> Client:
    """An anonymous visitor reading English (the default language for visitors is Dutch)."""
    return Client(headers={"Accept-Language": "en"})


def sso_login(client: Client, stub: StubProvider, identity: Identity, process: str = "login"):
    """Press the SSO button, sign in at the provider, come back: the callback's response."""
    stub.login_as(identity)
    response = client.post(f"{LOGIN_PATH}?process={process}")
    assert response.status_code == 302, response
    assert response["Location"].startswith(f"{stub.url}/authorize?")
    back = stub.visit(response["Location"])
    assert urlsplit(back).path == f"/accounts/oidc/{PROVIDER_ID}/login/callback/"
    return client.get(back)


def member(world: World, *, totp: bool = True, signed: bool = True) -> User:
    user = world.partner1
    if totp:
        enrol_totp(user)
    if signed:
        sign_statement(user, world.cell_a)
    return user


def login_event() -> AuditEvent:
    return AuditEvent.objects.get(action="LOGIN_SUCCEEDED")


# --- Off unless configured ----------------------------------------------------------------


def test_no_sso_without_configuration(world: World, settings) -> None:
    assert settings.CASUS_OIDC_SERVER_URL == ""
    assert settings.SOCIALACCOUNT_PROVIDERS == {}
    page = browser().get(reverse("account_login"))
    assert page.status_code == 200
    assert "/accounts/oidc/" not in page.content.decode()
    assert "Sign in with Stub" not in page.content.decode()
    client = browser()
    assert client.get(LOGIN_PATH).status_code == 404
    assert client.post(LOGIN_PATH).status_code == 404
    assert client.get(f"/accounts/oidc/{PROVIDER_ID}/login/callback/?code=x").status_code == 404


def test_login_page_shows_the_sso_button_when_configured(world: World, oidc) -> None:
    page = browser().get(reverse("account_login"), {"next": "/cases/"})
    body = page.content.decode()
    assert page.status_code == 200
    assert f'action="{LOGIN_PATH}?process=login&amp;next=%2Fcases%2F"' in body
    assert "Sign in with Stub IdP" in body
    assert "unsafe-inline" not in page["Content-Security-Policy"]


def test_authorize_request_uses_pkce_and_minimal_scope(world: World, oidc) -> None:
    sso_login(browser(), oidc, Identity(sub="s-1", email=world.partner1.email, amr=["pwd"]))
    params = oidc.authorize_requests[-1]
    assert sorted(params["scope"].split()) == ["email", "openid"]
    assert params["code_challenge"]
    assert "acr_values" not in params


# --- The MFA bar ----------------------------------------------------------------------------


def test_provider_mfa_reaches_the_dashboard_without_the_local_factor(world: World, oidc) -> None:
    user = member(world)
    client = browser()
    response = sso_login(client, oidc, Identity(sub="s-1", email=user.email, amr=["pwd", "mfa"]))
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD  # not mfa_authenticate
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    assert world.cell_a.name in page.content.decode()
    assert client.session[sso.SESSION_MFA] == "provider"
    event = login_event()
    assert event.actor == user
    assert event.data == {"method": "sso", "mfa": "provider"}


def test_provider_mfa_still_meets_the_statement_gate(world: World, oidc) -> None:
    user = member(world, signed=False)
    client = browser()
    sso_login(client, oidc, Identity(sub="s-1", email=user.email, amr=["pwd", "hwk"]))
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:statement")


def test_without_provider_mfa_the_local_factor_is_asked(world: World, oidc) -> None:
    user = member(world, totp=False)
    secret = enrol_totp(user)
    client = browser()
    response = sso_login(client, oidc, Identity(sub="s-1", email=user.email, amr=["pwd"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not logged in yet: every page beyond the MFA step sends back to the login page.
    for url in (DASHBOARD, reverse("core:statement"), reverse("setup:home"), "/cases/"):
        refused = client.get(url)
        assert refused.status_code == 302, url
        assert refused["Location"].startswith(reverse("account_login")), url
    assert not AuditEvent.objects.filter(action="LOGIN_SUCCEEDED").exists()
    response = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.get(DASHBOARD).status_code == 200
    assert client.session[sso.SESSION_MFA] == "local"
    assert login_event().data == {"method": "sso", "mfa": "local"}


def test_a_wrong_local_code_keeps_the_sso_login_out(world: World, oidc) -> None:
    user = member(world)
    client = browser()
    sso_login(client, oidc, Identity(sub="s-1", email=user.email, amr=["pwd"]))
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200  # the form again
    assert client.get(DASHBOARD)["Location"].startswith(reverse("account_login"))


def test_amr_in_userinfo_does_not_count(world: World, oidc) -> None:
    """Only the ID token vouches for how the person logged in."""
    user = member(world)
    identity = Identity(
        sub="s-1", email=user.email, amr=["pwd"], userinfo_extra={"amr": ["mfa"], "acr": "x"}
    )
    response = sso_login(browser(), oidc, identity)
    assert response["Location"] == reverse("mfa_authenticate")


def test_member_without_a_factor_and_without_provider_mfa_must_enrol(world: World, oidc) -> None:
    user = member(world, totp=False)
    client = browser()
    response = sso_login(client, oidc, Identity(sub="s-1", email=user.email, amr=["pwd"]))
    assert response["Location"] == DASHBOARD
    for url in (DASHBOARD, reverse("setup:home"), "/cases/"):
        assert client.get(url)["Location"] == reverse("mfa_index"), url
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert login_event().data == {"method": "sso", "mfa": "none"}


def test_provider_mfa_does_not_waive_enrolment(world: World, oidc) -> None:
    """Every member keeps a local factor: re-authentication before break-glass needs one."""
    user = member(world, totp=False)
    client = browser()
    sso_login(client, oidc, Identity(sub="s-1", email=user.email, amr=["pwd", "mfa"]))
    assert client.get(DASHBOARD)["Location"] == reverse("mfa_index")
    assert login_event().data == {"method": "sso", "mfa": "provider"}


def test_acr_allow_list(world: World, oidc, settings) -> None:
    settings.CASUS_OIDC_MFA_AMR = []
    settings.CASUS_OIDC_MFA_ACR = ["urn:example:loa:substantial"]
    _providers(settings)
    user = member(world)
    strong = Identity(sub="s-1", email=user.email, amr=["pwd", "mfa"], acr="urn:example:loa:low")
    # amr "mfa" no longer counts, and acr "low" is not on the list: the local factor is asked.
    assert sso_login(browser(), oidc, strong)["Location"] == reverse("mfa_authenticate")
    assert oidc.authorize_requests[-1]["acr_values"] == "urn:example:loa:substantial"
    listed = Identity(sub="s-1", email=user.email, acr="urn:example:loa:substantial")
    client = browser()
    assert sso_login(client, oidc, listed)["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


# --- Existing accounts only -----------------------------------------------------------------


def test_unknown_email_is_refused_and_creates_nothing(world: World, oidc) -> None:
    users = User.objects.count()
    client = browser()
    identity = Identity(sub="s-9", email="stranger@a.example.be", amr=["pwd", "mfa"])
    response = sso_login(client, oidc, identity)
    assert response.status_code == 200
    assert "No Casus account" in response.content.decode()
    assert User.objects.count() == users
    assert not SocialAccount.objects.exists()
    assert client.get(DASHBOARD)["Location"].startswith(reverse("account_login"))
    assert not AuditEvent.objects.filter(action="LOGIN_SUCCEEDED").exists()


@pytest.mark.parametrize(
    ("email", "verified"),
    [
        ("member.b@b.example.be", True),  # an existing account, but a domain not on the list
        ("partner.one@a.example.be", False),  # the right domain, but unverified
    ],
)
def test_email_match_needs_a_verified_address_in_a_listed_domain(
    world: World, oidc, email: str, verified: bool
) -> None:
    member(world)
    client = browser()
    identity = Identity(sub="s-1", email=email, email_verified=verified, amr=["mfa"])
    response = sso_login(client, oidc, identity)
    assert response.status_code == 200
    assert "No Casus account" in response.content.decode()
    assert not SocialAccount.objects.exists()
    assert client.get(DASHBOARD)["Location"].startswith(reverse("account_login"))


def test_first_login_links_the_subject(world: World, oidc) -> None:
    user = member(world)
    sso_login(browser(), oidc, Identity(sub="s-1", email=user.email, amr=["mfa"]))
    account = SocialAccount.objects.get()
    assert (account.user, account.provider, account.uid) == (user, PROVIDER_ID, "s-1")
    linked = AuditEvent.objects.get(action="SSO_LINKED")
    assert (linked.actor, linked.data) == (user, {"provider": PROVIDER_ID})
    # allauth's defence against pre-created accounts: the unverified local password is dropped.
    user.refresh_from_db()
    assert not user.has_usable_password()
    # Later logins go by subject, whatever address the provider sends.
    client = browser()
    renamed = Identity(sub="s-1", email="someone.else@elsewhere.example", amr=["mfa"])
    assert sso_login(client, oidc, renamed)["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="SSO_LINKED").count() == 1


def test_member_outside_the_listed_domains_links_after_a_local_login(world: World, oidc) -> None:
    user = world.member_b
    client = mark_reauthenticated(ready_client(user), user)
    assert "Stub IdP" in client.get(reverse("socialaccount_connections")).content.decode()
    response = sso_login(client, oidc, Identity(sub="b-1", email=user.email), process="connect")
    assert response.status_code == 302
    assert SocialAccount.objects.get().user == user
    assert user.has_usable_password()
    fresh = browser()
    response = sso_login(fresh, oidc, Identity(sub="b-1", email=user.email, amr=["otp"]))
    assert response["Location"] == DASHBOARD
    assert fresh.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="SSO_LINKED", actor=user).count() == 1
    # Unlinking is recorded too.
    account = SocialAccount.objects.get()
    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert response.status_code == 302
    assert not SocialAccount.objects.exists()
    unlinked = AuditEvent.objects.get(action="SSO_UNLINKED")
    assert (unlinked.actor, unlinked.data) == (user, {"provider": PROVIDER_ID})


def test_linking_needs_a_recent_re_authentication(world: World, oidc) -> None:
    user = world.member_b
    client = ready_client(user)
    response = sso_login(client, oidc, Identity(sub="b-1", email=user.email), process="connect")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reauthenticate")
    assert not SocialAccount.objects.exists()


def test_password_login_is_unchanged(world: World, oidc) -> None:
    user = member(world)
    response = browser().post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")


# --- The assertion check itself -----------------------------------------------------------


@pytest.mark.parametrize(
    ("provider_id", "claims", "expected"),
    [
        (PROVIDER_ID, {"amr": ["pwd", "mfa"]}, True),
        (PROVIDER_ID, {"amr": ["otp"]}, True),
        (PROVIDER_ID, {"amr": ["pwd"]}, False),
        (PROVIDER_ID, {"amr": "mfa"}, False),  # not an array: asserts nothing
        (PROVIDER_ID, {"amr": [["mfa"]]}, False),
        (PROVIDER_ID, {"acr": "urn:example:loa:substantial"}, True),
        (PROVIDER_ID, {"acr": ["urn:example:loa:substantial"]}, False),
        (PROVIDER_ID, {"acr": "urn:example:loa:low"}, False),
        (PROVIDER_ID, {}, False),
        ("another", {"amr": ["mfa"]}, False),  # only the configured provider is trusted
    ],
)
def test_mfa_asserted(oidc, settings, provider_id: str, claims: dict, expected: bool) -> None:
    settings.CASUS_OIDC_MFA_ACR = ["urn:example:loa:substantial"]
    assert sso.mfa_asserted(provider_id, {"id_token": claims}) is expected
    # The same claims from userinfo alone never count.
    assert sso.mfa_asserted(provider_id, {"userinfo": claims}) is False


def test_mfa_asserted_is_off_without_configuration(settings) -> None:
    settings.CASUS_OIDC_PROVIDER_ID = PROVIDER_ID
    assert sso.mfa_asserted(PROVIDER_ID, {"id_token": {"amr": ["mfa"]}}) is False


SSO_STEP = {"method": "socialaccount", "provider": PROVIDER_ID, "uid": "s-1"}
PASSWORD_STEP = {"method": "password", "email": "x@a.example.be"}
TOTP_STEP = {"method": "mfa", "type": "totp"}
PASSKEY_STEP = {"method": "mfa", "type": "webauthn", "passwordless": True}


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([], None),
        ([PASSWORD_STEP, TOTP_STEP], None),
        ([SSO_STEP, TOTP_STEP], "local"),
        ([SSO_STEP], "provider"),
        ([PASSWORD_STEP, SSO_STEP], "provider"),
        ([SSO_STEP, PASSWORD_STEP, TOTP_STEP], None),  # SSO abandoned, then a password login
        ([SSO_STEP, PASSKEY_STEP], None),  # SSO abandoned, then a passkey login
    ],
)
def test_login_outcome(world: World, oidc, rf, records: list, expected: str | None) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    user = world.partner1
    SocialAccount.objects.create(
        user=user, provider=PROVIDER_ID, uid="s-1", extra_data={"id_token": {"amr": ["mfa"]}}
    )
    request = rf.get("/")
    request.session = SessionStore()
    request.session["account_authentication_methods_user"] = str(user.pk)
    request.session["account_authentication_methods"] = records
    outcome = sso.login_outcome(request, user)
    assert outcome == (None if expected is None else {"method": "sso", "mfa": expected})


def test_login_outcome_without_a_linked_account_counts_no_provider_mfa(
    world: World, oidc, rf
) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/")
    request.session = SessionStore()
    request.session["account_authentication_methods_user"] = str(world.partner1.pk)
    request.session["account_authentication_methods"] = [SSO_STEP]
    assert sso.login_outcome(request, world.partner1) == {"method": "sso", "mfa": "none"}


# --- Configuration from the environment ---------------------------------------------------


def _settings_in_subprocess(module: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'providers': s.SOCIALACCOUNT_PROVIDERS, "
        "'form_action': [str(v) for v in s.SECURE_CSP['form-action']], "
        "'amr': s.CASUS_OIDC_MFA_AMR, 'acr': s.CASUS_OIDC_MFA_ACR, "
        "'domains': s.CASUS_OIDC_EMAIL_DOMAINS}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CASUS_OIDC_")}
    return subprocess.run(  # noqa: S603 — fixed arguments
        [sys.executable, "-c", script],
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_build_the_provider_from_the_environment() -> None:
    result = _settings_in_subprocess(
        "casus.config.settings",
        {
            "CASUS_OIDC_SERVER_URL": "https://idp.example.be/realms/gent",
            "CASUS_OIDC_PROVIDER_ID": "gent",
            "CASUS_OIDC_NAME": "Stad Gent",
            "CASUS_OIDC_CLIENT_ID": "casus",
            "CASUS_OIDC_CLIENT_SECRET": "s3cret",
            "CASUS_OIDC_MFA_AMR": "mfa, hwk",
            "CASUS_OIDC_MFA_ACR": "",
            "CASUS_OIDC_EMAIL_DOMAINS": "stad.gent",
        },
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    (app,) = loaded["providers"]["openid_connect"]["APPS"]
    assert (app["provider_id"], app["name"], app["client_id"]) == ("gent", "Stad Gent", "casus")
    assert app["settings"]["server_url"] == "https://idp.example.be/realms/gent"
    assert app["settings"]["oauth_pkce_enabled"] is True
    assert loaded["form_action"] == ["'self'", "https://idp.example.be"]
    assert (loaded["amr"], loaded["acr"], loaded["domains"]) == (["mfa", "hwk"], [], ["stad.gent"])


def test_settings_default_to_no_sso() -> None:
    result = _settings_in_subprocess("casus.config.settings", {})
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["providers"] == {}
    assert loaded["form_action"] == ["'self'"]
    assert loaded["amr"] == ["mfa", "otp", "hwk", "swk"]


def test_production_refuses_a_plain_http_provider(tmp_path) -> None:
    env = {
        "SECRET_KEY": "x" * 50,
        "CASUS_MFA_KEY": "k",
        "CASUS_INDEX_KEY": "k",
        "CASUS_AUDIT_SIGNING_KEY": "k",
        "ALLOWED_HOSTS": "casus.example.be",
        "EMAIL_URL": "consolemail://",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CASUS_DATA_DIR": str(tmp_path),
        "CASUS_OIDC_SERVER_URL": "http://idp.example.be",
        "CASUS_OIDC_CLIENT_ID": "casus",
    }
    result = _settings_in_subprocess("casus.config.production", env)
    assert result.returncode != 0
    assert "CASUS_OIDC_SERVER_URL must be an https:// address" in result.stderr
    result = _settings_in_subprocess(
        "casus.config.production", {**env, "CASUS_OIDC_SERVER_URL": "https://idp.example.be"}
    )
    assert result.returncode == 0, result.stderr


def test_settings_refuse_a_provider_without_client_id() -> None:
    result = _settings_in_subprocess(
        "casus.config.settings", {"CASUS_OIDC_SERVER_URL": "https://idp.example.be"}
    )
    assert result.returncode != 0
    assert "CASUS_OIDC_CLIENT_ID" in result.stderr


def test_the_header_links_to_the_sso_connections_only_when_configured(
    world: World, settings
) -> None:
    link = f'href="{reverse("socialaccount_connections")}"'
    assert link not in ready_client(world.partner1).get("/").content.decode()
    settings.CASUS_OIDC_SERVER_URL = "https://idp.example.be"
    assert link in ready_client(world.partner1).get("/").content.decode()
