"""Easy Read: each citizen page said again in short lines, one idea a line, a picture beside each.

The Easy Read version of a page lives at the page's own address after `/easy-read`
(`/easy-read/rounds/brookfield-2026` for `/rounds/brookfield-2026`).
"""

from flask import Blueprint

bp = Blueprint("easyread", __name__)

from coprod.easyread import routes  # noqa: E402,F401
