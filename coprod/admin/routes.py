"""Routes for organisers. Every route checks the role; a route that writes calls operations,
then commits once."""

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from coprod import i18n, jobs, tally, words
from coprod.accounts import role_required
from coprod.admin import bp
from coprod.admin.forms import ClearSheetForm, CodesForm, EmptyForm, ImportForm, PaperForm
from coprod.admin.setup import round_languages
from coprod.extensions import db
from coprod.lookups import round_or_404
from coprod.models import (
    Ballot,
    Count,
    PaperEntry,
    Phase,
    RemedyStatus,
    Role,
    Round,
)
from coprod.operations import codes, emails, paper
from coprod.operations.ballots import CastError
from coprod.operations.imports import ElectionImportError, import_election
from coprod.operations.phase import ORDER, change_phase
from coprod.participate.letters import render_letters
from coprod.participate.messages import explain

STAFF = tuple(Role)[1:]  # everyone but group members
ORGANISER = (Role.ORGANISER,)


def _next_phase(rnd: Round) -> Phase | None:
    position = ORDER.index(rnd.phase)
    return ORDER[position + 1] if position + 1 < len(ORDER) else None


@bp.get("/")
@role_required(*STAFF)
def home():
    rounds = db.session.scalars(select(Round).order_by(Round.id.desc())).all()
    retrying, gave_up = emails.unsent() if current_user.role == Role.ORGANISER else ([], [])
    return render_template(
        "admin/home.html", rounds=rounds, retrying=retrying, gave_up=gave_up, button=EmptyForm()
    )


@bp.post("/unsent-emails/clear")
@role_required(*ORGANISER)
def clear_unsent_emails():
    """The organiser has reached the people another way; the list of given-up emails goes."""
    if EmptyForm().validate_on_submit():
        emails.clear_given_up(current_user)
        db.session.commit()
    return redirect(url_for("admin.home"))


@bp.get("/rounds/<slug>")
@role_required(*ORGANISER)
def round_admin(slug: str):
    rnd = round_or_404(slug, drafts=True)
    form = CodesForm(lang=round_languages(rnd)[0])
    form.lang.choices = [(c, i18n.native_name(c)) for c in round_languages(rnd)]
    ballots = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.round_id == rnd.id))
    return render_template(
        "admin/round.html",
        round=rnd,
        form=form,
        button=EmptyForm(),
        next_phase=_next_phase(rnd),
        ballots=ballots,
        count_waiting=jobs.count_waiting(rnd) if rnd.phase.rules_frozen else None,
    )


@bp.post("/rounds/<slug>/phase")
@role_required(*ORGANISER)
def next_phase(slug: str):
    rnd = round_or_404(slug, drafts=True)
    if EmptyForm().validate_on_submit() and (to := _next_phase(rnd)) is not None:
        change_phase(rnd, to, actor=current_user)
        # Closing and counting are one piece of work: one commit keeps both or neither.
        counted = jobs.count_or_queue(rnd, actor=current_user) if to == Phase.COUNTED else None
        db.session.commit()
        flash(_("The round has moved on. It is now: %(phase)s", phase=words.PHASE[to]))
        if to == Phase.COUNTED:
            _say_counted(counted)
    return redirect(url_for("admin.round_admin", slug=slug))


@bp.post("/rounds/<slug>/count")
@role_required(*ORGANISER)
def recount(slug: str):
    rnd = round_or_404(slug, drafts=True)
    if EmptyForm().validate_on_submit():
        try:
            counted = jobs.count_or_queue(rnd, actor=current_user)
        except ValueError:
            flash(_("A round can be counted only after voting has closed."), "error")
        else:
            db.session.commit()
            _say_counted(counted)
    return redirect(url_for("admin.round_admin", slug=slug))


def _say_counted(counted: Count | None) -> None:
    """Tell the organiser the votes are counted, or that a job is counting them."""
    if counted is None:
        flash(_("Counting the votes. This page will show the result when it is ready."))
    else:
        flash(_("The votes are counted. The results are on the round's public page."))


@bp.route("/import", methods=["GET", "POST"])
@role_required(*ORGANISER)
def import_pb():
    """Make a round from a real election's .pb file; a broken file is refused line by line."""
    form = ImportForm()
    if form.validate_on_submit():
        try:
            election = tally.parse_pb(form.file.data.read().decode("utf-8-sig"))
            rnd = import_election(election, form.slug.data, actor=current_user)
        except UnicodeDecodeError:
            form.file.errors.append(_("This file is not plain text (UTF-8)."))
        except tally.PabulibError as error:
            form.file.errors.append(
                _(
                    "This file has a mistake on line %(line)s: %(reason)s",
                    line=error.line,
                    reason=error.reason,
                )
            )
        except ElectionImportError as error:
            form.slug.errors.append(str(error))
        else:
            # The round, its ballots and its count: one transaction, so a failure keeps none.
            counted = jobs.count_or_queue(rnd, actor=current_user)
            db.session.commit()
            if counted is None:
                _say_counted(counted)
                return redirect(url_for("admin.round_admin", slug=rnd.slug))
            flash(
                ngettext(
                    "%(num)d ballot imported and counted.",
                    "%(num)d ballots imported and counted.",
                    len(election.votes),
                )
            )
            return redirect(url_for("results.results", slug=rnd.slug))
    return render_template("admin/import.html", form=form)


@bp.post("/rounds/<slug>/codes")
@role_required(*ORGANISER)
def make_codes(slug: str):
    """Make codes and hand back their printable letters; the codes are never shown again."""
    rnd = round_or_404(slug, drafts=True)
    form = CodesForm()
    form.lang.choices = [(c, i18n.native_name(c)) for c in round_languages(rnd)]
    if not form.validate_on_submit():
        flash(_("Please give a number of codes between 1 and 5,000."), "error")
        return redirect(url_for("admin.round_admin", slug=slug))
    made = codes.make_codes(
        current_app.config["SECRET_KEY"],
        rnd,
        form.count.data,
        letter_lang=form.lang.data,
        actor=current_user,
    )
    db.session.commit()  # before the codes leave: a letter's code must exist
    html = render_letters(rnd, made, form.lang.data)
    return Response(
        html,
        mimetype="text/html",
        headers={
            "Content-Disposition": f'attachment; filename="letters-{rnd.slug}.html"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/rounds/<slug>/paper", methods=["GET", "POST"])
@role_required(Role.ORGANISER, Role.MODERATOR)
def paper_ballot(slug: str):
    rnd = round_or_404(slug, drafts=True)
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
            for problem in refused.problems:
                form.choices.errors.append(explain(problem, rnd.currency))
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
            return redirect(url_for("admin.paper_ballot", slug=slug))
    mismatches = db.session.scalars(
        select(PaperEntry.sheet)
        .where(PaperEntry.round_id == rnd.id, PaperEntry.status == "mismatch")
        .distinct()
    ).all()
    return render_template(
        "admin/paper.html", round=rnd, form=form, mismatches=mismatches, button=EmptyForm()
    )


@bp.post("/rounds/<slug>/paper/clear")
@role_required(*ORGANISER)
def clear_mismatch(slug: str):
    rnd = round_or_404(slug, drafts=True)
    form = ClearSheetForm()
    if form.validate_on_submit():
        paper.clear_mismatch(rnd, form.sheet.data, current_user)
        db.session.commit()
        flash(_("Sheet %(sheet)s can now be typed in again.", sheet=form.sheet.data))
    return redirect(url_for("admin.paper_ballot", slug=slug))
