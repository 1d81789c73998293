"""The product catalog: listing products and the team's changes to them.

Services flush and never commit; the view or API handler commits once.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.accounts.services import render_markdown
from community.catalog import policy
from community.catalog.models import Product
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.core.plain_text import plain_text
from community.extensions import db
from community.moderation.services import audit

NAME_MAX = 200
SLUG_MAX = 64
SLUG_RE = re.compile(r"[a-z0-9-]{1,64}")
CATEGORY_MAX = 64
DESCRIPTION_MAX = 10_000
# Paths under /products/ that a slug would shadow.
RESERVED_SLUGS = frozenset({"new"})


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class ProductList:
    """Active products (by category, then name) and, apart, the retired ones (by name)."""

    active: list[Product]
    retired: list[Product] = field(default_factory=list)

    def by_category(self) -> list[tuple[str, list[Product]]]:
        """The active products grouped by category, in list order ("" for none, last)."""
        return [
            (category, list(products))
            for category, products in itertools.groupby(self.active, key=lambda p: p.category)
        ]


def list_products(viewer: Any, include_retired: bool = False) -> ProductList:
    """Every active product, and the retired ones when asked; one query.

    All products are public; ``viewer`` is who is looking, so per-viewer data can join
    later without changing callers.
    """
    stmt = select(Product).order_by(
        Product.retired_at.is_not(None),
        Product.category == "",
        func.lower(Product.category),
        Product.category,
        func.lower(Product.name),
        Product.id,
    )
    if not include_retired:
        stmt = stmt.where(Product.retired_at.is_(None))
    products = list(db.session.scalars(stmt))
    return ProductList(
        active=[p for p in products if p.is_active],
        retired=sorted(
            (p for p in products if not p.is_active), key=lambda p: (p.name.lower(), p.id)
        ),
    )


def get_product(slug: str) -> Product:
    """The product with this slug (retired ones too), else NotFound."""
    product = db.session.scalar(select(Product).where(Product.slug == slug))
    if product is None:
        raise NotFound(_("This product does not exist."))
    return product


# ---------------------------------------------------------------- the team's changes


@dataclass(frozen=True)
class _Checked:
    name: str
    slug: str
    category: str
    description_source: str
    description_html: str


def _check(name: str, slug: str, description: str, category: str) -> _Checked:
    """The cleaned fields, description rendered, else InvalidInput on the first bad field."""
    name, slug, category = name.strip(), slug.strip().lower(), category.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidInput(_("Between 1 and %(n)d characters.", n=NAME_MAX), field="name")
    if not SLUG_RE.fullmatch(slug):
        raise InvalidInput(
            _("1 to %(n)d characters: lowercase letters, digits and - only.", n=SLUG_MAX),
            field="slug",
        )
    if slug in RESERVED_SLUGS:
        raise InvalidInput(_("This address is reserved."), field="slug")
    if len(category) > CATEGORY_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=CATEGORY_MAX), field="category")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=DESCRIPTION_MAX), field="description")
    # Rendering resolves @mentions with a query: it runs before the product changes, so
    # autoflush cannot write a duplicate slug outside the savepoint below.
    html = render_markdown(description).html if description.strip() else ""
    return _Checked(name, slug, category, description, html)


def _slug_taken() -> Conflict:
    return Conflict(_("Another product already has this address."), field="slug")


def _require_team(actor: User) -> None:
    if not policy.can_manage_products(actor):
        raise PermissionDenied(_("Only the product team can change the catalog."))


def create_product(
    actor: User, name: str, slug: str, description: str = "", category: str = ""
) -> Product:
    """Add a product (audited); Conflict on "slug" when another product has that slug."""
    _require_team(actor)
    checked = _check(name, slug, description, category)
    product = Product(
        name=checked.name,
        slug=checked.slug,
        category=checked.category,
        description_source=checked.description_source,
        description_html=checked.description_html,
    )
    try:
        with db.session.begin_nested():
            db.session.add(product)
            db.session.flush()
    except IntegrityError as exc:
        raise _slug_taken() from exc
    audit(
        actor,
        "catalog.product.create",
        product,
        {"name": product.name, "slug": product.slug, "category": product.category},
    )
    return product


def update_product(
    actor: User, product: Product, name: str, slug: str, description: str, category: str
) -> Product:
    """Change a product's name, slug, category and description (audited with what
    changed); Conflict on "slug" when another product has the new slug."""
    _require_team(actor)
    checked = _check(name, slug, description, category)
    before = _fields(product)
    try:
        with db.session.begin_nested():
            product.name = checked.name
            product.slug = checked.slug
            product.category = checked.category
            product.description_source = checked.description_source
            product.description_html = checked.description_html
            db.session.flush()
    except IntegrityError as exc:
        raise _slug_taken() from exc
    after = _fields(product)
    changed = _changes(before, after)
    if changed:
        audit(actor, "catalog.product.update", product, changed)
    return product


def _fields(product: Product) -> dict[str, str]:
    return {
        "name": product.name,
        "slug": product.slug,
        "category": product.category,
        "description": product.description_source,
    }


def _changes(before: dict[str, str], after: dict[str, str]) -> dict[str, Any]:
    """What an edit changed, for the audit log (the description only as "changed")."""
    changed: dict[str, Any] = {}
    for key in before:
        if before[key] == after[key]:
            continue
        if key == "description":
            changed["description_changed"] = True
        else:
            changed[key] = {"from": before[key], "to": after[key]}
    return changed


def retire_product(actor: User, product: Product) -> Product:
    """Retire an active product (audited): it stays reachable but is listed apart.
    Conflict when it is retired already."""
    _require_team(actor)
    if not product.is_active:
        raise Conflict(_("This product is retired already."))
    product.retired_at = utcnow()
    db.session.flush()
    audit(actor, "catalog.product.retire", product, {"slug": product.slug})
    return product


def restore_product(actor: User, product: Product) -> Product:
    """Make a retired product active again (audited). Conflict when it is active."""
    _require_team(actor)
    if product.is_active:
        raise Conflict(_("This product is active already."))
    product.retired_at = None
    db.session.flush()
    audit(actor, "catalog.product.restore", product, {"slug": product.slug})
    return product


def excerpts(products: Iterable[Product], limit: int = 160) -> dict[int, str]:
    """A short plain-text excerpt of each product's description, for lists."""
    return {p.id: plain_text(p.description_html, limit) for p in products}
