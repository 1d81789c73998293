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


_EVERY_RESPONSE = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def add_security_headers(response: Response) -> Response:
    """Headers every response carries (a view may set its own instead)."""
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    for name, value in _EVERY_RESPONSE:
        if name.lower() not in present:
            headers.add(name, value)
    if "cache-control" not in present and not request.path.startswith("/static/"):
        # Pages and JSON (API, data export) are personal; public ones set their own policy.
        headers.add("Cache-Control", "no-store")
    if response.mimetype == "text/html":
        response.vary.update(("Cookie", "Accept-Language"))
    return response
