"""Routes for the community map: the map pages, marking places, moderation, outlines, data."""

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from coprod.accounts import role_required
from coprod.extensions import db, limiter
from coprod.lookups import round_or_404, with_texts
from coprod.map import bp, draw
from coprod.map import operations as ops
from coprod.map.forms import AssetForm, BarrierMarkForm, OutlineForm, PlaceForm, RemedyPlaceForm
from coprod.map.models import PUBLISHED, WAITING, Asset, BarrierMark
from coprod.map.pictures import KIND, drawing
from coprod.models import Area, Remedy, RemedyStatus, Role, Round
from coprod.propose.forms import EmptyForm

MODERATORS = (Role.MODERATOR, Role.ORGANISER)

PLACE_PROBLEM = {
    "no_place": _l("Please choose a place from the list, or press on the map."),
    "outside": _l("That place is outside the area. Please choose a place inside it."),
}
FILE_PROBLEM = {
    "too_big": _l("The file is too big: please send one under 512 KB."),
    "not_text": _l("The file is not text. Please send a GeoJSON file."),
    "not_json": _l("The file is not written correctly (it is not JSON)."),
    "not_geojson": _l(
        "The file is not GeoJSON: it needs a FeatureCollection, a Feature or a Polygon."
    ),
    "bad_feature": _l("A feature has no shape (geometry)."),
    "bad_position": _l("A point is not two numbers: longitude, then latitude."),
    "out_of_range": _l(
        "A point is off the Earth: longitude must be -180 to 180, latitude -90 to 90."
    ),
    "bad_polygon": _l("An outline has fewer than four points."),
    "open_ring": _l("An outline does not end where it starts."),
    "too_detailed": _l("The outline has too many points: please simplify it."),
    "no_outline": _l("The file has no outline of the area (a Polygon or a MultiPolygon)."),
}


def _lang() -> str:
    return str(get_locale())


def _round(slug: str | None) -> Round | None:
    return round_or_404(slug, options=(with_texts(Round.content),)) if slug else None


@bp.app_template_global()
def map_legend() -> list[tuple[str, str, dict]]:
    """(kind, its name, its shape) for the legend of every map."""
    return [(k, str(KIND[k]), draw.shape(k, 12, 12, 8)) for k in draw.KINDS]


def _grouped(data: ops.MapData) -> list[tuple[Area | None, list[ops.Pin]]]:
    """Pins by area, in the areas' order; those in none of them last."""
    areas = data.areas + ([data.outer] if data.outer else [])
    groups: list[tuple[Area | None, list[ops.Pin]]] = [
        (a, [p for p in data.pins if p.area_id == a.id]) for a in areas
    ]
    known = {a.id for a in areas}
    rest = [p for p in data.pins if p.area_id not in known]
    if rest:
        groups.append((None, rest))
    return [(a, sorted(ps, key=lambda p: draw.KINDS.index(p.kind))) for a, ps in groups]


@bp.get("/map")
@bp.get("/rounds/<slug>/map")
def map_page(slug: str | None = None):
    rnd = _round(slug)
    data = ops.map_data(rnd, _lang())
    return render_template(
        "map/map.html",
        round=rnd,
        drawing=drawing(rnd, data.pins),
        grouped=_grouped(data),
        kind_name=KIND,
    )


@bp.get("/map.svg")
@bp.get("/rounds/<slug>/map.svg")
def map_picture(slug: str | None = None):
    """The map as a picture of its own: outlines and landmarks, for pressing on and printing."""
    rnd = _round(slug)
    picture = drawing(rnd)
    if not picture:
        abort(404)
    svg = render_template("map/picture.svg", drawing=picture)
    return Response(svg, mimetype="image/svg+xml")


def _place_form(form: PlaceForm, rnd: Round | None) -> PlaceForm:
    form.set_landmarks([p.name for p in ops.landmarks(rnd)])
    return form


def _member() -> bool:
    return bool(current_user.is_authenticated and current_user.group_id)


def _place(form: PlaceForm, rnd: Round | None) -> tuple[float, float, Area] | None:
    """The place the form names, or None with the reason shown beside the map."""
    try:
        return ops.place_from(
            rnd, form.landmark.data or "", request.form.get("at.x"), request.form.get("at.y")
        )
    except ops.PlaceError as refused:
        form.landmark.errors = [str(PLACE_PROBLEM[refused.code])]
        return None


def _form_page(template: str, rnd: Round, form: PlaceForm, **extra):
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            template,
            round=rnd,
            form=form,
            drawing=drawing(rnd),
            member=_member(),
            **extra,
        ),
        status,
    )


