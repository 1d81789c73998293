"""Request-level safety: security headers, CSP-compatible templates, on-site redirects,
production cookies, and GET requests that change nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import session

from community import create_app
from community.accounts import services as accounts
from community.core.security import safe_next
from community.forums.services.read_state import READ_STATE_TABLES
from config import ProductionConfig
from tests.factories import make_user
from tests.test_access_matrix import ROUTES, act_as, changed_tables, snapshot, url_for_route

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"

# ---------------------------------------------------------------- headers on every response


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


def a_static_file() -> str:
    files = sorted(p for p in STATIC.rglob("*") if p.is_file())
    assert files, "static/ holds no file to check"
    return "/static/" + files[0].relative_to(STATIC).as_posix()


def api_token_headers() -> dict[str, str]:
    _token, secret = accounts.create_token(make_user(), "headers")
    return {"Authorization": f"Bearer {secret}"}


# name -> (path, headers factory, expected status, expected mimetype)
RESPONSES = {
    "html page": ("/", dict, 200, "text/html"),
    "login page": ("/auth/login", dict, 200, "text/html"),
    "json": ("/api/v1/me", api_token_headers, 200, "application/json"),
    "json error": ("/api/v1/me", dict, 401, "application/json"),
    "html 404": ("/no/such/page", dict, 404, "text/html"),
    "json 404": ("/api/v1/no/such/thing", dict, 404, "application/json"),
    "html 405": ("/auth/logout", dict, 405, "text/html"),
    "login redirect": ("/settings/", dict, 302, "text/html"),
    "static file": (None, dict, 200, None),
    "brand.css": ("/brand.css", dict, 200, "text/css"),
}
SAFE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


@pytest.fixture(params=sorted(RESPONSES))
def response(request, client, db):
    path, headers, status, mimetype = RESPONSES[request.param]
    response = client.get(path or a_static_file(), headers=headers())
    assert response.status_code == status
    if mimetype:
        assert response.mimetype == mimetype
    return response


def test_response_carries_a_strict_content_security_policy(response):
    assert len(response.headers.getlist("Content-Security-Policy")) == 1
    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    script_sources = [
        source
        for name in ("default-src", "script-src", "script-src-elem", "script-src-attr")
        for source in csp.get(name, [])
    ]
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert unsafe not in script_sources, f"scripts may come from {unsafe}"


def test_response_forbids_sniffing_and_leaking_referrers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in SAFE_REFERRER_POLICIES


@pytest.mark.parametrize("path", ["/", "/auth/login", "/no/such/page"])
def test_html_pages_vary_on_cookie_and_are_not_stored(client, path):
    response = client.get(path)
    assert response.mimetype == "text/html"
    assert "cookie" in {value.lower() for value in response.vary}
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_logged_in_pages_vary_on_cookie_and_are_not_stored(member_client):
    response = member_client.get("/settings/")
    assert response.status_code == 200
    assert "cookie" in {value.lower() for value in response.vary}
    assert "no-store" in response.headers["Cache-Control"]


def test_personal_json_is_never_stored_by_caches(client, member_client):
    export = member_client.get("/settings/data/export.json")
    api = client.get("/api/v1/me", headers=api_token_headers())

    for response in (export, api):
        assert response.status_code == 200
        assert "no-store" in response.headers["Cache-Control"]


def test_public_stylesheets_stay_cacheable(client):
    assert "no-store" not in client.get("/brand.css").headers["Cache-Control"]
    assert "no-store" not in client.get(a_static_file()).headers.get("Cache-Control", "")


# ---------------------------------------------------------------- templates CSP would break

# Jinja blocks and comments are blanked out so only the HTML they produce is searched.
_JINJA_RE = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
_TAG_RE = re.compile(r"<([a-zA-Z][\w-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR_RE = re.compile(r"(?:^|\s)(on[a-z]+|style)\s*=", re.I)
_SRC_RE = re.compile(r"(?:^|\s)src\s*=", re.I)


def template_names() -> list[str]:
    return sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))


def csp_violations(text: str) -> list[str]:
    html = _JINJA_RE.sub(" ", text)
    found = []
    for match in _TAG_RE.finditer(html):
        tag, attrs = match.group(1).lower(), match.group(2)
        if tag == "script" and not _SRC_RE.search(attrs):
            found.append(f"inline <script>: {match.group(0)}")
        if tag == "style":
            found.append(f"inline <style>: {match.group(0)}")
        found += [f"{m.group(1)}= attribute: {match.group(0)}" for m in _ATTR_RE.finditer(attrs)]
    if re.search(r"javascript\s*:", html, re.I):
        found.append("javascript: URL")
    return found


def test_csp_violation_finder_finds_what_it_looks_for():
    sample = (
        '<script>alert(1)</script><a href="#" onclick="x()">a</a><p style="color:red">'
        '<style>p{}</style><a href="javascript:void(0)">'
    )
    assert len(csp_violations(sample)) == 5
    assert csp_violations('<script src="/static/js/app.js" defer></script>') == []
    assert csp_violations('<a{% if x %} class="on"{% endif %} href="/">') == []


@pytest.mark.parametrize("name", template_names())
def test_template_has_no_inline_script_handler_or_style(name):
    violations = csp_violations((TEMPLATES / name).read_text(encoding="utf-8"))
    assert not violations, f"{name} would be blocked by the CSP:\n" + "\n".join(violations)


# ---------------------------------------------------------------- redirects stay on this site

OFF_SITE = [
    "//evil.test",
    "///evil.test",
    "https:evil.test",
    "https:/evil.test",
    "https://evil.test",
    "HTTPS://evil.test",
    "/\\evil.test",
    "\\\\evil.test",
    "\\/evil.test",
    "/\\/evil.test",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.test",
    "\t//evil.test",
    "\n//evil.test",
    "/\t/evil.test",
    "/\n/evil.test",
    "/\r/evil.test",
    "/\x00/evil.test",
    "evil.test",
    "settings",
    "http://[",
    "//[",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_refuses_targets_off_this_site(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/settings/?x=1", "/", "/u/member1#bio", " /settings/"])
def test_safe_next_accepts_paths_on_this_site(target):
    assert safe_next(target, "/home") == target.strip()


@pytest.mark.parametrize("target", [None, ""])
def test_safe_next_falls_back_without_a_target(target):
    assert safe_next(target, "/home") == "/home"


def test_percent_encoded_backslash_is_harmless_either_way():
    # Werkzeug has already decoded the query string once, so "%5C" here was sent
    # double-encoded; browsers do not decode it in a path, so it stays on this site.
    result = safe_next("/%5Cevil.test", "/home")
    assert result in ("/home", "/%5Cevil.test")


# Raw query strings as a browser sends them; Werkzeug decodes them before safe_next.
RAW_NEXT = [
    "//evil.test",
    "%2F%2Fevil.test",
    "/%5Cevil.test",
    "%5C%5Cevil.test",
    "/%09/evil.test",
    "%20//evil.test",
    "https%3A%2F%2Fevil.test",
    "javascript%3Aalert(1)",
    "http://%5B",
]


@pytest.mark.parametrize("raw", RAW_NEXT)
def test_login_never_sends_a_member_off_site(member_client, raw):
    response = member_client.get(f"/auth/login?next={raw}")
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.netloc in ("", "localhost")
    assert (location.path, location.query) == ("/", "")


def test_login_follows_a_next_path_on_this_site(member_client):
    response = member_client.get("/auth/login?next=%2Fsettings%2F%3Fx%3D1")
    assert response.location == "/settings/?x=1"


# ---------------------------------------------------------------- production configuration


class QuietProductionConfig(ProductionConfig):
    # Flask-Limiter keeps "enabled" on the shared extension object: an app built with
    # limits on would switch them on for the test app too.
    RATELIMIT_ENABLED = False


def test_production_cookies_are_secure_http_only_and_same_site(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "production-secret-from-the-environment")
    app = create_app(QuietProductionConfig)
    for cookie in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        assert app.config[f"{cookie}_SECURE"] is True
        assert app.config[f"{cookie}_HTTPONLY"] is True
        assert app.config[f"{cookie}_SAMESITE"] == "Lax"

    with app.test_request_context("/"):
        session["probe"] = 1
        response = app.make_response("ok")
        app.session_interface.save_session(app, session, response)
    attributes = {part.strip().lower() for part in response.headers["Set-Cookie"].split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= attributes


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(QuietProductionConfig)


def test_production_app_signs_with_the_secret_key_from_the_environment(tmp_path):
    env = {
        **os.environ,
        "MITMACH_ENV": "production",
        "SECRET_KEY": "production-secret-from-the-environment",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
    }
    script = "from community import create_app; print(create_app().config['SECRET_KEY'])"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "production-secret-from-the-environment"


# ---------------------------------------------------------------- GET changes nothing

GET_ROUTES = [route for route in ROUTES if route.method == "GET"]

# The one thing a page view may write: what the signed-in reader has now seen (how far
# they read a topic, when they last visited the forums), as every forum does; it works
# without JavaScript that way. Nothing anyone else sees changes.


@pytest.mark.parametrize("role", ["anonymous", "admin"])
@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda r: r.id)
def test_get_request_changes_no_row(app, db, route, role):
    ctx = act_as(app, role)
    url = url_for_route(ctx, route)
    db.session.commit()  # the set-up's writes are not the request's
    before = snapshot(db)

    response = ctx.client.get(url)

    assert response.status_code < 500
    changed = set(changed_tables(before, snapshot(db))) - READ_STATE_TABLES
    assert not changed, f"GET {url} as {role} changed rows in {sorted(changed)}"
