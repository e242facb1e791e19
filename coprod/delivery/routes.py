"""Routes for delivery: the public page of a funded remedy, staff and group updates, case
studies on one public page, each printable on one A4 page."""

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from coprod.delivery import bp, photos
from coprod.delivery import operations as deliveries
from coprod.delivery.forms import CASE_MAX, STAGE_WORDS, CaseStudyForm, FactsForm, UpdateForm
from coprod.delivery.models import DeliveryPhoto
from coprod.delivery.operations import DeliveryError
from coprod.extensions import db
from coprod.lookups import round_or_404
from coprod.models import Remedy, RemedyStatus, Role

STAFF = (Role.ORGANISER, Role.COUNCILLOR, Role.COMMISSIONER)

REFUSED = {
    "not_done": _l("A case study is written once the work is done."),
    "no_consent": _l("Please tick the box, or leave the stories out."),
    "photo_needs_words": _l("Please say what the photo shows."),
    "unknown_stage": _l("Please choose where things are now."),
}
PHOTO_REFUSED = {
    "too_big": _l("This photo is bigger than 5 MB. Please send a smaller one."),
    "not_a_photo": _l("This file is not a photo we can show. Please send a JPEG, PNG or WebP."),
}


@bp.app_template_global()
def delivery_glance(rnd):
    return deliveries.glance(rnd, date.today())


@bp.app_template_global()
def funded_remedies(rnd) -> list[Remedy]:
    return [db.session.get_one(Remedy, i) for i in deliveries.funded_ids(rnd)]


@bp.app_template_global()
def photo_suffix(photo: DeliveryPhoto) -> str:
    return photos.SUFFIXES[photo.media_type]


@bp.app_template_global()
def stage_words(stage: str) -> str:
    return str(STAGE_WORDS[stage])


def _funded(slug: str, remedy_id: int) -> Remedy:
    rnd = round_or_404(slug)
    remedy = db.session.get(Remedy, remedy_id)
    if (
        remedy is None
        or remedy.round_id != rnd.id
        or remedy.status != RemedyStatus.PUBLISHED
        or not deliveries.is_funded(remedy)
    ):
        abort(404)
    return remedy


def _may_update(remedy: Remedy) -> str | None:
    """ "council", "group" or None: who the signed-in person writes for."""
    if not current_user.is_authenticated:
        return None
    if current_user.role in STAFF:
        return "council"
    if remedy.group_id and current_user.group_id == remedy.group_id:
        return "group"
    return None


def _page(remedy: Remedy, status: int = 200, **forms):
    delivery = deliveries.of(remedy)
    writer = _may_update(remedy)
    facts = forms.get("facts")
    if facts is None and writer == "council":
        d = delivery
        facts = FactsForm(
            formdata=None,
            data={
                "stage": d.stage if d else "planned",
                "responsible": d.responsible if d else "",
                "money_promised": d.money_promised if d else remedy.cost,
                "money_spent": d.money_spent if d else 0,
                "start_promised": d.start_promised if d else None,
                "started_on": d.started_on if d else None,
                "done_promised": d.done_promised if d else None,
                "done_on": d.done_on if d else None,
            },
        )
    page = render_template(
        "delivery/delivery.html",
        round=remedy.round,
        remedy=remedy,
        delivery=delivery,
        today=date.today(),
        writer=writer,
        facts=facts,
        update=forms.get("update") or (UpdateForm(formdata=None) if writer else None),
        study=deliveries.case_study(remedy),
    )
    return page, status


@bp.get("/rounds/<slug>/remedies/<int:remedy_id>/delivery")
def delivery_page(slug: str, remedy_id: int):
    return _page(_funded(slug, remedy_id))


@bp.post("/rounds/<slug>/remedies/<int:remedy_id>/delivery/facts")
@login_required
def facts(slug: str, remedy_id: int):
    remedy = _funded(slug, remedy_id)
    if _may_update(remedy) != "council":
        abort(403)
    form = FactsForm()
    if not form.validate_on_submit():
        return _page(remedy, 400, facts=form)
    try:
        deliveries.set_facts(
            deliveries.ensure(remedy),
            stage=form.stage.data,
            responsible=form.responsible.data or "",
            money_promised=form.money_promised.data or 0,
            money_spent=form.money_spent.data or 0,
            start_promised=form.start_promised.data,
            started_on=form.started_on.data,
            done_promised=form.done_promised.data,
            done_on=form.done_on.data,
            actor=current_user,
        )
    except DeliveryError as refused:
        flash(REFUSED[refused.code], "error")
    else:
        db.session.commit()
        flash(_("Saved. Everyone can see it on this page."))
    return redirect(url_for("delivery.delivery_page", slug=slug, remedy_id=remedy_id))


