"""Who may use what: every rule of ``app.url_map`` for every role, against one declared table.

Deny by default: a rule or method that is not in ``ACCESS`` fails the suite. A new feature
adds its endpoints to ``ACCESS`` and, for a new URL argument name, one line to ``ARGS``.

This module also holds the route helpers the other standing guards share
(``tests/test_csrf.py``, ``tests/test_security.py``): ``ROUTES``, ``Ctx``, ``url_for_route``
and ``snapshot``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from community import create_app
from community.accounts import services as accounts
from community.accounts.models import User
from community.extensions import db as _db
from community.moderation import services as moderation
from community.notifications.services import notify
from config import TestConfig
from tests.conftest import login
from tests.factories import PASSWORD, make_user

# ---------------------------------------------------------------- access levels

PUBLIC = "public"  # everyone, the anonymous visitor included
ANONYMOUS_OK = "anonymous_ok"  # visitor flows (log in, join, signed links): no login needed
MEMBER = "member"  # any logged-in, active account
TEAM = "team"  # the product team and admins
ADMIN = "admin"  # admins only

ROLES = ("anonymous", "suspended", "member", "team", "admin")

# A suspended member's session is dead: they count as anonymous everywhere.
ALLOWED_ROLES: dict[str, frozenset[str]] = {
    PUBLIC: frozenset(ROLES),
    ANONYMOUS_OK: frozenset(ROLES),
    MEMBER: frozenset({"member", "team", "admin"}),
    TEAM: frozenset({"team", "admin"}),
    ADMIN: frozenset({"admin"}),
}

# endpoint -> method -> level. Every rule and method of the URL map must be here.
ACCESS: dict[str, dict[str, str]] = {
    # site
    "site.home": {"GET": PUBLIC},
    "site.coming_soon": {"GET": PUBLIC},
    "site.brand_css": {"GET": PUBLIC},
    "site.admin_index": {"GET": ADMIN},
    "site.admin_settings": {"GET": ADMIN, "POST": ADMIN},
    # accounts: visitor flows
    "accounts.register": {"GET": ANONYMOUS_OK, "POST": ANONYMOUS_OK},
    "accounts.login": {"GET": ANONYMOUS_OK, "POST": ANONYMOUS_OK},
    "accounts.logout": {"POST": ANONYMOUS_OK},
    "accounts.request_reset": {"GET": ANONYMOUS_OK, "POST": ANONYMOUS_OK},
    "accounts.reset_password": {"GET": ANONYMOUS_OK, "POST": ANONYMOUS_OK},
    "accounts.confirm_email": {"GET": ANONYMOUS_OK, "POST": ANONYMOUS_OK},
    "accounts.set_language": {"POST": ANONYMOUS_OK},
    # accounts: profiles and settings
    "accounts.profile": {"GET": PUBLIC},
    "accounts.resend_confirmation": {"POST": MEMBER},
    "accounts.edit_profile": {"GET": MEMBER, "POST": MEMBER},
    "accounts.settings": {"GET": MEMBER},
    "accounts.change_password": {"POST": MEMBER},
    "accounts.change_email": {"POST": MEMBER},
    "accounts.tokens": {"GET": MEMBER, "POST": MEMBER},
    "accounts.revoke_token": {"POST": MEMBER},
    "accounts.data": {"GET": MEMBER},
    "accounts.export": {"GET": MEMBER},
    "accounts.erase": {"POST": MEMBER},
    # notifications
    "notifications.index": {"GET": MEMBER},
    "notifications.mark_read": {"POST": MEMBER},
    "notifications.mark_all_read": {"POST": MEMBER},
    # moderation (admin pages)
    "moderation.audit_log": {"GET": ADMIN},
    "moderation.users": {"GET": ADMIN},
    "moderation.user": {"GET": ADMIN},
    "moderation.change_role": {"POST": ADMIN},
    "moderation.suspend": {"POST": ADMIN},
    "moderation.lift_suspension": {"POST": ADMIN},
    "moderation.erase": {"POST": ADMIN},
    # moderation: flags (the "flag" privilege; the matrix's member has no points yet)
    "moderation.flag_form": {"GET": TEAM},
    "moderation.flag": {"POST": TEAM},
    "api.flag": {"POST": TEAM},
    # moderation: the review queue (also members with the "review_queue" privilege)
    "moderation.queue": {"GET": TEAM},
    "moderation.queue_item": {"GET": TEAM},
    "moderation.approve_item": {"POST": TEAM},
    "moderation.hide_item": {"POST": TEAM},
    "moderation.restore_item": {"POST": TEAM},
    # moderation: penalties
    "moderation.my_penalties": {"GET": MEMBER},
    "moderation.acknowledge": {"POST": MEMBER},
    "moderation.member": {"GET": TEAM},
    "moderation.give_penalty": {"POST": TEAM},
    "moderation.lift_penalty": {"POST": TEAM},
    "moderation.purge_member": {"POST": TEAM},
    # reputation
    # another member's history: the team only (one's own: tests/reputation)
    "reputation.history": {"GET": TEAM},
    "reputation.privileges": {"GET": PUBLIC},
    "reputation.badges": {"GET": PUBLIC},
    "reputation.badge": {"GET": PUBLIC},
    "reputation.award_badge": {"POST": TEAM},
    "reputation.revoke_badge": {"POST": TEAM},
    "reputation.choose_title": {"POST": MEMBER},
    "reputation.mavens": {"GET": PUBLIC},
    # API v1
    "api.me": {"GET": MEMBER},
    "api.update_me": {"PATCH": MEMBER},
    "api.list_notifications": {"GET": MEMBER},
    "api.read_notification": {"POST": MEMBER},
    "api.read_all_notifications": {"POST": MEMBER},
    "api.user": {"GET": PUBLIC},
    "api.mavens_board": {"GET": PUBLIC},
    "api.list_categories": {"GET": PUBLIC},
    "api.list_topics": {"GET": PUBLIC},
    "api.create_topic": {"POST": MEMBER},
    "api.get_topic": {"GET": PUBLIC},
    "api.create_post": {"POST": MEMBER},
    "api.add_reaction": {"POST": MEMBER},
    "api.remove_reaction": {"DELETE": MEMBER},
    # the asker or the team: the topic in ARGS is another member's
    "api.accept_answer": {"POST": TEAM},
    "api.search": {"GET": PUBLIC},
    "api.list_ideas": {"GET": PUBLIC},
    "api.create_idea": {"POST": MEMBER},
    "api.get_idea": {"GET": PUBLIC},
    "api.vote_for_idea": {"POST": MEMBER},
    "api.unvote_idea": {"DELETE": MEMBER},
    "api.change_idea_status": {"POST": TEAM},
    "api.merge_idea": {"POST": TEAM},
    "api.unmerge_idea": {"POST": TEAM},
    # search
    "site.search": {"GET": PUBLIC},
    # forums: reading
    "forums.index": {"GET": PUBLIC},
    "forums.category": {"GET": PUBLIC},
    "forums.similar": {"GET": PUBLIC},
    "forums.topic_short": {"GET": PUBLIC},
    "forums.topic": {"GET": PUBLIC},
    "forums.post": {"GET": PUBLIC},
    "forums.post_history": {"GET": PUBLIC},
    # forums: members
    "forums.new_topic": {"GET": MEMBER, "POST": MEMBER},
    "forums.reply": {"GET": MEMBER, "POST": MEMBER},
    "forums.category_level": {"POST": MEMBER},
    "forums.topic_level": {"POST": MEMBER},
    "forums.react": {"POST": MEMBER},
    "forums.unreact": {"POST": MEMBER},
    # the author or the team (the topic and post in ARGS are another member's)
    "forums.edit_post": {"GET": TEAM, "POST": TEAM},
    "forums.edit_tags": {"POST": TEAM},
    "forums.accept_answer": {"POST": TEAM},
    "forums.withdraw_answer": {"POST": TEAM},
    # forums: the team
    "forums.pin_topic": {"POST": TEAM},
    "forums.lock_topic": {"POST": TEAM},
    "forums.move_topic": {"POST": TEAM},
    "forums.hide_topic": {"POST": TEAM},
    "forums.restore_topic": {"POST": TEAM},
    "forums.set_official": {"POST": TEAM},
    "forums.hide_post": {"POST": TEAM},
    "forums.restore_post": {"POST": TEAM},
    "forums.revert_post": {"POST": TEAM},
    "forums.manage_categories": {"GET": TEAM, "POST": TEAM},
    "forums.edit_category": {"GET": TEAM, "POST": TEAM},
    "forums.focus_group": {"GET": TEAM, "POST": TEAM},
    "forums.remove_member": {"POST": TEAM},
    "forums.reaction_types": {"GET": ADMIN, "POST": ADMIN},
    "forums.update_reaction_type": {"POST": ADMIN},
    # ideas: reading
    "ideas.index": {"GET": PUBLIC},
    "ideas.idea": {"GET": PUBLIC},
    "ideas.similar": {"GET": PUBLIC},
    # ideas: members
    "ideas.new": {"GET": MEMBER, "POST": MEMBER},
    "ideas.vote": {"POST": MEMBER},
    "ideas.unvote": {"POST": MEMBER},
    "ideas.importance": {"POST": MEMBER},
    "ideas.follow": {"POST": MEMBER},
    "ideas.comment": {"POST": MEMBER},
    # the author or the team (the idea in ARGS is another member's)
    "ideas.edit": {"GET": TEAM, "POST": TEAM},
    "ideas.feedback": {"POST": MEMBER},
    # ideas: the team
    "ideas.pin": {"POST": TEAM},
    "ideas.status": {"POST": TEAM},
    "ideas.merge": {"POST": TEAM},
    "ideas.unmerge": {"POST": TEAM},
    "ideas.proxy_vote": {"POST": TEAM},
    "ideas.priorities": {"GET": TEAM},
    "ideas.customer_values": {"GET": TEAM},
    "ideas.customer_value": {"POST": TEAM},
    "ideas.customer_values_import": {"POST": TEAM},
    # roadmap and challenges
    "ideas.roadmap": {"GET": PUBLIC},
    "ideas.shipped": {"GET": PUBLIC},
    "ideas.challenges": {"GET": PUBLIC},
    "ideas.challenge": {"GET": PUBLIC},
    "ideas.new_challenge": {"GET": TEAM, "POST": TEAM},
    "ideas.challenge_winners": {"POST": TEAM},
    # catalog
    "catalog.index": {"GET": PUBLIC},
    "catalog.product": {"GET": PUBLIC},
    "catalog.new_product": {"GET": TEAM, "POST": TEAM},
    "catalog.edit_product": {"GET": TEAM, "POST": TEAM},
    "catalog.retire_product": {"POST": TEAM},
    "catalog.restore_product": {"POST": TEAM},
}

# Endpoints that are not routes of the application's own (served by Flask itself).
NOT_CHECKED_ENDPOINTS = frozenset({"static"})
NOT_CHECKED_METHODS = frozenset({"HEAD", "OPTIONS"})


# ---------------------------------------------------------------- the routes


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    method: str
    arguments: frozenset[str]

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule} ({self.endpoint})"


def discover_routes(app: Flask) -> list[Route]:
    """Every (rule, method) of the URL map that the guards check."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_CHECKED_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - NOT_CHECKED_METHODS):
            routes.append(Route(rule.endpoint, rule.rule, method, frozenset(rule.arguments)))
    return sorted(routes, key=lambda r: (r.rule, r.method))


