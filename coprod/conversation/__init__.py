"""A round's conversation ("Virtual Voice"): statements in people's own words, marks on
others' statements, opinion groups, common ground and themes for commissioners."""

from flask import Blueprint

bp = Blueprint("conversation", __name__)

from coprod.conversation import models, routes  # noqa: E402,F401
