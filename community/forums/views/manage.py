"""The team's category pages (list, create, edit, focus group members) and the admins'
reaction types."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts import services as accounts
from community.catalog.models import Product
from community.core.forms import ActionForm, submit
from community.extensions import db
from community.forums import bp, policy
from community.forums.forms import (
    CategoryForm,
    InviteForm,
    ReactionTypeEditForm,
    ReactionTypeForm,
)
from community.forums.services import categories, visibility
from community.forums.services import reaction_types as offered_reactions
from community.forums.views.helpers import check_form, done, require


def _products() -> list[Product]:
    return list(db.session.scalars(select(Product).order_by(Product.name, Product.id)))


# ---------------------------------------------------------------- categories


@bp.route("/forums/manage", methods=["GET", "POST"])
@login_required
def manage_categories():
    require(policy.can_manage_categories(current_user))
    form = CategoryForm(products=_products())
    created = submit(
        form,
        lambda: categories.create_category(
            current_user,
            name=form.name.data,
            slug=form.slug.data,
            description=form.description.data or "",
            kind=form.kind.data,
            is_private=form.is_private.data,
            product_id=form.product_value,
            position=form.position.data or 0,
        ),
    )
    if created.ok:
        flash(_("The category %(name)s is created.", name=created.value.name), "success")
        return redirect(url_for("forums.manage_categories"))
    status = created.status if form.is_submitted() else 200
    return (
        render_template(
            "forums/manage.html",
            form=form,
            rows=categories.list_categories(current_user),
        ),
        status,
    )


@bp.route("/forums/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_category(slug: str):
    require(policy.can_manage_categories(current_user))
    category = visibility.get_category(current_user, slug)
    form = CategoryForm(
        products=_products(),
        data={
            "name": category.name,
            "slug": category.slug,
            "description": category.description,
            "kind": category.kind,
            "is_private": category.is_private,
            "product_id": str(category.product_id or ""),
            "position": category.position,
        },
    )
    saved = submit(
        form,
        lambda: categories.update_category(
            current_user,
            category,
            name=form.name.data,
            slug=form.slug.data,
            description=form.description.data or "",
            kind=form.kind.data,
            is_private=form.is_private.data,
            product_id=form.product_value,
            position=form.position.data or 0,
        ),
    )
    if saved.ok:
        flash(_("The category is saved."), "success")
        return redirect(url_for("forums.category", slug=saved.value.slug))
    status = saved.status if form.is_submitted() else 200
    return render_template("forums/edit_category.html", category=category, form=form), status


# ---------------------------------------------------------------- focus groups


@bp.route("/forums/<slug>/members", methods=["GET", "POST"])
@login_required
def focus_group(slug: str):
    require(policy.is_moderator(current_user))
    category = visibility.get_category(current_user, slug)
    form = InviteForm()
    invited = submit(
        form, lambda: categories.invite_member(current_user, category, form.username.data)
    )
    if invited.ok:
        flash(_("%(name)s is invited.", name=form.username.data.strip()), "success")
        return redirect(url_for("forums.focus_group", slug=slug))
    status = invited.status if form.is_submitted() else 200
    return (
        render_template(
            "forums/focus_group.html",
            category=category,
            form=form,
            members=categories.list_members(current_user, category),
            remove_form=ActionForm(),
        ),
        status,
    )


@bp.route("/forums/<slug>/members/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_member(slug: str, user_id: int):
    require(policy.is_moderator(current_user))
    category = visibility.get_category(current_user, slug)
    user = accounts.get_user(user_id)
    check_form(ActionForm())
    if categories.remove_member(current_user, category, user):
        done(_("%(name)s is no longer in this focus group.", name=user.username), "info")
    else:
        flash(_("%(name)s was not in this focus group.", name=user.username), "info")
    return redirect(url_for("forums.focus_group", slug=slug))


# ---------------------------------------------------------------- reaction types


def _edit_prefix(name: str) -> str:
    return f"rt-{name}"


def _render_reactions(add_form=None, edit_form=None, edited=None, status: int = 200):
    types = offered_reactions.reaction_types(active_only=False)
    edit_forms = {
        rt.name: ReactionTypeEditForm(
            formdata=None,
            prefix=_edit_prefix(rt.name),
            data={
                "label": rt.label,
                "emoji": rt.emoji,
                "is_positive": rt.is_positive,
                "is_active": rt.is_active,
                "position": rt.position,
            },
        )
        for rt in types
    }
    if edit_form is not None:
        edit_forms[edited] = edit_form
    return (
        render_template(
            "forums/reaction_types.html",
            types=types,
            add_form=add_form or ReactionTypeForm(formdata=None),
            edit_forms=edit_forms,
        ),
        status,
    )


@bp.route("/admin/reactions", methods=["GET", "POST"])
@login_required
def reaction_types():
    require(policy.can_manage_reactions(current_user))
    form = ReactionTypeForm()
    added = submit(
        form,
        lambda: offered_reactions.create_reaction_type(
            current_user, form.name.data, form.label.data, form.emoji.data, form.is_positive.data
        ),
    )
    if added.ok:
        flash(_("The reaction %(name)s is added.", name=added.value.name), "success")
        return redirect(url_for("forums.reaction_types"))
    if not form.is_submitted():
        return _render_reactions()
    return _render_reactions(add_form=form, status=added.status)


@bp.route("/admin/reactions/<name>", methods=["POST"])
@login_required
def update_reaction_type(name: str):
    require(policy.can_manage_reactions(current_user))
    form = ReactionTypeEditForm(prefix=_edit_prefix(name))
    saved = submit(
        form,
        lambda: offered_reactions.update_reaction_type(
            current_user,
            name,
            form.label.data,
            form.emoji.data,
            form.is_positive.data,
            form.is_active.data,
            form.position.data or 0,
        ),
    )
    if saved.ok:
        flash(_("The reaction %(name)s is saved.", name=name), "success")
        return redirect(url_for("forums.reaction_types"))
    return _render_reactions(edit_form=form, edited=name, status=saved.status)
