"""Routes for offers of help: offering, taking an offer back, the group's list, moderation."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from coprod.accounts import role_required
from coprod.extensions import db, limiter
from coprod.lookups import round_or_404
from coprod.models import Area, Offer, Remedy, RemedyStatus, Role, Round
from coprod.offers import bp
from coprod.offers.forms import OfferForm, RoundOfferForm
from coprod.operations import offers
from coprod.operations.offers import Help
from coprod.propose.forms import EmptyForm

MODERATORS = (Role.MODERATOR, Role.ORGANISER)


@bp.app_template_global()
def help_for_remedy(remedy: Remedy) -> Help:
    """A published remedy's ask beside the checked offers for it (the remedy page)."""
    return offers.help_for_remedy(remedy)


@bp.app_template_global()
def ask_words(helpers: int | None, hours: int | None) -> str:
    """What a remedy asks for beyond money, in words: "4 helpers, 2 hours a month each"."""
    if not helpers:
        return ""
    words = ngettext("%(num)d helper", "%(num)d helpers", helpers)
    if hours:
        words += ", " + ngettext("%(num)d hour a month each", "%(num)d hours a month each", hours)
    return words


def _remedy(slug: str, remedy_id: int) -> Remedy:
    rnd = round_or_404(slug)
    remedy = db.session.get(Remedy, remedy_id)
    if remedy is None or remedy.round_id != rnd.id or remedy.status != RemedyStatus.PUBLISHED:
        abort(404)
    return remedy


@bp.route("/rounds/<slug>/remedies/<int:remedy_id>/offer-help", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def offer_help(slug: str, remedy_id: int):
    remedy = _remedy(slug, remedy_id)
    if not offers.can_offer(remedy):
        return render_template("offers/closed.html", remedy=remedy), 410
    form = OfferForm()
    if form.validate_on_submit():
        _offer, token = offers.make(
            remedy, form.what.data, str(get_locale()), form.hours.data, form.contact.data
        )
        db.session.commit()
        flash(_("Thank you! A moderator will check your words, then the group can reach you."))
        return redirect(url_for("offers.your_offer", token=token))
    status = 400 if form.is_submitted() else 200
    return render_template("offers/offer.html", remedy=remedy, form=form), status


def _areas(rnd: Round) -> list[Area]:
    """The round's area, the areas inside it and its pots' areas."""
    found = {p.area.id: p.area for p in rnd.pots if p.area is not None}
    if rnd.area is not None:
        found[rnd.area.id] = rnd.area
        inside = db.session.scalars(select(Area).where(Area.parent_id == rnd.area.id))
        found |= {a.id: a for a in inside}
    return sorted(found.values(), key=lambda a: a.name)


@bp.route("/rounds/<slug>/offer-help", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def offer_help_in_round(slug: str):
    """Offer help for an area or a theme of the round, to one group of the person's choice."""
    rnd = round_or_404(slug)
    if not offers.can_offer_in(rnd):
        abort(404)
    lang = str(get_locale())
    areas = {f"area-{a.id}": a for a in _areas(rnd)}
    themes = {f"theme-{b.id}": b for b in rnd.barriers}
    groups = {str(g.id): g for g in offers.groups_in(rnd)}
    form = RoundOfferForm()
    form.target.choices = [(k, _("Area") + ": " + a.name) for k, a in areas.items()] + [
        (k, _("Problem") + ": " + str(b.t("title", lang) or b.key)) for k, b in themes.items()
    ]
    form.group.choices = [(k, g.name) for k, g in groups.items()]
    if not groups or not form.target.choices:
        abort(404)  # no group to help yet, or nothing to help with
    if form.validate_on_submit():
        target = areas.get(form.target.data) or themes[form.target.data]
        _offer, token = offers.make_for(
            rnd,
            target,
            groups[form.group.data],
            form.what.data,
            lang,
            form.hours.data,
            form.contact.data,
        )
        db.session.commit()
        flash(_("Thank you! A moderator will check your words, then the group can reach you."))
        return redirect(url_for("offers.your_offer", token=token))
    status = 400 if form.is_submitted() else 200
    return render_template("offers/offer_round.html", round=rnd, form=form), status


def _by_token(token: str) -> Offer | None:
    return offers.by_token(token) if 0 < len(token) <= 64 else None


@bp.route("/offers/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def your_offer(token: str):
    """The private page of one offer (its address is the secret): see it, or take it back."""
    offer = _by_token(token)
    form = EmptyForm()
    if offer is None:
        return render_template("offers/gone.html"), 404
    if form.validate_on_submit():
        offers.withdraw(offer)
        db.session.commit()
        return render_template("offers/gone.html", withdrawn=True)
    return render_template("offers/yours.html", offer=offer, form=form)


@bp.get("/my-group/offers")
@login_required
def group_offers():
    group = current_user.group
    if group is None:
        abort(403)
    return render_template("offers/group.html", group=group, offers=offers.for_group(group))


@bp.get("/staff/moderate/offers")
@role_required(*MODERATORS)
def moderate():
    return render_template("offers/moderate.html", waiting=offers.waiting(), button=EmptyForm())


@bp.post("/staff/moderate/offers/<int:offer_id>/<any(publish, reject):decision>")
@role_required(*MODERATORS)
def decide(offer_id: int, decision: str):
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.status != offers.WAITING:
        abort(404)
    if EmptyForm().validate_on_submit():
        offers.decide(offer, current_user, publish=decision == "publish")
        db.session.commit()
        flash(
            _("The offer is checked. The group can now see it.")
            if decision == "publish"
            else _("The offer is turned down and deleted.")
        )
    else:
        flash(_("The page was open for a long time. Please press the button again."), "error")
    return redirect(url_for("offers.moderate"))
