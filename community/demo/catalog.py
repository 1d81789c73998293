"""The demo's catalog: three products that forums and ideas are about."""

from __future__ import annotations

from community.accounts.models import User
from community.catalog import services as catalog
from community.catalog.models import Product

# (slug, name, category, description)
DEMO_PRODUCTS = [
    ("photo-app", "Mitmach Photo app", "Apps", "Edit, organise and share your photos."),
    ("cloud-backup", "Cloud backup", "Services", "Every photo safe, on every device."),
    ("photo-printer", "Photo printer P1", "Hardware", "Prints from phone to paper."),
]


def seed_products(users: dict[str, User]) -> dict[str, Product]:
    """Create the demo products as tom (the team), keyed by slug."""
    return {
        slug: catalog.create_product(users["tom"], name, slug, description, category)
        for slug, name, category, description in DEMO_PRODUCTS
    }
