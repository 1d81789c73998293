"""In-app notifications: the one ``notify`` call every feature uses."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from community.notifications import views  # noqa: E402, F401
