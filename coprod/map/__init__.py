"""The community map: areas' outlines drawn by the server as SVG, with remedies, barriers
marked by people and community assets, all also listed as text; no JavaScript needed."""

from flask import Blueprint

bp = Blueprint("map", __name__)

from coprod.map import models, routes  # noqa: E402,F401
