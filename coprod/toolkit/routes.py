"""Routes for the printable sheets: the workshop's exercise, rating sheet, paper ballot,
proposal form, asset-mapping sheet and a one-page guide."""

from flask import abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from coprod.admin.routes import type_paper
from coprod.extensions import db
from coprod.lookups import published_remedies, round_or_404, with_texts
from coprod.map import operations as map_ops
from coprod.map.routes import KIND, _drawing
from coprod.models import Phase, Role, Round
from coprod.operations import ballots, paper
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
        extra["drawing"] = _drawing(rnd, width=520)
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


@bp.route("/rounds/<slug>/type-ballots", methods=["GET", "POST"])
@login_required
def type_ballots(slug: str):
    """One member of a group types in the paper ballots the group collected: the staff's own
    page and operation, for a round the group takes part in (staff use their own page)."""
    rnd = round_or_404(slug)
    if current_user.role != Role.MEMBER or not paper.group_takes_part(current_user.group, rnd):
        abort(403)
    return type_paper(rnd, "toolkit.type_ballots")
