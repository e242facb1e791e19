"""Public pages: home, rounds, remedies, the glossary, how it works, choosing a language."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from coprod.public import routes  # noqa: E402,F401  (routes attach themselves to bp)
