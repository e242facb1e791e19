"""Do-it-yourself kits: sheets a community group prints to run its own session, no account
needed. Each fits one A4 page, in every language, with a large-type option."""

from flask import Blueprint

bp = Blueprint("toolkit", __name__, url_prefix="/toolkit")

from coprod.toolkit import routes  # noqa: E402,F401
