"""API v1 for product ideas: thin handlers over the same services as the ideas pages.

Reads are public for what the caller may see (no token needed, but a token that is sent
must be valid); a hidden idea answers 404 to everyone but its author and the team, as if
it did not exist. Writes need a signed-in user (a token, or the session with its CSRF
token). Every rule lives in the ideas services: a second vote, a closed idea or a used-up
vote budget is a 409 that changes nothing; a handler parses, loads or 404s, calls one
service, shapes the JSON from the open transaction and commits once.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from community.accounts.models import User
from community.api import bp
from community.api.auth import api_user, reader
from community.api.parsing import json_body, string_field
from community.catalog.models import Product
from community.core.db import parse_id
from community.core.errors import InvalidInput
from community.extensions import db
from community.ideas.models import Challenge, Idea, IdeaStatusChange, IdeaVote, Importance
from community.ideas.services import common, listing, merging, statuses, submitting, voting
from community.moderation.limits import posting_limit, voting_limit

# An id no row has: what a reference naming nothing becomes, so the service refuses it
# on its field with its own words.
NO_ROW = -1

# ---------------------------------------------------------------- parsing


def _reference(data: dict[str, Any], key: str, model: Any) -> int | None:
    """``data[key]`` as the id of a ``model`` row, given by id or by slug: None when
    absent; ``NO_ROW`` when it names nothing."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(_("%(field)s must be an id or a slug.", field=key), field=key)
    if isinstance(value, str):
        text = value.strip()
        found = db.session.scalar(select(model.id).where(model.slug == text))
        if found is not None:
            return found
        if not (text.isascii() and text.isdigit()):
            return NO_ROW
    found_id = parse_id(value)
    return found_id if found_id is not None else NO_ROW


def _tags(data: dict[str, Any]) -> list[str] | str:
    """Tags as a list of names or one comma or space separated string."""
    value = data.get("tags")
    if value is None:
        return []
    if isinstance(value, str):
        return value
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise InvalidInput(_("%(field)s must be a list of strings.", field="tags"), field="tags")
    return value


def _importance(data: dict[str, Any]) -> Any:
    """The importance as sent (a name or 1-3; the service reads it), refusing other types
    (``true`` or ``2.5`` would otherwise pass as numbers)."""
    value = data.get("importance")
    if value is None or isinstance(value, str) or type(value) is int:
        return value
    raise InvalidInput(
        _("Choose how important it is: nice to have, important or critical."),
        field="importance",
    )


def _optional_body() -> dict[str, Any]:
    """The JSON object sent, or {} for a request without a body."""
    return json_body() if request.get_data() else {}


# ---------------------------------------------------------------- shaping


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _user(user: User | None) -> dict[str, Any] | None:
    """A member as the API shows them; None for an erased account ("deleted user")."""
    if user is None or user.is_erased:
        return None
    return {"username": user.username, "display_name": user.public_display_name}


def _importance_name(value: int) -> str:
    return Importance(value).name.lower()


def _your_vote(vote: IdeaVote | None) -> dict[str, Any] | None:
    if vote is None:
        return None
    return {"importance": _importance_name(vote.importance)}


def _idea(idea: Idea, tags: list[str], voted: bool) -> dict[str, Any]:
    """An idea's summary, as in the list (needs its product loaded)."""
    return {
        "id": idea.id,
        "title": idea.title,
        "url": url_for("ideas.idea", idea_id=idea.id),
        "product": {"slug": idea.product.slug, "name": idea.product.name},
        "status": idea.status,
        "votes": idea.vote_count,
        "weighted_votes": idea.weighted_votes,
        "comment_count": idea.comment_count,
        "tags": tags,
        "created_at": _time(idea.created_at),
        "voted": voted,
    }


def _change(change: IdeaStatusChange) -> dict[str, Any]:
    return {
        "from": change.from_status,
        "to": change.to_status,
        "note": change.note_source,
        "note_html": change.note_html,
        "at": _time(change.created_at),
        "actor": _user(change.actor),
    }


