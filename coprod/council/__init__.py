"""The council's side: the dashboard, the top-5 report, answers, and "you said, we did"."""

from flask import Blueprint

bp = Blueprint("council", __name__)

from coprod.council import routes  # noqa: E402,F401