# Collected once, from an app built like the suite's: parametrized tests need it at import.
ROUTES: list[Route] = discover_routes(create_app(TestConfig))


# ---------------------------------------------------------------- who is acting


@dataclass
class Ctx:
    """One acting role with its own client, plus the accounts URL arguments point at."""

    role: str
    client: FlaskClient
    actor: User | None
    other: User  # a plain member who is not the actor
    # Objects the URL points at belong to ``other`` instead of the actor.
    foreign: bool = False
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def owner(self) -> User:
        """Whose object (token, notification) a URL argument names."""
        if self.foreign or self.actor is None:
            return self.other
        return self.actor


def act_as(app: Flask, role: str, foreign: bool = False) -> Ctx:
    """A client for ``role`` with its own session; a suspended member was logged in first."""
    other = make_user()
    client = app.test_client()
    if role == "anonymous":
        return Ctx(role, client, None, other, foreign)
    actor = make_user(role="member" if role == "suspended" else role)
    login(client, actor)
    if role == "suspended":
        assert client.get("/settings/").status_code == 200, "the member should be logged in"
        admin = make_user(role="admin")
        moderation.suspend(admin, actor, 7, "reason")
        _db.session.commit()
    return Ctx(role, client, actor, other, foreign)


# ---------------------------------------------------------------- URL arguments


