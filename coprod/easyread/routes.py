"""Routes: the Easy Read version of any citizen page that has one."""

from flask import abort, current_app, render_template
from werkzeug.exceptions import HTTPException

from coprod.easyread import bp
from coprod.easyread.pages import easy_read, has_easy_read


@bp.get("/easy-read/", defaults={"path": ""})
@bp.get("/easy-read/<path:path>")
def page(path: str):
    """The page at `/path`, said in Easy Read."""
    try:
        endpoint, args = current_app.url_map.bind("").match("/" + path, method="GET")
    except HTTPException:
        abort(404)
    if not has_easy_read(endpoint):
        abort(404)
    found = easy_read(endpoint, args)
    return render_template("easyread/page.html", full_page="/" + path, **found)
