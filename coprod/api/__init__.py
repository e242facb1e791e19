"""The JSON API for partners: kiosks, SMS and phone services."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from coprod.api import routes  # noqa: E402,F401
