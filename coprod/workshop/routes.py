"""Routes for workshop mode: upload who is coming, or start a workshop people sign in to;
get table lists to print, see what tables wrote and the room's ratings as they come."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale, ngettext
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
from coprod.workshop.forms import ROLES, SeatForm, SeatingForm, StartForm, notes_form

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


def _cannot_take(form, refused: workshops.TurnError) -> None:
    """Say beside each refused note why it cannot go; nothing was written."""
    for entry in refused.entries:
        if refused.code == "already_taken":
            said = _("This note is already in a round. It can go only once.")
        elif form[f"kind_{entry.id}"].data == "barrier":
            said = _("This round no longer takes new problems: it is closed.")
        else:
            said = _("This round no longer takes new ideas: its vote has started.")
        form[f"take_{entry.id}"].errors.append(said)


@bp.route("/sessions/<int:workshop_id>/to-round", methods=["GET", "POST"])
@role_required(*ORGANISERS)
def to_round(workshop_id: int):
    """Turn the notes the tables wrote into the round's problems and ideas, in a few clicks:
    tick the ones to take, say what each is, change its words if needed, pick the round."""
    workshop = _workshop(workshop_id)
    # Every note has its boxes, so a note ticked on a page opened before someone else took it
    # is refused by name; the page shows the notes still waiting.
    form = notes_form(workshop.entries)
    rounds = _open_rounds()
    lang = str(get_locale())
    form.round.choices = [("", _("Choose a round"))] + [
        (i, str(r.t("title", lang) or r.slug)) for i, r in rounds.items()
    ]
    if request.method == "GET" and workshop.round_id in rounds:
        form.round.data = workshop.round_id
    if form.validate_on_submit():
        chosen = []
        for e in workshop.entries:
            if not form[f"take_{e.id}"].data:
                continue
            words = form[f"words_{e.id}"]
            if not (words.data or "").strip():
                words.errors.append(_("Please fill this in."))
            chosen.append(workshops.Chosen(e, form[f"kind_{e.id}"].data, words.data or ""))
        rnd = rounds.get(form.round.data)
        if rnd is None:
            form.round.errors.append(_("Please choose the round."))
        elif not chosen:
            form.round.errors.append(_("Please tick at least one note to take."))
        elif not form.errors:
            try:
                made = workshops.to_round(workshop, chosen, rnd, current_user)
            except workshops.TurnError as refused:
                _cannot_take(form, refused)
            else:
                db.session.commit()
                said = [
                    ngettext(
                        "%(num)d note is now in the round.",
                        "%(num)d notes are now in the round.",
                        len(chosen),
                    )
                ]
                if made["merged"]:
                    said.append(
                        ngettext(
                            "%(num)d had the same words as one already there and was joined to it.",
                            "%(num)d had the same words as ones already there and were joined "
                            "to them.",
                            made["merged"],
                        )
                    )
                said.append(_("Ideas wait for a moderator, as any idea sent in."))
                flash(" ".join(said))
                return redirect(url_for("workshop.session", workshop_id=workshop.id))
    status = 400 if form.errors else 200
    waiting = [
        e
        for e in workshop.entries
        if (e.barrier_id is None and e.remedy_id is None) or form[f"take_{e.id}"].errors
    ]
    return render_template(
        "workshop/to_round.html", workshop=workshop, form=form, waiting=waiting
    ), status


@bp.app_template_global()
def workshop_note(barrier=None, remedy=None):
    """The table note a problem or an idea came from, for "from the workshop on ..."."""
    return workshops.source_of(barrier=barrier, remedy=remedy)
