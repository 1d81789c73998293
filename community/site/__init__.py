"""The site itself: home, navigation, branding, the admin start page."""

from flask import Blueprint

bp = Blueprint("site", __name__)

from community.site import chrome, search, views  # noqa: E402, F401