def _idea_detail(viewer: Any, idea: Idea) -> dict[str, Any]:
    """One idea with its description, status history and the viewer's vote (needs its
    product and author loaded; three queries)."""
    vote = voting.my_vote(viewer, idea)
    return {
        **_idea(idea, submitting.tags_of([idea.id])[idea.id], vote is not None),
        "author": _user(idea.author),
        "body_html": idea.body_html,
        "challenge": idea.challenge_id,
        "status_history": [_change(change) for change in statuses.history(idea)],
        "status_changed_at": _time(idea.status_changed_at),
        "shipped_at": _time(idea.shipped_at),
        "merged_into": idea.merged_into_id,
        "is_hidden": idea.is_hidden,
        "your_vote": _your_vote(vote),
    }


def _counts(idea: Idea, vote: IdeaVote | None) -> dict[str, Any]:
    return {
        "votes": idea.vote_count,
        "weighted_votes": idea.weighted_votes,
        "your_vote": _your_vote(vote),
    }


# ---------------------------------------------------------------- reading


@bp.get("/ideas")
def list_ideas():
    viewer = reader()
    filters = listing.parse_filter(request.args)
    found = listing.list_ideas(viewer, filters, request.args.get("cursor") or None)
    return jsonify(
        {
            "items": [
                _idea(idea, found.tags.get(idea.id, []), idea.id in found.voted)
                for idea in found.ideas
            ],
            "next_cursor": found.next_cursor,
        }
    )


@bp.get("/ideas/<int:idea_id>")
def get_idea(idea_id: int):
    viewer = reader()
    idea = common.get_idea(viewer, idea_id)
    return jsonify(_idea_detail(viewer, idea))


# ---------------------------------------------------------------- writing


@bp.post("/ideas")
@posting_limit
def create_idea():
    author = api_user()
    data = json_body()
    idea = submitting.create_idea(
        author,
        string_field(data, "title"),
        string_field(data, "body"),
        _reference(data, "product", Product),
        tags=_tags(data),
        challenge_id=_reference(data, "challenge", Challenge),
    )
    answer = _idea_detail(author, idea)
    db.session.commit()
    response = jsonify(answer)
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_idea", idea_id=answer["id"])
    return response


@bp.post("/ideas/<int:idea_id>/vote")
@voting_limit
def vote_for_idea(idea_id: int):
    user = api_user()
    idea = common.get_idea(user, idea_id)
    importance = _importance(_optional_body())
    vote = voting.vote(user, idea, importance)
    answer = _counts(idea, vote)
    db.session.commit()
    return jsonify(answer)


@bp.delete("/ideas/<int:idea_id>/vote")
def unvote_idea(idea_id: int):
    user = api_user()
    idea = common.get_idea(user, idea_id)
    taken_back = voting.unvote(user, idea)
    answer = _counts(idea, None)  # any vote of the member's is gone now
    if taken_back:
        db.session.commit()
    return jsonify(answer)


@bp.post("/ideas/<int:idea_id>/status")
def change_idea_status(idea_id: int):
    actor = api_user()
    common.require_team(actor)
    idea = common.get_idea(actor, idea_id)
    data = json_body()
    statuses.change_status(actor, idea, string_field(data, "status"), string_field(data, "note"))
    answer = _idea_detail(actor, idea)
    db.session.commit()
    return jsonify(answer)


@bp.post("/ideas/<int:idea_id>/merge")
def merge_idea(idea_id: int):
    """Merge this idea (a duplicate) into ``{"into": <id>}``; team only."""
    actor = api_user()
    common.require_team(actor)
    idea = common.get_idea(actor, idea_id)
    data = json_body()
    if "into" not in data:
        raise InvalidInput(_("Give the number of the idea to merge into."), field="into")
    merging.merge(actor, idea, data["into"])
    answer = _idea_detail(actor, idea)
    db.session.commit()
    return jsonify(answer)


@bp.post("/ideas/<int:idea_id>/unmerge")
def unmerge_idea(idea_id: int):
    """Undo this idea's merge: everything it moved goes back; team only."""
    actor = api_user()
    common.require_team(actor)
    idea = common.get_idea(actor, idea_id)
    merging.unmerge(actor, idea)
    answer = _idea_detail(actor, idea)
    db.session.commit()
    return jsonify(answer)
