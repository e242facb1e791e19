"""Moderation: the queue of proposed remedies, citizens' reports, and the decisions' history."""

from flask import Blueprint

bp = Blueprint("moderate", __name__, url_prefix="/staff/moderate")

from coprod.moderate import routes  # noqa: E402,F401