def _own_token(ctx: Ctx, endpoint: str) -> int:
    if "token" not in ctx._cache:
        token, _secret = accounts.create_token(ctx.owner, "matrix")
        ctx._cache["token"] = token.id
    return ctx._cache["token"]


def _own_penalty(ctx: Ctx, endpoint: str) -> int:
    # Made directly: the team cannot warn the team, and the owner may be either.
    if "penalty" not in ctx._cache:
        from community.moderation.models import Penalty

        penalty = Penalty(user_id=ctx.owner.id, kind="warn", reason="Be kind.")
        _db.session.add(penalty)
        _db.session.flush()
        ctx._cache["penalty"] = penalty.id
    return ctx._cache["penalty"]


def _review_item(ctx: Ctx, endpoint: str) -> int:
    from community.moderation.services import queue

    return queue.enqueue("forum_post", _forum(ctx)["post_id"], None, "held").id


def _own_notification(ctx: Ctx, endpoint: str) -> int:
    if "notification" not in ctx._cache:
        notification = notify(ctx.owner, "test", None, "Hello")
        assert notification is not None
        ctx._cache["notification"] = notification.id
    return ctx._cache["notification"]


# Signed link tokens differ per endpoint: each one needs a genuine token of its own kind.
SIGNED_TOKENS: dict[str, Callable[[User], str]] = {
    "accounts.reset_password": accounts.make_reset_token,
    "accounts.confirm_email": accounts.make_confirm_token,
}


