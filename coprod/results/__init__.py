"""Results and open data: what was funded and why, a receipt's story, and the ballots to recount."""

from flask import Blueprint

bp = Blueprint("results", __name__)

from coprod.results import routes  # noqa: E402,F401
