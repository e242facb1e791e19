"""Staff pages for organisers: rounds, phases, voter codes and letters, paper ballots, counts."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/staff")

from coprod.admin import auditlog, people, routes, settings, setup  # noqa: E402,F401
