"""Workshop mode: people sign in on arrival, tables enter their bricks and remedies, the room
rates as on any round, and the organiser seats everyone at mixed tables to print."""

from flask import Blueprint

bp = Blueprint("workshop", __name__, url_prefix="/staff/workshop")
# The room's own pages: signing in on arrival and each table's device. No account needed.
room = Blueprint("room", __name__, url_prefix="/workshop")

from coprod.workshop import room_routes, routes  # noqa: E402,F401
