"""Sessions kept on the server (Flask-Session): the cookie holds only a random id.

A voter's code and choices, a signed-in person's id and the forms' CSRF token stay on the
server, in a table of the app's own database: not in Redis even when there is one, so a
visitor can still vote while Redis is down. The next person at a library computer finds
nothing to read in the browser.
"""

from flask import Flask, current_app, g, session
from flask_login import user_logged_in, user_logged_out
from flask_session import Session

from coprod.extensions import db


def init_app(app: Flask) -> None:
    """Install the session store. Call it before any other extension or hook: its own
    hook must run last, just before the session is stored."""
    app.after_request(_before_the_session_is_stored)
    if app.config["SESSION_TYPE"] == "sqlalchemy":
        app.config["SESSION_SQLALCHEMY"] = db
        # Flask-Session 0.8 declares its table on the models' metadata each time it starts
        # (pallets-eco/flask-session#245), so a second app in one process (the tests, the
        # benches) would fail: let it declare the table afresh.
        table = app.config.get("SESSION_SQLALCHEMY_TABLE", "sessions")
        if (declared := db.metadata.tables.get(table)) is not None:
            db.metadata.remove(declared)
    Session(app)
    user_logged_in.connect(_renew_on_signal, app)
    user_logged_out.connect(_renew_on_signal, app)


def renew_id() -> None:
    """Give the visitor a new session id at the end of this request, keeping its contents:
    after signing in or out, and after a vote, an id someone saw earlier leads nowhere."""
    g.renew_session_id = True


def _renew_on_signal(_app, **_extra) -> None:
    renew_id()


def _before_the_session_is_stored(response):
    # The store keeps only plain values: a message given as lazy text (Flask-Login's, or a
    # view's) is kept as the words it says in this request's language.
    flashes = session.get("_flashes", ())
    if any(type(message) is not str for _category, message in flashes):
        session["_flashes"] = [(category, str(message)) for category, message in flashes]
    renew = g.pop("renew_session_id", False)
    # Flask-Session's database store commits the request's database session when it writes
    # (only for a changed session): whatever the request itself did not commit is thrown
    # away first, never committed. A session left as it was is not written, and the
    # request's database work ends as every request's does, rolled back at teardown.
    if session.modified or renew:
        db.session.rollback()
    if renew:
        current_app.session_interface.regenerate(session)
    return response
