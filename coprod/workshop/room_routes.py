"""The room's pages: signing in on arrival with the short code, and each table's device."""

import secrets

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from coprod.extensions import db, limiter
from coprod.models import Phase, Workshop
from coprod.operations import workshops
from coprod.propose.forms import EmptyForm
from coprod.workshop import room
from coprod.workshop.forms import EntryForm, SignInForm, TableCodeForm


def _rating_open(workshop: Workshop) -> bool:
    return workshop.round is not None and workshop.round.phase == Phase.RATING


def start_rating(workshop: Workshop) -> str:
    """Give this browser a fresh rater for the workshop's round; the rating page's address.

    The rating page is the round's own (`participate.rate`): it reads this pseudonym from the
    session, so the room's ratings are kept and counted like any others made without a code.
    """
    assert workshop.round is not None
    session[f"room:{workshop.round.slug}"] = secrets.token_urlsafe(16)
    return url_for("participate.rate", slug=workshop.round.slug)


# A whole room often shares one address (the venue's wifi): room for everyone to sign in.
ROOM_LIMIT = "200 per hour"


@room.route("/", methods=["GET", "POST"])
@limiter.limit(ROOM_LIMIT, methods=["POST"])
def sign_in():
    """Someone arriving types the code on the screen and the facts they choose to give."""
    form = SignInForm()
    if form.validate_on_submit():
        workshop = workshops.by_sign_in_code(form.code.data)
        if workshop is None:
            form.code.errors.append(_("We do not know this code. Please check it on the screen."))
        else:
            workshops.sign_in(
                workshop,
                name=form.name.data.strip(),
                role=form.role.data,
                organisation=(form.organisation.data or "").strip(),
                language=(form.language.data or "").strip(),
                area=(form.area.data or "").strip(),
                needs_interpreter=bool(form.needs_interpreter.data),
                interprets=(form.interprets.data or "").strip(),
            )
            db.session.commit()
            return render_template(
                "workshop/signed_in.html",
                workshop=workshop,
                rating_open=_rating_open(workshop),
                button=EmptyForm(),
            )
    status = 400 if form.errors else 200
    return render_template("workshop/sign_in.html", form=form), status


@room.post("/<code>/rate")
def rate(code: str):
    """Open the round's rating page for whoever holds this device now."""
    workshop = workshops.by_sign_in_code(code) if len(code) <= 20 else None
    found = workshops.by_table_code(code) if workshop is None and len(code) <= 20 else None
    if found is not None:
        workshop = found[0]
    if workshop is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        flash(_("The page was open for a long time. Please press the button again."), "error")
        return redirect(url_for("room.sign_in"))
    if not _rating_open(workshop):
        flash(_("Rating is not open in this round."))
        return redirect(url_for("room.sign_in"))
    return redirect(start_rating(workshop), 303)


@room.route("/table", methods=["GET", "POST"])
@limiter.limit(ROOM_LIMIT, methods=["POST"])
def table_code():
    form = TableCodeForm()
    if form.validate_on_submit():
        found = workshops.by_table_code(form.code.data)
        if found is not None:
            return redirect(url_for("room.table", code=workshops.normalise(form.code.data)))
        form.code.errors.append(_("We do not know this code. Please check it on the screen."))
    status = 400 if form.errors else 200
    return render_template("workshop/table_code.html", form=form), status


@room.route("/table/<code>", methods=["GET", "POST"])
def table(code: str):
    """One table's device: write down the table's problems and ideas, and rate in turn."""
    found = workshops.by_table_code(code) if len(code) <= 20 else None
    if found is None:
        abort(404)
    workshop, number = found
    form = EntryForm()
    if form.validate_on_submit():
        workshops.add_entry(workshop, number, form.kind.data, form.text.data, str(get_locale()))
        db.session.commit()
        flash(_("Saved. Your table can add another."))
        return redirect(url_for("room.table", code=code))
    entries = [e for e in workshop.entries if e.table == number]
    status = 400 if form.errors else 200
    return render_template(
        "workshop/table.html",
        workshop=workshop,
        number=number,
        code=code,
        form=form,
        entries=entries,
        rating_open=_rating_open(workshop),
        button=EmptyForm(),
    ), status
