"""Routes for the public pages."""

import time

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
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, InternalServerError

from coprod import i18n, slowdown
from coprod.extensions import db, limiter
from coprod.links import local_path
from coprod.lookups import round_or_404
from coprod.models import GlossaryTerm, Phase, Remedy, RemedyStatus, Round
from coprod.public import bp


@bp.get("/")
def home():
    rounds = db.session.scalars(
        select(Round).where(Round.phase != Phase.DRAFT).order_by(Round.voting_opens.desc())
    ).all()
    open_rounds = [r for r in rounds if r.phase.is_open]
    past_rounds = [r for r in rounds if not r.phase.is_open]
    return render_template("public/home.html", open_rounds=open_rounds, past_rounds=past_rounds)


@bp.get("/rounds/<slug>")
def round_page(slug: str):
    rnd = round_or_404(slug)
    remedies = [r for r in rnd.remedies if r.status == RemedyStatus.PUBLISHED]
    return render_template("public/round.html", round=rnd, remedies=remedies)


@bp.get("/rounds/<slug>/remedies/<int:remedy_id>")
def remedy_page(slug: str, remedy_id: int):
    rnd = round_or_404(slug)
    remedy = db.session.get(Remedy, remedy_id)
    if remedy is None or remedy.round_id != rnd.id or remedy.status != RemedyStatus.PUBLISHED:
        abort(404)
    return render_template("public/remedy.html", round=rnd, remedy=remedy)


@bp.get("/glossary")
def glossary():
    lang = str(get_locale())
    terms = db.session.scalars(select(GlossaryTerm)).all()
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
    response.set_cookie(i18n.COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
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
}


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Friendly, translated error pages that never show a trace, SQL or a path."""
    code = error.code if error.code in ERRORS else 500
    title, advice = ERRORS[code]
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
        response = make_response(
            render_template("errors/error.html", code=code, title=title, advice=advice)
        )
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response, code


@bp.app_errorhandler(Exception)
def unexpected_error(error: Exception):
    current_app.logger.exception("Unhandled error")
    db.session.rollback()
    return http_error(InternalServerError())


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html")


@bp.get("/healthz")
def health():
    """For load balancers (and the load bench's ceiling): answers without the database."""
    return "ok\n", 200, {"Content-Type": "text/plain"}
