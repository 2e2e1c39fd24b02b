"""Casus settings: every key declared once, with a safe default, read from the environment.

Production overrides live in ``casus.config.production``; nothing else reads the environment.
"""

from datetime import timedelta
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from casus.core.secrets import local_secret

env = environ.Env()

SRC_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SRC_DIR.parent.parent
DATA_DIR = Path(env.str("CASUS_DATA_DIR", default=str(REPO_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret(DATA_DIR, "secret_key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Key for secrets stored in the database (TOTP seeds): kept outside the database.
CASUS_MFA_KEY = env.str("CASUS_MFA_KEY", default="") or local_secret(DATA_DIR, "mfa_key")
# Key of the keyed hashes (blind index) used for exact-match identity checks and name search.
CASUS_INDEX_KEY = env.str("CASUS_INDEX_KEY", default="") or local_secret(DATA_DIR, "index_key")
# Per-cell field-encryption keys: one key file per cell, outside the database (ADR 0019).
# Removing a cell's file crypto-erases that cell. Share it between application servers.
CASUS_KEY_DIR = Path(env.str("CASUS_KEY_DIR", default=str(DATA_DIR / "keys")))
# Seed of the Ed25519 key that signs each day's head of every audit hash chain (ADR 0020).
CASUS_AUDIT_SIGNING_KEY = env.str("CASUS_AUDIT_SIGNING_KEY", default="") or local_secret(
    DATA_DIR, "audit_signing_key"
)
# Public keys (hex) of earlier signing keys, so that older day seals still verify.
CASUS_AUDIT_VERIFY_KEYS = env.list("CASUS_AUDIT_VERIFY_KEYS", default=[])
# Secret the backup key is derived from (ADR 0021): not a field key, kept apart from archives.
# No local default: `casus backup` refuses to run without it.
CASUS_BACKUP_KEY = env.str("CASUS_BACKUP_KEY", default="")
# The daily retention job proposes a dry run to a cell's chair at most once per this many days
# (the coordinator can prepare one at any time).
CASUS_RETENTION_PROPOSAL_DAYS = env.int("CASUS_RETENTION_PROPOSAL_DAYS", default=28)
# What the data-protection officer's "unusual access" page flags (local time for the night).
CASUS_UNUSUAL_CASES_PER_DAY = env.int("CASUS_UNUSUAL_CASES_PER_DAY", default=15)
CASUS_UNUSUAL_SEARCHES_PER_DAY = env.int("CASUS_UNUSUAL_SEARCHES_PER_DAY", default=20)
CASUS_NIGHT_HOURS = (
    env.int("CASUS_NIGHT_STARTS_HOUR", default=22),
    env.int("CASUS_NIGHT_ENDS_HOUR", default=6),
)
# Attachments live here, outside the web root, served only through the checked download.
CASUS_ATTACHMENT_DIR = Path(env.str("CASUS_ATTACHMENT_DIR", default=str(DATA_DIR / "attachments")))
CASUS_ATTACHMENT_MAX_BYTES = env.int("CASUS_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
CASUS_SITE_NAME = env.str("CASUS_SITE_NAME", default="Casus")
# Absolute address of this installation, for links in e-mails.
CASUS_BASE_URL = env.str("CASUS_BASE_URL", default="http://localhost:8000")

INSTALLED_APPS = [
    "casus.core",
    "casus.access",
    "casus.audit",
    "casus.cases",
    "casus.meetings",
    "casus.privacy",
    "casus.retention",
    "casus.strategy",
    "casus.monitoring",
    "casus.knowledge",
    "casus.socialmap",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks_db",
    "casus.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "casus.access.middleware.SessionLimitsMiddleware",
    "casus.access.middleware.UserLanguageMiddleware",
    "casus.access.middleware.MFARequiredMiddleware",
    "casus.access.middleware.CellContextMiddleware",
]

ROOT_URLCONF = "casus.config.urls"
WSGI_APPLICATION = "casus.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casus.access.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'casus.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            # secure_delete: freed pages are zeroed, so purged rows leave no trace in the file.
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA secure_delete=ON;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every worker: login throttling must not be per-process memory.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "casus_cache",
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail login, no self sign-up, MFA mandatory (enforced by our middleware).
ACCOUNT_ADAPTER = "casus.access.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
# Rate limits, not secrets (bandit's B105 reads the "password" keys as passwords).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "5/m/ip,3/m/key",  # nosec B105
    "reset_password_from_key": "20/m/ip",  # nosec B105
    "reauthenticate": "10/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Casus] "
MFA_ADAPTER = "casus.access.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("CASUS_WEBAUTHN_INSECURE_ORIGIN", default=True)
MFA_TOTP_ISSUER = CASUS_SITE_NAME
MFA_RECOVERY_CODE_COUNT = 10
SOCIALACCOUNT_ADAPTER = "casus.access.adapters.SocialAccountAdapter"

# Sessions: 30 minutes idle, 10 hours absolute (both enforced by SessionLimitsMiddleware).
CASUS_SESSION_IDLE = timedelta(minutes=env.int("CASUS_SESSION_IDLE_MINUTES", default=30))
CASUS_SESSION_ABSOLUTE = timedelta(hours=env.int("CASUS_SESSION_ABSOLUTE_HOURS", default=10))
SESSION_COOKIE_AGE = int(CASUS_SESSION_IDLE.total_seconds())
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True

# Security headers and a strict nonce-based CSP (no unsafe-inline anywhere).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}


def openid_connect_providers(
    *, server_url: str, provider_id: str, name: str, client_id: str, secret: str, acr: list[str]
) -> dict[str, dict[str, object]]:
    """Build ``SOCIALACCOUNT_PROVIDERS`` for the installation's OpenID Connect provider, if any."""
    if not server_url:
        return {}
    options: dict[str, object] = {
        "server_url": server_url,
        "oauth_pkce_enabled": True,
        # The account exists already: ask for nothing beyond the subject and the e-mail.
        "scope": ["openid", "email"],
    }
    if acr:
        # Ask the provider for a level that counts as multi-factor; its answer still decides.
        options["auth_params"] = {"acr_values": " ".join(acr)}
    app = {
        "provider_id": provider_id,
        "name": name,
        "client_id": client_id,
        "secret": secret,
        "settings": options,
    }
    return {"openid_connect": {"APPS": [app]}}


def _words(values: list[str]) -> list[str]:
    return [value.strip() for value in values if value.strip()]


# Single sign-on through OpenID Connect (ADR 0022): off unless CASUS_OIDC_SERVER_URL (the issuer,
# or its .well-known/openid-configuration address) is set. It logs in existing accounts only.
CASUS_OIDC_SERVER_URL = env.str("CASUS_OIDC_SERVER_URL", default="")
CASUS_OIDC_PROVIDER_ID = env.str("CASUS_OIDC_PROVIDER_ID", default="sso")
CASUS_OIDC_NAME = env.str("CASUS_OIDC_NAME", default="SSO")
CASUS_OIDC_CLIENT_ID = env.str("CASUS_OIDC_CLIENT_ID", default="")
CASUS_OIDC_CLIENT_SECRET = env.str("CASUS_OIDC_CLIENT_SECRET", default="")
# An SSO login counts as multi-factor (no local second factor asked) only when an ID-token
# ``amr`` value (RFC 8176) or its ``acr`` is listed here; otherwise the local factor is asked.
CASUS_OIDC_MFA_AMR = _words(env.list("CASUS_OIDC_MFA_AMR", default=["mfa", "otp", "hwk", "swk"]))
CASUS_OIDC_MFA_ACR = _words(env.list("CASUS_OIDC_MFA_ACR", default=[]))
# Domains the provider is the authority for: a first SSO login with a verified address in one
# of them opens the account with that address. Empty: members link SSO after a local login.
CASUS_OIDC_EMAIL_DOMAINS = _words(env.list("CASUS_OIDC_EMAIL_DOMAINS", default=[]))
SOCIALACCOUNT_PROVIDERS = openid_connect_providers(
    server_url=CASUS_OIDC_SERVER_URL,
    provider_id=CASUS_OIDC_PROVIDER_ID,
    name=CASUS_OIDC_NAME,
    client_id=CASUS_OIDC_CLIENT_ID,
    secret=CASUS_OIDC_CLIENT_SECRET,
    acr=CASUS_OIDC_MFA_ACR,
)
# An e-mail match links the provider's subject to the account, so later logins go by subject.
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
# Linking or unlinking an SSO identity adds or removes a way in: re-authenticate first.
SOCIALACCOUNT_REAUTHENTICATION_REQUIRED = True
if CASUS_OIDC_SERVER_URL:
    if not CASUS_OIDC_CLIENT_ID:
        raise ImproperlyConfigured("CASUS_OIDC_SERVER_URL is set but CASUS_OIDC_CLIENT_ID is not")
    # The login form posts to us and we redirect to the provider: form-action must allow it.
    _oidc = urlsplit(CASUS_OIDC_SERVER_URL)
    cast("list[str]", SECURE_CSP["form-action"]).append(f"{_oidc.scheme}://{_oidc.netloc}")

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Outside production, WhiteNoise serves straight from the app folders (no collectstatic needed).
STATIC_ROOT = env.str("STATIC_ROOT", default="") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [SRC_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("CASUS_MEDIA_ROOT", default=str(DATA_DIR / "media")))

# Imports: refuse anything larger before parsing it.
CASUS_IMPORT_MAX_BYTES = env.int("CASUS_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
CASUS_IMPORT_MAX_ROWS = env.int("CASUS_IMPORT_MAX_ROWS", default=2000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024


def mailers(url: str) -> dict[str, dict[str, object]]:
    """Build Django's MAILERS from one ``EMAIL_URL`` (smtp://, smtp+tls://, consolemail://)."""
    config = environ.Env.email_url_config(url)
    options = {}
    if config["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        candidates = {
            "host": config.get("EMAIL_HOST"),
            "port": config.get("EMAIL_PORT"),
            "username": config.get("EMAIL_HOST_USER"),
            "password": config.get("EMAIL_HOST_PASSWORD"),
            "use_tls": config.get("EMAIL_USE_TLS"),
            "use_ssl": config.get("EMAIL_USE_SSL"),
        }
        options = {key: value for key, value in candidates.items() if value not in (None, "")}
    return {"default": {"BACKEND": config["EMAIL_BACKEND"], "OPTIONS": options}}


MAILERS = mailers(env.str("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="casus@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS: list[tuple[str, str]] = []

# Logs carry no request bodies and no case content; Django's filter hides POST data.
DEFAULT_EXCEPTION_REPORTER_FILTER = "casus.core.errors.NoContentExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
