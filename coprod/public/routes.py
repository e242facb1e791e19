"""Routes for the public pages."""

import sqlite3
import time
from contextlib import suppress

import psycopg
from flask import (
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, ServiceUnavailable

from coprod import i18n, slowdown
from coprod.extensions import db, limiter
from coprod.links import local_path
from coprod.lookups import published_remedies, round_or_404, with_texts
from coprod.models import CouncilSettings, GlossaryTerm, Phase, Remedy, RemedyStatus, Round
from coprod.operations import phase as phases
from coprod.public import bp
from coprod.results.explain import outcome_of


@bp.get("/")
def home():
    rounds = (
        db.session.scalars(
            select(Round)
            .where(Round.phase != Phase.DRAFT)
            .order_by(Round.voting_opens.desc())
            .options(with_texts(Round.content))
        )
        .unique()
        .all()
    )
    open_rounds = [r for r in rounds if r.phase.is_open]
    past_rounds = [r for r in rounds if not r.phase.is_open]
    return render_template("public/home.html", open_rounds=open_rounds, past_rounds=past_rounds)


@bp.get("/rounds/<slug>")
def round_page(slug: str):
    rnd = round_or_404(slug, options=(with_texts(Round.content),))
    return render_template(
        "public/round.html",
        round=rnd,
        remedies=published_remedies(rnd),
        waiting=phases.waiting_to_count(rnd),
    )


@bp.get("/rounds/<slug>/remedies/<int:remedy_id>")
def remedy_page(slug: str, remedy_id: int):
    rnd = round_or_404(slug, options=(with_texts(Round.content),))
    remedy = db.session.get(Remedy, remedy_id, options=[with_texts(Remedy.content)])
    if remedy is None or remedy.round_id != rnd.id or remedy.status != RemedyStatus.PUBLISHED:
        abort(404)
    result = outcome_of([remedy]).get(remedy.id)
    return render_template("public/remedy.html", round=rnd, remedy=remedy, result=result)


@bp.get("/glossary")
def glossary():
    lang = str(get_locale())
    terms = (
        db.session.scalars(select(GlossaryTerm).options(with_texts(GlossaryTerm.content)))
        .unique()
        .all()
    )
    terms.sort(key=lambda g: str(g.t("term", lang)).casefold())
    return render_template("public/glossary.html", terms=terms)


@bp.get("/how-it-works")
def how_it_works():
    return render_template("public/how.html")


@bp.get("/language/<code>")
def choose_language(code: str):
    """Keep the person's choice of language in a cookie and go back where they were."""
    if code not in i18n.languages():
        abort(404)
    target = local_path(request.args.get("next")) or url_for("public.home")
    response = make_response(redirect(target))
    response.set_cookie(
        i18n.COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],  # as the session's, over https
    )
    return response


