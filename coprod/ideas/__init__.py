"""Ideas outside any round: anyone puts one up, others support it, and at the area's threshold
the council must answer it in public by a date."""

from flask import Blueprint

bp = Blueprint("ideas", __name__)

from coprod.ideas import models, routes  # noqa: E402,F401
