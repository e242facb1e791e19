"""Offers of help: neighbours offer time or a skill to a remedy; only its group may reach them."""

from flask import Blueprint

bp = Blueprint("offers", __name__)

from coprod.offers import routes  # noqa: E402,F401
