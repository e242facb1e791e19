"""Taking part: entering a voter code, rating, the budget ballot, receipts."""

from flask import Blueprint

bp = Blueprint("participate", __name__)

from coprod.participate import routes  # noqa: E402,F401
