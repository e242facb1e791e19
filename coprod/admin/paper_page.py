"""Typing in paper ballots: one page for staff and for a group's member alike (the
toolkit's sheets come back this way), so both go through the same form and operation."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coprod import pots
from coprod.admin.forms import EmptyForm, PaperForm
from coprod.extensions import db
from coprod.models import PaperEntry, Phase, RemedyStatus, Role, Round
from coprod.operations import paper
from coprod.operations.ballots import CastError
from coprod.participate.messages import explain

PAPER_TYPISTS = (Role.ORGANISER, Role.MODERATOR)  # staff who may type in paper ballots


def type_paper(rnd: Round, here: str):
    """The page that types in paper ballots, for staff and for a group's member alike: the
    same form, the same operation (`paper.enter_paper`) and so the same checks as online."""
    form = PaperForm()
    form.choices.choices = [
        (str(r.id), str(r.t("title", "en") or ""))
        for r in rnd.remedies
        if r.status == RemedyStatus.PUBLISHED
    ]
    if rnd.phase != Phase.VOTING:
        flash(_("Paper ballots can only be typed in while voting is open."), "error")
    elif form.validate_on_submit():
        try:
            outcome = paper.enter_paper(
                current_app.config["SECRET_KEY"],
                rnd,
                form.sheet.data,
                form.code.data,
                form.choices.data,
                current_user,
            )
        except CastError as refused:
            names = pots.names(rnd)
            for problem in refused.problems:
                form.choices.errors.append(explain(problem, rnd.currency, names))
        else:
            db.session.commit()
            flash(
                {
                    "counted": _("Sheet %(sheet)s is counted.", sheet=form.sheet.data),
                    "waiting": _(
                        "Sheet %(sheet)s is saved. Another person must now type it too.",
                        sheet=form.sheet.data,
                    ),
                    "mismatch": _(
                        "Sheet %(sheet)s does not match the first typing. "
                        "An organiser will check the paper.",
                        sheet=form.sheet.data,
                    ),
                }[outcome],
                "error" if outcome == "mismatch" else "message",
            )
            return redirect(url_for(here, slug=rnd.slug))
    # In a round with pots the paper has a part per pot; a code's area says which it may use.
    groups = [
        (pots.name(p), {str(r.id) for r in rnd.remedies if r.pot_id == p.id})
        for p in pots.in_order(rnd)
    ]
    staff = current_user.role in PAPER_TYPISTS
    mismatches = (
        db.session.scalars(
            select(PaperEntry.sheet)
            .where(PaperEntry.round_id == rnd.id, PaperEntry.status == "mismatch")
            .distinct()
        ).all()
        if staff
        else []
    )
    return render_template(
        "admin/paper.html",
        round=rnd,
        form=form,
        groups=groups,
        mismatches=mismatches,
        staff=staff,
        button=EmptyForm(),
    )
