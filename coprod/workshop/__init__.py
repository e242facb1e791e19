"""Workshop mode: seating the people in the room at mixed tables, with printable lists."""

from flask import Blueprint

bp = Blueprint("workshop", __name__, url_prefix="/staff/workshop")

from coprod.workshop import routes  # noqa: E402,F401
