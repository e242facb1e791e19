"""Citizens' panels drawn by lottery: the organiser's draw and a public page that explains it."""

from flask import Blueprint

bp = Blueprint("panels", __name__)

from coprod.panels import routes  # noqa: E402,F401
