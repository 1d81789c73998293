"""Home, the not-yet-built sections, the branding stylesheet and the admin start page."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from community.core.forms import submit
from community.core.page_cache import cached_page
from community.site import bp, policy, services
from community.site.forms import BrandingForm

# Main sections in the navigation: (key, label, endpoint once the feature exists).
SECTIONS = [
    ("forums", _l("Forums"), "forums.index"),
    ("ideas", _l("Ideas"), "ideas.index"),
    ("roadmap", _l("Roadmap"), "ideas.roadmap"),
    ("products", _l("Products"), "catalog.index"),
    ("parliament", _l("Parliament"), "parliament.index"),
    ("mavens", _l("Mavens"), "reputation.mavens"),
]


@bp.route("/")
@cached_page
def home():
    return render_template("site/home.html")


@bp.route("/soon/<section>")
def coming_soon(section: str):
    titles = {key: label for key, label, _endpoint in SECTIONS}
    if section not in titles:
        abort(404)
    return render_template("site/coming_soon.html", title=titles[section])


@bp.route("/brand.css")
def brand_css():
    color = services.branding().primary_color
    css = f":root {{ --primary: {color}; }}\n"
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.route("/admin/")
@login_required
def admin_index():
    if not policy.can_open_admin(current_user):
        abort(403)
    return render_template("site/admin_index.html")


@bp.route("/admin/settings", methods=["GET", "POST"])
@login_required
def admin_settings():
    if not policy.can_edit_branding(current_user):
        abort(403)
    current = services.branding()
    form = BrandingForm(
        data={
            "name": current.name,
            "tagline": current.tagline,
            "primary_color": current.primary_color,
        }
    )
    saved = submit(
        form,
        lambda: services.update_branding(
            current_user, form.name.data, form.tagline.data or "", form.primary_color.data
        ),
    )
    if saved.ok:
        flash(_("The branding is saved."), "success")
        return redirect(url_for(".admin_settings"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("site/admin_settings.html", form=form), status
