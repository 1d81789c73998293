"""What the forum views share: links to topics and posts, refusals, small action forms."""

from __future__ import annotations

from typing import Any

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError

from community.core.errors import DomainError, InvalidInput, PermissionDenied
from community.core.forms import attach_error
from community.extensions import db
from community.forums.models import Post, Topic
from community.forums.services import common


def topic_url(topic: Topic, page: int = 1, anchor: str | None = None) -> str:
    """The canonical address of a topic page (page 1 has no ``page`` argument)."""
    return url_for(
        "forums.topic",
        topic_id=topic.id,
        slug=topic.slug,
        page=page if page > 1 else None,
        _anchor=anchor,
    )


def post_url(topic: Topic, post: Post) -> str:
    """The post on its topic page, without the /p/<id> redirect."""
    return topic_url(topic, common.page_of(post.number), f"p{post.id}")


def product_url(product: Any) -> str | None:
    """The product's page once the catalog has one."""
    if product is None:
        return None
    try:
        return url_for("catalog.product", slug=product.slug)
    except BuildError:
        return None


def require(allowed: bool) -> None:
    """Refuse with 403 unless ``allowed`` (the services check again)."""
    if not allowed:
        raise PermissionDenied(_("You are not allowed to do this."))


def check_form(form: FlaskForm) -> None:
    """A button form must validate (CSRF and its fields), else 400 with its first error."""
    if form.validate_on_submit():
        return
    for errors in form.errors.values():
        for error in errors:
            raise InvalidInput(str(error))
    raise InvalidInput(_("The form was incomplete. Please try again."))


def done(message: str, category: str = "success") -> None:
    """Commit the one transaction of this request and tell the user what happened."""
    db.session.commit()
    flash(message, category)


def check_fields(form: FlaskForm, checks: dict[str, Any]) -> bool:
    """Run field checks (service functions raising InvalidInput on their field) and put
    every refusal on its field; True when all passed."""
    ok = True
    for name, check in checks.items():
        try:
            check(getattr(form, name).data)
        except DomainError as error:
            attach_error(form, error)
            ok = False
    return ok


def page_arg() -> int:
    """The ``page`` query argument: a positive number, else 1."""
    value = request.args.get("page", "")
    return int(value) if value.isdigit() and 0 < int(value) < 10**9 else 1


def page_numbers(page: int, last: int, around: int = 2) -> list[int | None]:
    """Page links to show: the first, the last and those near ``page``; None for a gap."""
    wanted = {1, last, *range(max(page - around, 1), min(page + around, last) + 1)}
    numbers: list[int | None] = []
    previous = 0
    for number in sorted(wanted):
        if number - previous > 1:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers


def first_unread_url(topic: Topic, unread: int) -> str:
    """Where a topic's first unread post is (its page; the page shows a divider)."""
    number = max(topic.highest_number - unread + 1, 1)
    return topic_url(topic, common.page_of(number), "new")