def _signed_token(ctx: Ctx, endpoint: str) -> str:
    if endpoint not in SIGNED_TOKENS:
        pytest.fail(f"add how to make a valid <token> for {endpoint} to SIGNED_TOKENS")
    return SIGNED_TOKENS[endpoint](ctx.other)


def _product_slug(ctx: Ctx) -> str:
    if "product" not in ctx._cache:
        from tests.catalog.factories import make_product

        ctx._cache["product"] = make_product().slug
    return ctx._cache["product"]


def _forum(ctx: Ctx) -> dict[str, Any]:
    """A public Q&A category with another member's topic and edited reply, and a focus
    group that member belongs to: what forum URL arguments point at."""
    if "forum" not in ctx._cache:
        from community.forums.services import categories, revisions
        from tests.forums.factories import make_category, make_reply, make_topic

        public = make_category(kind="qa")
        topic = make_topic(public, author=ctx.other)
        post = make_reply(topic, author=make_user())
        revisions.edit_post(post.author, post, "An edited reply.")
        team = make_user(role="team")
        private = make_category(is_private=True, actor=team)
        categories.invite_member(team, private, ctx.other.username)
        ctx._cache["forum"] = {
            "public": public.slug,
            "private": private.slug,
            "topic_id": topic.id,
            "post_id": post.id,
        }
    return ctx._cache["forum"]


def _idea(ctx: Ctx) -> int:
    """Another member's open idea."""
    if "idea" not in ctx._cache:
        from tests.ideas.factories import make_idea

        ctx._cache["idea"] = make_idea(author=ctx.other).id
    return ctx._cache["idea"]


# Forum pages about a focus group's members point at the private category.
FOCUS_GROUP_ENDPOINTS = frozenset({"forums.focus_group", "forums.remove_member"})


def _challenge_slug(ctx: Ctx) -> str:
    """A challenge that has ended, waiting for its winners."""
    if "challenge" not in ctx._cache:
        import datetime as dt

        from community.core.db import utcnow
        from community.ideas.services import challenges

        now = utcnow()
        challenge = challenges.create_challenge(
            make_user(role="team"),
            "Travel",
            "Ideas for trips.",
            now - dt.timedelta(days=9),
            now - dt.timedelta(days=1),
        )
        ctx._cache["challenge"] = challenge.slug
    return ctx._cache["challenge"]


def _slug(ctx: Ctx, endpoint: str) -> str:
    if endpoint.startswith("catalog."):
        return _product_slug(ctx)
    if endpoint.startswith("ideas."):
        return _challenge_slug(ctx)
    forum = _forum(ctx)
    return forum["private"] if endpoint in FOCUS_GROUP_ENDPOINTS else forum["public"]


# URL argument name -> value (from the acting context and the endpoint).
ARGS: dict[str, Callable[[Ctx, str], Any]] = {
    "username": lambda ctx, endpoint: ctx.other.username,
    "key": lambda ctx, endpoint: "first_idea",
    "user_id": lambda ctx, endpoint: ctx.other.id,
    "token_id": _own_token,
    "notification_id": _own_notification,
    "penalty_id": _own_penalty,
    "item_id": _review_item,
    "token": _signed_token,
    "section": lambda ctx, endpoint: "forums",
    "slug": _slug,
    "topic_id": lambda ctx, endpoint: _forum(ctx)["topic_id"],
    "post_id": lambda ctx, endpoint: _forum(ctx)["post_id"],
    "revision": lambda ctx, endpoint: 1,
    "name": lambda ctx, endpoint: "like",
    "idea_id": lambda ctx, endpoint: _idea(ctx),
}

# Arguments naming an object that belongs to one member: nobody else may touch it.
OWNED_ARGS = frozenset({"token_id", "notification_id", "penalty_id"})