@bp.route("/rounds/<slug>/map/problem", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def mark_barrier(slug: str):
    rnd = round_or_404(slug)
    if not rnd.phase.is_open or ops.frame(rnd) is None:
        abort(404)
    form = _place_form(BarrierMarkForm(), rnd)
    lang = _lang()
    barriers = {str(b.id): b for b in rnd.barriers}
    form.barrier.choices = [(k, str(b.t("title", lang) or b.key)) for k, b in barriers.items()]
    if form.is_submitted():
        valid = form.validate()
        if form.barrier.data and form.barrier.data not in barriers:
            form.barrier.errors = [_("Please choose a problem.")]
            valid = False
        place = _place(form, rnd)
        if valid and place is not None:
            ops.mark_barrier(
                rnd,
                barriers[form.barrier.data],
                form.note.data or "",
                lang,
                place,
                from_paper=_member() and form.from_paper.data,
            )
            db.session.commit()
            flash(_("Thank you! A moderator will check it, then it shows on the map."))
            return redirect(url_for("map.map_page", slug=rnd.slug))
    return _form_page("map/mark.html", rnd, form)


@bp.route("/rounds/<slug>/map/asset", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def add_asset(slug: str):
    rnd = round_or_404(slug)
    if ops.frame(rnd) is None:
        abort(404)
    form = _place_form(AssetForm(), rnd)
    if form.is_submitted():
        valid = form.validate()
        place = _place(form, rnd)
        if valid and place is not None:
            member = _member()
            ops.add_asset(
                form.name.data,
                form.about.data or "",
                _lang(),
                place,
                group=current_user.group if member else None,
                from_paper=member and form.from_paper.data,
            )
            db.session.commit()
            flash(_("Thank you! A moderator will check it, then it shows on the map."))
            return redirect(url_for("map.map_page", slug=rnd.slug))
    return _form_page("map/asset.html", rnd, form)


@bp.route("/proposals/<int:remedy_id>/place", methods=["GET", "POST"])
def remedy_place(remedy_id: int):
    """Where a group's idea would happen and what of the community's it would use."""
    remedy = db.session.get(Remedy, remedy_id)
    if remedy is None:
        abort(404)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in"))
    mine = current_user.group_id is not None and current_user.group_id == remedy.group_id
    if not (mine or current_user.role in MODERATORS):
        abort(403)
    rnd = remedy.round
    if ops.frame(rnd) is None or remedy.status in (RemedyStatus.WITHDRAWN, RemedyStatus.REJECTED):
        abort(404)
    form = _place_form(RemedyPlaceForm(), rnd)
    usable = {str(a.id): a for a in ops.published_assets(ops.round_areas(rnd))}
    form.assets.choices = [(k, a.name) for k, a in usable.items()]
    if request.method == "GET":
        form.assets.data = [str(a.id) for a in ops.assets_of(remedy)]
    if form.is_submitted():
        valid = form.validate()
        place = None if form.nowhere.data else _place(form, rnd)
        if valid and (place is not None or form.nowhere.data):
            chosen = [usable[k] for k in form.assets.data or [] if k in usable]
            ops.set_remedy_place(remedy, place, chosen, current_user)
            db.session.commit()
            flash(_("The place is saved."))
            return redirect(url_for("propose.proposal", remedy_id=remedy.id))
    return _form_page("map/remedy_place.html", rnd, form, remedy=remedy)


# --- Moderators -----------------------------------------------------------------------------


@bp.app_template_global()
def map_places_waiting() -> tuple[list[BarrierMark], list[Asset]]:
    """Barriers marked and assets added that wait for a check (the moderation queue)."""
    return ops.waiting()


@bp.post(
    "/staff/moderate/map/<any(problem, asset):kind>/<int:item_id>/<any(publish, reject):decision>"
)
@role_required(*MODERATORS)
def decide(kind: str, item_id: int, decision: str):
    item: BarrierMark | Asset | None = (
        db.session.get(BarrierMark, item_id)
        if kind == "problem"
        else db.session.get(Asset, item_id)
    )
    if item is None:
        abort(404)
    if EmptyForm().validate_on_submit() and item.status == WAITING:
        ops.decide(item, current_user, decision == "publish")
        db.session.commit()
        flash(_("It is on the map now.") if decision == "publish" else _("It will not be shown."))
    return redirect(url_for("moderate.queue", _anchor="map-places"))


# --- Organisers: the areas' outlines ----------------------------------------------------------


@bp.route("/staff/map", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def outlines():
    areas = db.session.scalars(db.select(Area).order_by(Area.name)).all()
    form = OutlineForm()
    form.area.choices = [(str(a.id), a.name) for a in areas]
    status = 200
    if form.is_submitted():
        status = 400
        area = db.session.get(Area, int(form.area.data)) if str(form.area.data).isdigit() else None
        if area is None:
            form.area.errors = [_("Please choose an area.")]
        elif form.validate():
            raw = form.file.data.read(draw.MAX_BYTES + 1)
            try:
                found = ops.set_outline(area, raw, current_user)
            except draw.GeoJSONError as bad:
                reason = str(FILE_PROBLEM[bad.code])
                if bad.line:
                    reason += " " + _("Line %(num)d.", num=bad.line)
                elif bad.feature:
                    reason += " " + _("Feature number %(num)d.", num=bad.feature)
                form.file.errors = [reason]
            else:
                db.session.commit()
                flash(
                    ngettext(
                        "The map of %(area)s is saved, with %(num)d named place.",
                        "The map of %(area)s is saved, with %(num)d named places.",
                        found,
                        area=area.name,
                    )
                )
                return redirect(url_for("map.outlines"))
    return render_template("map/outlines.html", form=form, areas=areas), status


# --- Open data --------------------------------------------------------------------------------


@bp.get("/api/v1/rounds/<slug>/map.geojson")
def open_data(slug: str):
    rnd = round_or_404(slug)
    lang = request.args.get("lang", "en")
    response = jsonify(ops.geojson(rnd, lang if lang.isascii() and len(lang) < 13 else "en"))
    response.mimetype = "application/geo+json"
    return response


def assets_by_area(rnd: Round) -> list[tuple[Area, int, int]]:
    """(area, published remedies, published assets) for each of a round's areas."""
    areas = ops.round_areas(rnd)
    assets = ops.published_assets(areas)
    out = []
    for area in areas:
        remedies = sum(
            1
            for r in rnd.remedies
            if r.status == RemedyStatus.PUBLISHED
            and (r.area_id == area.id or (r.pot is not None and r.pot.area_id == area.id))
        )
        out.append((area, remedies, sum(1 for a in assets if a.area_id == area.id)))
    return out


bp.add_app_template_global(assets_by_area, "map_by_area")


@bp.app_template_global()
def assets_used(remedy: Remedy) -> list[Asset]:
    """The published assets a remedy would use (its public page)."""
    return [a for a in ops.assets_of(remedy) if a.status == PUBLISHED]