@bp.post("/rounds/<slug>/remedies/<int:remedy_id>/delivery/updates")
@login_required
def add_update(slug: str, remedy_id: int):
    remedy = _funded(slug, remedy_id)
    writer = _may_update(remedy)
    if writer is None:
        abort(403)
    form = UpdateForm()
    if not form.validate_on_submit():
        return _page(remedy, 400, update=form)
    photo = None
    if form.photo.data:
        try:
            photo = photos.prepare(form.photo.data.read(photos.MAX_BYTES + 1))
        except photos.PhotoRefused as refused:
            form.photo.errors = [PHOTO_REFUSED[refused.code]]
            return _page(remedy, 400, update=form)
    deliveries.add_update(
        deliveries.ensure(remedy),
        form.note.data,
        str(get_locale()),
        date.today(),
        by_group=writer == "group",
        photo_url=form.photo_url.data or "",
        photo_alt=form.photo_alt.data or "",
        photo=photo,
        actor=current_user,
    )
    db.session.commit()
    flash(_("The update is added. Everyone can see it on this page."))
    return redirect(url_for("delivery.delivery_page", slug=slug, remedy_id=remedy_id))


@bp.get("/delivery/photos/<int:photo_id>.<suffix>")
def photo(photo_id: int, suffix: str):
    """An uploaded photo; it never changes, so browsers and proxies may keep it a year."""
    found = db.session.get(DeliveryPhoto, photo_id)
    remedy = found.update.delivery.remedy if found is not None else None
    if (
        found is None
        or remedy is None
        or remedy.status != RemedyStatus.PUBLISHED
        or photos.SUFFIXES[found.media_type] != suffix
    ):
        abort(404)
    response = Response(found.data, mimetype=found.media_type)
    response.cache_control.public = True
    response.cache_control.max_age = 365 * 86400
    response.cache_control.immutable = True
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/rounds/<slug>/remedies/<int:remedy_id>/case-study/write", methods=["GET", "POST"])
@login_required
def write_case_study(slug: str, remedy_id: int):
    remedy = _funded(slug, remedy_id)
    if _may_update(remedy) is None:
        abort(403)
    study = deliveries.case_study(remedy)
    lang = str(get_locale())
    data: dict = {}
    if study is not None:
        data = {f: str(study.t(f, lang) or "") for f in deliveries.CASE_FIELDS}
        data |= {
            "before_cost": study.before_cost,
            "after_cost": study.after_cost,
            "consent": study.stories_consent,
        }
    form = CaseStudyForm(data=data)
    if form.validate_on_submit():
        try:
            deliveries.write_case_study(
                remedy,
                lang,
                {f: getattr(form, f).data or "" for f in deliveries.CASE_FIELDS},
                before_cost=form.before_cost.data,
                after_cost=form.after_cost.data,
                stories_consent=form.consent.data,
                actor=current_user,
            )
        except DeliveryError as refused:
            flash(REFUSED[refused.code], "error")
            return redirect(url_for("delivery.delivery_page", slug=slug, remedy_id=remedy_id))
        db.session.commit()
        flash(_("The case study is saved. Everyone can read and print it."))
        return redirect(url_for("delivery.case_study", remedy_id=remedy.id))
    status = 400 if form.is_submitted() else 200
    page = render_template("delivery/write.html", remedy=remedy, form=form, case_max=CASE_MAX)
    return page, status


def _by() -> str:
    return "theme" if request.args.get("by") == "theme" else "area"


@bp.get("/case-studies")
def case_studies():
    by = _by()
    return render_template(
        "delivery/case_studies.html",
        by=by,
        groups=deliveries.case_studies_by(by, str(get_locale())),
        place_of=deliveries.place_of,
    )


@bp.get("/case-studies/print")
def case_studies_pack():
    """Every case study, one to a printed A4 page, for a director's pack."""
    by = _by()
    groups = deliveries.case_studies_by(by, str(get_locale()))
    studies = [study for _key, found in groups for study in found]
    return render_template(
        "delivery/pack.html",
        by=by,
        studies=[(study, deliveries.of(study.remedy)) for study in studies],
    )


@bp.get("/case-studies/<int:remedy_id>")
def case_study(remedy_id: int):
    remedy = db.session.get(Remedy, remedy_id)
    study = deliveries.case_study(remedy) if remedy is not None else None
    if study is None or remedy is None or remedy.status != RemedyStatus.PUBLISHED:
        abort(404)
    return render_template(
        "delivery/case_study.html",
        study=study,
        remedy=remedy,
        round=remedy.round,
        delivery=deliveries.of(remedy),
    )
