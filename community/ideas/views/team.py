"""The team's pages and tools: the prioritisation table, customer values (one member by
hand, many by CSV), and on an idea's page the proxy vote, merge and unmerge.

Every route refuses members (403) before reading a form. A refusal the team member can
fix comes back as the page they were on, with the message and what they typed."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from community.catalog import services as catalog
from community.core.errors import InvalidInput
from community.core.forms import ActionForm
from community.core.page_cache import cached_page
from community.ideas import bp, policy
from community.ideas.forms import importance_label
from community.ideas.models import Idea
from community.ideas.services import (
    common,
    customer_values,
    merging,
    priorities,
    statuses,
    voting,
)
from community.ideas.team_forms import (
    CustomerValueForm,
    CustomerValuesImportForm,
    MergeForm,
    ProxyVoteForm,
)
from community.ideas.views import reading
from community.ideas.views.helpers import attempt, done, idea_url, require

SORT_LABELS = {
    "value": lambda: _("Value score"),
    "weighted": lambda: _("Weighted votes"),
    "votes": lambda: _("Votes"),
    "trend": lambda: _("Trend"),
}


def _team_only() -> None:
    # Before the form is read: a member's POST is refused, not checked for typos.
    require(policy.is_team(current_user))


# ---------------------------------------------------------------- priorities


# The function is named apart from the service module it calls.
@bp.route("/ideas/priorities", endpoint="priorities")
@login_required
@cached_page
def priorities_page():
    _team_only()
    sort = (request.args.get("sort") or "value").strip()
    segment = (request.args.get("segment") or "").strip() or None
    slug = (request.args.get("product") or "").strip() or None
    listed = catalog.list_products(current_user, include_retired=True)
    products = [*listed.active, *listed.retired]
    product = None
    if slug is not None:
        product = next((p for p in products if p.slug == slug), None)
        if product is None:
            raise InvalidInput(_("There is no such product."), field="product")
    # An unknown sort is the service's InvalidInput: a 400 page that says so.
    rows = priorities.table(
        current_user, sort, segment, product.id if product is not None else None
    )
    return render_template(
        "ideas/priorities.html",
        rows=rows,
        sort=sort,
        sorts=[(key, SORT_LABELS[key]()) for key in priorities.SORTS],
        segment=segment,
        segments=customer_values.segments(),
        product=product,
        products=products,
        formula=str(priorities.VALUE_FORMULA),
        trend_days=priorities.TREND_DAYS,
        status_label=statuses.status_label,
    )


# ---------------------------------------------------------------- customer values


def _render_values(
    value_form: CustomerValueForm | None = None,
    import_form: CustomerValuesImportForm | None = None,
    import_errors: list[str] | None = None,
    status: int = 200,
):
    return (
        render_template(
            "ideas/customer_values.html",
            value_form=value_form or CustomerValueForm(formdata=None),
            import_form=import_form or CustomerValuesImportForm(formdata=None),
            import_errors=import_errors or [],
            segments=customer_values.segments(),
            formula=str(priorities.VALUE_FORMULA),
        ),
        status,
    )


@bp.route("/ideas/customer-values", endpoint="customer_values")
@login_required
@cached_page
def customer_values_page():
    _team_only()
    return _render_values()


@bp.route("/ideas/customer-values/one", methods=["POST"])
@login_required
def customer_value():
    _team_only()
    form = CustomerValueForm()
    outcome = attempt(
        form,
        lambda: customer_values.set_customer_value(
            current_user, form.username.data, form.value.data, form.segment.data
        ),
    )
    if outcome.refused:
        return _render_values(value_form=form, status=outcome.refused)
    saved, name = outcome.value, form.username.data.strip()
    if saved.segment:
        message = _(
            "%(name)s now has the customer value %(value)d in the segment %(segment)s.",
            name=name,
            value=saved.value,
            segment=saved.segment,
        )
    else:
        message = _("%(name)s now has the customer value %(value)d.", name=name, value=saved.value)
    done(message)
    return redirect(url_for("ideas.customer_values"))


@bp.route("/ideas/customer-values/import", methods=["POST"])
@login_required
def customer_values_import():
    _team_only()
    form = CustomerValuesImportForm()
    if not form.validate_on_submit():
        return _render_values(import_form=form, status=400)
    try:
        text = form.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors = [_("The file must be text in UTF-8 (save it as CSV UTF-8).")]
        return _render_values(import_form=form, status=400)
    outcome = attempt(form, lambda: customer_values.import_csv(current_user, text))
    if outcome.refused:
        return _render_values(import_form=form, status=outcome.refused)
    result = outcome.value
    if result.errors:
        # Nothing was imported: every line is checked before any is written.
        return _render_values(import_form=form, import_errors=result.errors, status=400)
    done(
        ngettext(
            "Customer value imported for %(num)d member.",
            "Customer values imported for %(num)d members.",
            result.imported,
        )
    )
    return redirect(url_for("ideas.customer_values"))


# ---------------------------------------------------------------- tools on an idea's page


def team_tools(viewer: Any, idea: Idea, forms: dict[str, Any] | None = None) -> dict | None:
    """What ``templates/ideas/_team_tools.html`` shows on an idea's page, for the team
    (None for everyone else): the proxy vote and merge forms (a refused one, under the
    key ``idea_again`` was given, with its errors and what was typed). No query."""
    if not policy.is_team(viewer):
        return None
    forms = forms or {}
    proxy_form = forms.get("proxy_vote") or ProxyVoteForm(formdata=None)
    merge_form = forms.get("merge") or MergeForm(formdata=None)
    return {
        "proxy_form": proxy_form,
        "merge_form": merge_form,
        "has_errors": bool(
            proxy_form.errors
            or proxy_form.form_errors
            or merge_form.errors
            or merge_form.form_errors
        ),
    }


@bp.route("/ideas/<int:idea_id>/proxy-vote", methods=["POST"])
@login_required
def proxy_vote(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    _team_only()
    back = idea_url(idea)
    form = ProxyVoteForm()
    outcome = attempt(
        form,
        lambda: voting.proxy_vote(current_user, idea, form.username.data, form.importance.data),
    )
    if outcome.refused:
        return reading.idea_again(
            idea_id,
            form,
            outcome.refused,
            "proxy_vote",
            lambda reason: _("The vote is not recorded: %(reason)s", reason=reason),
        )
    label = importance_label(outcome.value.importance)
    name = form.username.data.strip()
    done(
        _(
            "The vote of %(name)s is recorded (%(importance)s); they are told.",
            name=name,
            importance=label,
        )
    )
    return redirect(back)


@bp.route("/ideas/<int:idea_id>/merge", methods=["POST"])
@login_required
def merge(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    _team_only()
    form = MergeForm()
    outcome = attempt(form, lambda: merging.merge(current_user, idea, form.into.data))
    if outcome.refused:
        return reading.idea_again(
            idea_id,
            form,
            outcome.refused,
            "merge",
            lambda reason: _("The idea is not merged: %(reason)s", reason=reason),
        )
    target_id = outcome.value.target_id
    done(_("The idea #%(source)d is merged into this one.", source=idea_id))
    return redirect(idea_url(target_id))


@bp.route("/ideas/<int:idea_id>/unmerge", methods=["POST"])
@login_required
def unmerge(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    _team_only()
    form = ActionForm()
    outcome = attempt(form, lambda: merging.unmerge(current_user, idea))
    if outcome.refused:
        return reading.idea_again(
            idea_id,
            form,
            outcome.refused,
            None,
            lambda reason: _("The idea is not unmerged: %(reason)s", reason=reason),
        )
    done(_("The merge is undone: the idea has its votes, followers and comments back."))
    return redirect(idea_url(idea_id))
