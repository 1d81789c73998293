"""Request-level safety: on-site redirects and security headers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, request

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' https:"
)


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``."""
    if not target:
        return default
    target = target.strip()
    # Browsers read a backslash as a slash and drop tabs and newlines: "/\\evil.test".
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    # Before urlsplit: it raises ValueError on a host like "//[" (an unbalanced IPv6 bracket).
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def here() -> str:
    """The current path with its query string, without a dangling '?' (a way back)."""
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path


def add_security_headers(response: Response) -> Response:
    """Headers every response carries."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if not request.path.startswith("/static/"):
        # Pages and JSON (API, data export) are personal; public ones set their own policy.
        response.headers.setdefault("Cache-Control", "no-store")
    if response.mimetype == "text/html":
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
    return response
