"""Flagging: the page that asks why, and the POST that flags (members holding the "flag"
privilege, and the team). The Flag link on content leads here with ``kind``, ``id`` and
``next`` (where to go back to)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from community.core import subjects
from community.core.errors import InvalidInput
from community.core.forms import submit
from community.core.security import safe_next
from community.moderation import bp
from community.moderation.limits import flagging_limit
from community.moderation.models import Flag
from community.moderation.services import flags
from community.moderation.targets import TargetInfo
from community.reputation import privileges

EXCERPT_MAX = 400

# Templates show the Flag link by ``can_flag(current_user, author_id)``.
bp.add_app_template_global(flags.can_flag, "can_flag")


class FlagForm(FlaskForm):
    kind = HiddenField()
    id = HiddenField()
    next = HiddenField()
    # The service checks the choice, with a message of ours.
    reason = RadioField(
        _l("Why should the team look at this?"),
        choices=[SelectChoice(value, label) for value, (label, _help) in flags.REASONS.items()],
        validate_choice=False,
    )
    text = TextAreaField(
        _l("Details for the team"),
        description=_l("Needed for “Something else”; at most 500 characters."),
    )
    submit = SubmitField(_l("Flag"))


def _item_of(values: Any) -> tuple[str, int]:
    """The flagged item's kind and id from query or form values (InvalidInput if bad)."""
    kind = (values.get("kind") or "").strip()
    raw_id = (values.get("id") or "").strip()
    if not kind or not raw_id.isdigit() or int(raw_id) < 1:
        raise InvalidInput(_("Choose something to flag."), field="id")
    return kind, int(raw_id)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1].rstrip() + "…"


def _render(
    form: FlagForm, info: TargetInfo, back: str, mine: Flag | None = None, status: int = 200
):
    reasons = [(value, str(label), str(help_)) for value, (label, help_) in flags.REASONS.items()]
    return (
        render_template(
            "moderation/flag.html",
            form=form,
            info=info,
            excerpt=_excerpt(info.text),
            back=back,
            mine=mine,
            mine_reason=flags.reason_label(mine.reason) if mine is not None else None,
            reasons=reasons,
        ),
        status,
    )


@bp.route("/mod/flag")
@login_required
def flag_form():
    privileges.require(current_user, "flag")
    kind, subject_id = _item_of(request.args)
    info = flags.flaggable(current_user, kind, subject_id)
    back = safe_next(request.args.get("next"), info.url or url_for("site.home"))
    form = FlagForm(formdata=None, data={"kind": kind, "id": subject_id, "next": back})
    return _render(form, info, back, mine=flags.my_flag(current_user, kind, subject_id))


@bp.route("/mod/flag", methods=["POST"])
@flagging_limit
@login_required
def flag():
    privileges.require(current_user, "flag")
    form = FlagForm()
    kind, subject_id = _item_of(request.form)
    info = flags.flaggable(current_user, kind, subject_id)
    back = safe_next(form.next.data, info.url or url_for("site.home"))
    flagged = submit(
        form,
        lambda: flags.flag(current_user, kind, subject_id, form.reason.data, form.text.data),
    )
    if not flagged.ok:
        form.next.data = back
        mine = flags.my_flag(current_user, kind, subject_id) if flagged.status == 409 else None
        return _render(form, info, back, mine=mine, status=flagged.status)
    flash(_("Thank you for flagging. The team will look at it."), "success")
    # Flags that hid the item make its own page answer 404 to the flagger.
    if (
        info.url is not None
        and urlsplit(back).path == urlsplit(info.url).path
        and not subjects.is_visible(kind, subject_id, current_user)
    ):
        back = url_for("site.home")
    return redirect(back)
