"""Routes for the printable sheets: the workshop's exercise, rating sheet, paper ballot,
proposal form, asset-mapping sheet and a one-page guide."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from coprod.admin.paper_page import type_paper
from coprod.extensions import db
from coprod.forms import Form
from coprod.lookups import published_remedies, round_or_404, with_texts
from coprod.map import operations as map_ops
from coprod.map.pictures import KIND, drawing
from coprod.models import Channel, Phase, Role, Round
from coprod.operations import audit, ballots, codes, paper, ratings
from coprod.operations.ballots import Problem
from coprod.participate.forms import SCALE, read_scores
from coprod.participate.messages import explain
from coprod.toolkit import bp

# Sheets for any session, and sheets for one round (its problems, ideas or map).
SHEETS = ("worksheet", "proposal-form", "guide")
ROUND_SHEETS = ("rating-sheet", "ballot", "asset-sheet")


def _large() -> bool:
    return request.args.get("size") == "large"


@bp.get("/")
def index():
    rounds = (
        db.session.scalars(
            select(Round)
            .where(Round.phase != Phase.DRAFT)
            .order_by(Round.id)
            .options(with_texts(Round.content))
        )
        .unique()
        .all()
    )
    return render_template("toolkit/index.html", rounds=rounds)


@bp.get("/<any('worksheet', 'proposal-form', 'guide'):sheet>")
def sheet(sheet: str):
    return render_template(f"toolkit/{sheet}.html", large=_large(), sheet=sheet)


@bp.get("/rounds/<slug>/<any('rating-sheet', 'ballot', 'asset-sheet'):sheet>")
def round_sheet(slug: str, sheet: str):
    rnd = round_or_404(slug, options=(with_texts(Round.content),))
    extra: dict = {}
    if sheet == "ballot":
        rules = ballots.frozen_rules(rnd)
        extra["costs"] = rules["costs"]
        extra["budget"] = rules["budget"]
    if sheet == "asset-sheet":
        extra["drawing"] = drawing(rnd, width=520)
        extra["kind_name"] = KIND
        extra["landmarks"] = map_ops.landmarks(rnd)
    return render_template(
        f"toolkit/{sheet}.html",
        round=rnd,
        remedies=published_remedies(rnd),
        large=_large(),
        sheet=sheet,
        lang=str(get_locale()),
        **extra,
    )


def _typist_round(slug: str) -> Round:
    """The round, when the person signed in is a member of a group that takes part in it
    (staff type paper ballots on their own page)."""
    rnd = round_or_404(slug)
    if current_user.role != Role.MEMBER or not paper.group_takes_part(current_user.group, rnd):
        abort(403)
    return rnd


@bp.route("/rounds/<slug>/type-ballots", methods=["GET", "POST"])
@login_required
def type_ballots(slug: str):
    """One member of a group types in the paper ballots the group collected: the staff's own
    page and operation, for a round the group takes part in."""
    return type_paper(_typist_round(slug), "toolkit.type_ballots")


class RatingSheetForm(Form):
    code = StringField(_l("Voter code on the paper"), validators=[DataRequired(), Length(max=40)])


@bp.route("/rounds/<slug>/type-ratings", methods=["GET", "POST"])
@login_required
def type_ratings(slug: str):
    """One member of a group types in the rating sheets the group collected, each with its
    voter code: the code's answers, as if typed online with it (a later sheet or online
    answers with the same code replace them), marked as coming from paper."""
    rnd = _typist_round(slug)
    if rnd.phase != Phase.RATING:
        flash(_("Rating is not open in this round."), "error")
        return redirect(url_for("propose.my_group"))
    form = RatingSheetForm()
    remedies = published_remedies(rnd)
    given: dict[tuple[str, int], int] = {}
    if form.is_submitted():
        barrier_scores = read_scores("barrier", {b.id for b in rnd.barriers})
        remedy_scores = read_scores("remedy", {r.id for r in remedies})
        given = {("barrier", k): v for k, v in barrier_scores.items()}
        given |= {("remedy", k): v for k, v in remedy_scores.items()}
        secret = current_app.config["SECRET_KEY"]
        if form.validate():
            if codes.find(secret, rnd, form.code.data) is None:
                form.code.errors.append(explain(Problem("code_unknown"), rnd.currency))
            else:
                rater = codes.keyed_hash(secret, f"rater:{rnd.id}", codes.normalise(form.code.data))
                ratings.save_ratings(
                    rnd,
                    rater,
                    barrier_scores,
                    remedy_scores,
                    lang=str(get_locale()),
                    channel=Channel.PAPER,
                )
                audit.record("paper_ratings_entered", actor=current_user, round=rnd)
                db.session.commit()
                flash(_("This sheet is saved. You can type the next one."))
                return redirect(url_for("toolkit.type_ratings", slug=slug))
    status = 400 if form.errors else 200
    return render_template(
        "participate/rate.html",
        round=rnd,
        remedies=remedies,
        given=given,
        scale=SCALE,
        indicative=False,
        sheet_form=form,
    ), status
