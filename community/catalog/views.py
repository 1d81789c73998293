"""Product pages: the public list and product page, the team's forms and buttons."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.catalog import bp, policy, sections, services
from community.catalog.forms import ProductForm
from community.catalog.models import Product
from community.core.forms import ActionForm, submit


def _team_only() -> None:
    # Before the form is read: a member's POST is refused, not checked for typos.
    if not policy.can_manage_products(current_user):
        abort(403)


@bp.route("/products/")
def index():
    listing = services.list_products(current_user, include_retired=True)
    return render_template(
        "catalog/index.html",
        groups=listing.by_category(),
        retired=listing.retired,
        excerpts=services.excerpts(listing.active),
        counts=sections.counts_for([p.id for p in listing.active]),
        can_manage=policy.can_manage_products(current_user),
    )


def _render_product(product: Product, failed_action: ActionForm | None = None, status: int = 200):
    return (
        render_template(
            "catalog/product.html",
            product=product,
            extra_sections=sections.load_all(product, current_user),
            can_manage=policy.can_manage_products(current_user),
            # A retire or restore button that was refused, with why.
            failed_action=failed_action,
        ),
        status,
    )


@bp.route("/products/<slug>")
def product(slug: str):
    return _render_product(services.get_product(slug))


def _form_status(form: ProductForm, status: int) -> int:
    return status if form.is_submitted() else 200


@bp.route("/products/new", methods=["GET", "POST"])
@login_required
def new_product():
    _team_only()
    form = ProductForm()
    created = submit(
        form,
        lambda: services.create_product(
            current_user,
            form.name.data or "",
            form.slug.data or "",
            form.description.data or "",
            form.category.data or "",
        ),
    )
    if created.ok:
        flash(_("The product %(name)s is added.", name=created.value.name), "success")
        return redirect(url_for(".product", slug=created.value.slug))
    return render_template("catalog/edit.html", form=form, product=None), _form_status(
        form, created.status
    )


@bp.route("/products/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_product(slug: str):
    _team_only()
    product = services.get_product(slug)
    form = ProductForm(
        data={
            "name": product.name,
            "slug": product.slug,
            "category": product.category,
            "description": product.description_source,
        }
    )
    saved = submit(
        form,
        lambda: services.update_product(
            current_user,
            product,
            form.name.data or "",
            form.slug.data or "",
            form.description.data or "",
            form.category.data or "",
        ),
    )
    if saved.ok:
        flash(_("The product is saved."), "success")
        return redirect(url_for(".product", slug=product.slug))
    return render_template("catalog/edit.html", form=form, product=product), _form_status(
        form, saved.status
    )


@bp.route("/products/<slug>/retire", methods=["POST"])
@login_required
def retire_product(slug: str):
    _team_only()
    product = services.get_product(slug)
    form = ActionForm()
    retired = submit(form, lambda: services.retire_product(current_user, product))
    if retired.ok:
        flash(_("The product is retired. Its page stays; it is listed apart."), "success")
        return redirect(url_for(".product", slug=product.slug))
    return _render_product(product, failed_action=form, status=retired.status)


@bp.route("/products/<slug>/restore", methods=["POST"])
@login_required
def restore_product(slug: str):
    _team_only()
    product = services.get_product(slug)
    form = ActionForm()
    restored = submit(form, lambda: services.restore_product(current_user, product))
    if restored.ok:
        flash(_("The product is active again."), "success")
        return redirect(url_for(".product", slug=product.slug))
    return _render_product(product, failed_action=form, status=restored.status)
