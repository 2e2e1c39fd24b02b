"""PDF rendering with WeasyPrint that fetches nothing but our own static files.

Templates refer to stylesheets and images with ``{% static %}``; the HTML is parsed with a
base URL on a reserved host (``.invalid`` never resolves), and the fetcher serves only
``/static/`` paths found by Django's staticfiles finders. Every other URL — another host,
``file:``, ``data:``, a path outside the static files — is refused, so a document can never
make the server reach out or read a local file.
"""

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

#: The base URL documents are parsed with; only its static path is ever served.
BASE_URL = "https://casus.invalid/"

_CONTENT_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """A WeasyPrint URL fetcher that serves our static files and refuses everything else."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = static_path(url)
        if path is None:
            raise ValueError(f"refused to fetch {url[:80]!r}: not one of our static files")
        found = _find(path)
        if found is None:
            raise ValueError(f"static file not found: {path!r}")
        suffix = path[path.rfind(".") :].lower() if "." in path else ""
        body = found.read_bytes()
        return URLFetcherResponse(
            url,
            body,
            headers={"Content-Type": _CONTENT_TYPES.get(suffix, "application/octet-stream")},
        )


def static_path(url: str) -> str | None:
    """The static file a document URL names (relative to STATIC_URL), or None to refuse."""
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    # Only our reserved origin, over the scheme it was parsed with: no other host, no file:,
    # no data:, no credentials or port tricks.
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    segments = relative.split("/")
    # No traversal, no empty or hidden segments, no backslashes.
    if not relative or "\\" in relative or any(s in {"", ".", ".."} for s in segments):
        return None
    if any(s.startswith(".") for s in segments):
        return None
    return relative


def _find(relative: str) -> Path | None:
    """The file behind a static path: the finders, else (hashed names) STATIC_ROOT."""
    found = finders.find(relative)
    if isinstance(found, str) and found:
        return Path(found)
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def render_html(template: str, context: dict[str, Any]) -> str:
    """The HTML a PDF is made from (tests read it to check watermark and filtering)."""
    return render_to_string(template, context)


def html_to_pdf(html: str) -> bytes:
    """Turn ``html`` into PDF bytes, fetching only our static files."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    pdf: bytes = document.write_pdf()
    return pdf


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` into PDF bytes."""
    return html_to_pdf(render_html(template, context))
