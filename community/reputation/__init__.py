"""Reputation: the ledger, point rules, privileges, ranks, badges and market mavens.

Floor 3: imports accounts and core, never a feature; features call it.
"""

from flask import Blueprint

bp = Blueprint("reputation", __name__)

from community.reputation import views  # noqa: E402, F401