ERRORS = {
    400: (_l("Something was wrong with the request"), _l("Please go back and try again.")),
    403: (_l("You can't see this page"), _l("This page is only for staff with the right role.")),
    404: (_l("We couldn't find this page"), _l("The link may be old or mistyped.")),
    405: (_l("That didn't work"), _l("Please go back and try again.")),
    413: (_l("That file is too big"), _l("Please send a smaller file.")),
    429: (_l("Too many tries"), _l("Please wait a few minutes, then try again.")),
    500: (
        _l("Something went wrong on our side"),
        _l("It is not your fault. Please try again later."),
    ),
    503: (_l("Sorry, this page can't be shown right now."), _l("Please try again in a minute.")),
}
# While the database is away: what a voter pressing "Cast my ballot" reads instead.
VOTE_NOT_SAVED = (
    _l("Sorry, we can't save your vote right now."),
    _l("Please try again in a minute."),
)
CASTING = {"participate.cast", "api.cast_ballot"}
# What the database (or the pool in front of it) raises while it is down, restarting, or
# too busy to hand out a connection: the request can succeed a minute later.
DATABASE_AWAY = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,  # as the drivers raise them, should one escape unwrapped
)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Friendly, translated error pages that never show a trace, SQL or a path."""
    if isinstance(error, InternalServerError) and isinstance(
        error.original_exception, DATABASE_AWAY
    ):
        # Failed before any view ran (reading the visitor's session): still a 503.
        return database_away(error.original_exception)
    code = error.code or 500
    # A status without words of its own (415, 416...) keeps its code and says the general thing.
    title, advice = ERRORS.get(code) or ERRORS[400 if code < 500 else 500]
    if code == 503 and _endpoint() in CASTING:
        title, advice = VOTE_NOT_SAVED
    wait = None
    if code == 429 and (limit := limiter.current_limit) is not None:
        wait = max(int(limit.reset_at - time.time()), 1)
        # Say the real wait: "a few minutes" was most of an hour for an hourly limit.
        advice = ngettext(
            "Please wait %(num)d minute, then try again.",
            "Please wait %(num)d minutes, then try again.",
            slowdown.minutes(wait),
        )
    if request.path.startswith("/api/"):
        response = jsonify(error=str(title))
    else:
        try:
            page = render_template("errors/error.html", code=code, title=title, advice=advice)
            response = make_response(page)
        except (*DATABASE_AWAY, AssertionError):
            # The page names the signed-in person, who is in the database; and when even the
            # visitor's session could not be read from it, Flask asserts that it was never
            # opened. Either way the same words go out as plain text.
            response = make_response(f"{title}\n{advice}\n")
            response.mimetype = "text/plain"
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    if code == 503:
        response.headers["Retry-After"] = "60"
    return response, code


def _endpoint() -> str | None:
    """The view the request is for, even when it failed before Flask matched the address
    (reading the visitor's session comes first)."""
    if request.endpoint is None and (adapter := current_app.create_url_adapter(request)):
        with suppress(HTTPException):
            return adapter.match()[0]
    return request.endpoint


def database_away(error: Exception):
    """503 and "try again in a minute", not a 500: nothing the person did was wrong.

    A voter's choices stay in their session (the view keeps them before casting), so
    pressing "Cast my ballot" again a minute later casts the same ballot.
    """
    current_app.logger.exception("The database is unavailable")
    with suppress(*DATABASE_AWAY):
        db.session.rollback()
    return http_error(ServiceUnavailable())


for _kind in DATABASE_AWAY:
    bp.app_errorhandler(_kind)(database_away)


@bp.app_errorhandler(sa_exc.DataError)
def data_refused(error: sa_exc.DataError):
    """Values the database will not store or compare (a NUL byte in text on PostgreSQL, a
    number beyond a column's range) came from the request: say so, with a 400."""
    current_app.logger.warning("The database refused a value from the request", exc_info=True)
    db.session.rollback()
    return http_error(BadRequest())


@bp.app_errorhandler(Exception)
def unexpected_error(error: Exception):
    current_app.logger.exception("Unhandled error")
    db.session.rollback()
    return http_error(InternalServerError())


@bp.get("/privacy")
def privacy():
    rounds = db.session.scalars(
        select(Round).where(Round.phase != Phase.DRAFT).order_by(Round.id.desc())
    ).all()
    return render_template("public/privacy.html", rounds=rounds)


@bp.get("/help")
def help_page():
    return render_template("public/help.html")


@bp.get("/contact")
def contact():
    return render_template("public/contact.html")


@bp.get("/accessibility")
def accessibility():
    return render_template("public/accessibility.html")


@bp.get("/council-logo")
def council_logo():
    """The council's logo, from the database; browsers keep it (the link changes with it)."""
    settings = db.session.get(CouncilSettings, 1)
    if settings is None or settings.logo is None:
        abort(404)
    response = make_response(settings.logo)
    response.mimetype = settings.logo_mimetype
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/healthz")
def health():
    """For load balancers (and the load bench's ceiling): answers without the database."""
    return "ok\n", 200, {"Content-Type": "text/plain"}
