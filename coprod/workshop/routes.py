"""Routes for workshop mode: upload who is coming, or start a workshop people sign in to;
get table lists to print, see what tables wrote and the room's ratings as they come."""

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coprod.accounts import role_required
from coprod.council import data
from coprod.extensions import db
from coprod.models import Phase, Role, Round, Workshop
from coprod.operations import workshops
from coprod.panels.messages import refused as refused_reason
from coprod.panels.messages import seating as seating_reason
from coprod.seating import tables
from coprod.seating.files import FileRefused
from coprod.workshop import bp
from coprod.workshop.forms import ROLES, SeatForm, SeatingForm, StartForm

ORGANISERS = (Role.ORGANISER, Role.MODERATOR)


@bp.route("/", methods=["GET", "POST"])
@role_required(*ORGANISERS)
def seating():
    """Nothing is stored: the seats are worked out from the file and shown to print."""
    form = SeatingForm()
    if form.validate_on_submit():
        try:
            typed = (form.typed.data or "").strip()
            text = typed or form.file.data.read().decode("utf-8-sig")
            people = tables.read_attendees(text)
            plan = tables.seat(people, form.tables.data, form.sessions.data)
        except UnicodeDecodeError:
            form.file.errors.append(_("This file is not plain text (UTF-8)."))
        except FileRefused as refused:
            (form.typed if typed else form.file).errors.append(
                _(
                    "This file has a mistake on line %(line)s: %(reason)s",
                    line=refused.line,
                    reason=refused_reason(refused),
                )
            )
        except tables.SeatingFailed as failed:
            (form.typed if typed else form.file).errors.append(
                _("These people cannot be seated: %(reason)s", reason=seating_reason(failed))
            )
        else:
            return render_template("workshop/tables.html", plan=plan, people=people)
    status = 400 if form.errors else 200
    return render_template("workshop/seating.html", form=form), status


def _open_rounds() -> dict[int, Round]:
    rounds = db.session.scalars(
        select(Round).where(Round.phase != Phase.CLOSED).order_by(Round.id.desc())
    )
    return {r.id: r for r in rounds}


@bp.route("/sessions", methods=["GET", "POST"])
@role_required(*ORGANISERS)
def sessions():
    """Start a workshop people sign in to with a short code; the workshops so far."""
    form = StartForm()
    rounds = _open_rounds()
    lang = str(get_locale())
    form.round.choices = [("", _("No round"))] + [
        (i, str(r.t("title", lang) or r.slug)) for i, r in rounds.items()
    ]
    if form.validate_on_submit():
        rnd = rounds.get(form.round.data) if form.round.data else None
        workshop = workshops.start(
            form.name.data.strip(), rnd, form.tables.data, current_user, date.today()
        )
        db.session.commit()
        return redirect(url_for("workshop.session", workshop_id=workshop.id))
    held = db.session.scalars(select(Workshop).order_by(Workshop.id.desc()).limit(50)).all()
    status = 400 if form.errors else 200
    return render_template("workshop/sessions.html", form=form, held=held), status


def _workshop(workshop_id: int) -> Workshop:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


@bp.route("/sessions/<int:workshop_id>", methods=["GET", "POST"])
@role_required(*ORGANISERS)
def session(workshop_id: int):
    """The codes to show, who has signed in, what each table wrote; seat them at mixed tables."""
    workshop = _workshop(workshop_id)
    form = SeatForm()
    if form.validate_on_submit():
        people = workshops.attendees(workshop)
        if not people:
            flash(_("Nobody has signed in yet."), "error")
            return redirect(url_for("workshop.session", workshop_id=workshop.id))
        try:
            plan = tables.seat(people, workshop.tables, form.sessions.data)
        except tables.SeatingFailed as failed:
            form.sessions.errors.append(
                _("These people cannot be seated: %(reason)s", reason=seating_reason(failed))
            )
        else:
            return render_template("workshop/tables.html", plan=plan, people=people)
    status = 400 if form.errors else 200
    return render_template(
        "workshop/session.html",
        workshop=workshop,
        form=form,
        role_words={key: str(words) for key, words in ROLES},
        keep_until=workshops.keep_until,
    ), status


@bp.get("/sessions/<int:workshop_id>/ratings")
@role_required(*ORGANISERS)
def ratings(workshop_id: int):
    """The round's ratings as the room gives them, read afresh each time the page is opened."""
    workshop = _workshop(workshop_id)
    if workshop.round is None:
        abort(404)
    barriers, remedies = data.rated(workshop.round)
    return render_template(
        "workshop/ratings.html",
        workshop=workshop,
        barriers=barriers,
        remedies=remedies,
        one_decimal=lambda x: format_decimal(x, format="0.0"),
    )