def url_for_route(ctx: Ctx, route: Route) -> str:
    """The route's URL with every argument filled from ``ARGS``."""
    values = {}
    for name in sorted(route.arguments):
        if name not in ARGS:
            pytest.fail(f"no value for URL argument <{name}> of {route.id}: add it to ARGS")
        values[name] = ARGS[name](ctx, route.endpoint)
    _db.session.flush()
    adapter = ctx.client.application.url_map.bind("localhost")
    return adapter.build(route.endpoint, values, method=route.method)


def send(ctx: Ctx, route: Route, **kwargs: Any):
    """Send the route's request (no form data unless given) with the context's client."""
    return ctx.client.open(url_for_route(ctx, route), method=route.method, **kwargs)


LOGIN_PATH = "/auth/login"


def is_refused(response) -> bool:
    """401/403/404/405, or sent to the login page."""
    if response.status_code in (401, 403, 404, 405):
        return True
    if 300 <= response.status_code < 400:
        return urlsplit(response.location or "").path == LOGIN_PATH
    return False


def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table, in primary key order."""
    db.session.flush()
    rows = {}
    for table in db.metadata.sorted_tables:
        stmt = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(row) for row in db.session.execute(stmt)]
    return rows


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


# ---------------------------------------------------------------- tests


def test_every_route_is_declared_in_the_access_table(app):
    missing = [
        route.id
        for route in discover_routes(app)
        if route.method not in ACCESS.get(route.endpoint, {})
    ]
    assert not missing, "routes without an ACCESS entry (deny by default):\n" + "\n".join(missing)


def test_access_table_names_only_existing_routes_and_known_levels(app):
    existing = {(route.endpoint, route.method) for route in discover_routes(app)}
    stale = [
        f"{method} {endpoint}"
        for endpoint, methods in ACCESS.items()
        for method in methods
        if (endpoint, method) not in existing
    ]
    unknown = [
        f"{method} {endpoint}: {level!r}"
        for endpoint, methods in ACCESS.items()
        for method, level in methods.items()
        if level not in ALLOWED_ROLES
    ]
    assert not stale, "ACCESS entries without a route:\n" + "\n".join(stale)
    assert not unknown, "ACCESS entries with an unknown level:\n" + "\n".join(unknown)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_route_is_open_exactly_to_the_roles_of_its_level(app, db, route, role):
    level = ACCESS.get(route.endpoint, {}).get(route.method)
    if level is None:
        pytest.fail(f"{route.id} is not in ACCESS: declare who may use it")
    ctx = act_as(app, role)
    response = send(ctx, route)
    should_allow = role in ALLOWED_ROLES[level]
    outcome = f"{response.status_code} {response.location or ''}".strip()
    if should_allow:
        assert not is_refused(response), f"{role} was refused {route.id} ({level}): {outcome}"
    else:
        assert is_refused(response), f"{role} got through to {route.id} ({level}): {outcome}"


OWNED_ROUTES = [route for route in ROUTES if route.arguments & OWNED_ARGS]


@pytest.mark.parametrize("route", OWNED_ROUTES, ids=lambda r: r.id)
def test_members_cannot_touch_another_members_objects(app, db, route):
    ctx = act_as(app, "member", foreign=True)
    url = url_for_route(ctx, route)
    before = snapshot(db)
    response = ctx.client.open(url, method=route.method)
    assert response.status_code in (403, 404), f"{route.id}: {response.status_code}"
    assert changed_tables(before, snapshot(db)) == []


def test_owned_object_guard_covers_every_owned_argument():
    # Keeps the guard above from passing vacuously when routes are renamed.
    covered = set().union(*(route.arguments for route in OWNED_ROUTES)) & OWNED_ARGS
    assert covered == OWNED_ARGS


def test_suspended_member_is_logged_out_and_their_api_token_stops_working(app, db):
    member = make_user()
    _token, secret = accounts.create_token(member, "cli")
    admin = make_user(role="admin")
    client = app.test_client()
    login(client, member)
    headers = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200

    moderation.suspend(admin, member, 7, "reason")
    _db.session.commit()

    assert client.get("/settings/").location.startswith(LOGIN_PATH)
    # The token still names its owner, so the API says why instead of "invalid token".
    refused = app.test_client().get("/api/v1/me", headers=headers)
    assert refused.status_code == 403
    assert "suspended until" in refused.get_json()["error"]["message"]
    assert "reason" in refused.get_json()["error"]["message"]
    # An erased owner's token is simply invalid.
    accounts.erase_account(member, PASSWORD)
    _db.session.commit()
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
