"""Ideas test data through the real services."""

from __future__ import annotations

import itertools
from typing import Any

from community.extensions import db
from community.ideas.models import Idea
from community.ideas.services import submitting
from tests.catalog.factories import make_product
from tests.factories import make_user

_seq = itertools.count(1)


def make_idea(**overrides: Any) -> Idea:
    """An open idea by a member (out of the new-member sandbox) for a product."""
    n = next(_seq)
    author = overrides.pop("author", None) or make_user(reputation=100)
    product = overrides.pop("product", None) or make_product()
    idea = submitting.create_idea(
        author,
        overrides.pop("title", f"Idea number {n}"),
        overrides.pop("body", "It would help a lot."),
        product.id,
        tags=overrides.pop("tags", ()),
        challenge_id=overrides.pop("challenge_id", None),
    )
    assert not overrides, f"unknown overrides: {sorted(overrides)}"
    db.session.flush()
    return idea
