"""Following an idea, a remedy, a theme or a round, and being told what happens."""

from flask import Blueprint

bp = Blueprint("following", __name__)

from coprod.following import models, routes  # noqa: E402,F401
