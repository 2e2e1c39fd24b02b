"""Production settings: everything from the base module, hardened; secrets must come from env."""

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import CASUS_OIDC_SERVER_URL, DATA_DIR, env, mailers

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
CASUS_MFA_KEY = env.str("CASUS_MFA_KEY")
CASUS_INDEX_KEY = env.str("CASUS_INDEX_KEY")
CASUS_AUDIT_SIGNING_KEY = env.str("CASUS_AUDIT_SIGNING_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
MAILERS = mailers(env.str("EMAIL_URL"))
# No silent fallback to SQLite in production.
DATABASES = {"default": {**env.db("DATABASE_URL"), "ATOMIC_REQUESTS": False}}
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STATIC_ROOT = env.str("STATIC_ROOT", default=str(DATA_DIR / "static"))
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The ID token decides whether the local second factor is asked (ADR 0022): fetch it over TLS.
if CASUS_OIDC_SERVER_URL and not CASUS_OIDC_SERVER_URL.startswith("https://"):
    raise ImproperlyConfigured("CASUS_OIDC_SERVER_URL must be an https:// address")
