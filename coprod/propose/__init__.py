"""Community groups: signing up, writing remedies in plain words, translating them."""

from flask import Blueprint

bp = Blueprint("propose", __name__)

from coprod.propose import routes  # noqa: E402,F401
