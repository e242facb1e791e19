"""Routes for organisers. Every route checks the role; a route that writes calls operations,
then commits once."""

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from coprod import i18n, jobs, pots, tally, words
from coprod.accounts import role_required
from coprod.admin import bp
from coprod.admin.forms import (
    ClearSheetForm,
    CodesForm,
    EmptyForm,
    ImportForm,
    MoveOnForm,
    PaperSettingsForm,
)
from coprod.admin.paper_page import PAPER_TYPISTS, type_paper
from coprod.admin.setup import round_languages
from coprod.extensions import db
from coprod.following import sending
from coprod.lookups import round_or_404
from coprod.models import (
    Ballot,
    Count,
    PaperEntry,
    Phase,
    Remedy,
    RemedyStatus,
    Role,
    Round,
    UnsentEmail,
    VoterCode,
)
from coprod.operations import codes, emails, paper
from coprod.operations import phase as phases
from coprod.operations.imports import (
    ElectionImportError,
    SlugTaken,
    free_slug,
    import_election,
    suggest_slug,
    suggest_title,
)
from coprod.operations.phase import ORDER
from coprod.participate.letters import render_letters

STAFF = tuple(Role)[1:]  # everyone but group members
WHY = {
    # i18n: why a message to followers or supporters did not go.
    "refused": _l("The email or text service said no: maybe a wrong address or phone number."),
    "unreachable": _l("We could not reach the email or text service."),
    "no_sms": _l("Text messages need GOV.UK Notify, which is not set up."),
    "other": _l("Something else went wrong."),
    "": _l("Something else went wrong."),
}
ORGANISER = (Role.ORGANISER,)


def _codes_form(rnd: Round, **data) -> CodesForm:
    """The form for codes and letters; a round with a pot per area asks for the area."""
    languages = round_languages(rnd)  # only the languages the round is in
    form = CodesForm(**({"lang": languages[0]} | data))
    form.lang.choices = [(c, i18n.native_name(c)) for c in languages]
    areas = [p.area for p in pots.in_order(rnd) if p.area is not None]
    form.area.choices = [("", _("Choose an area"))] + [(str(a.id), a.name) for a in areas]
    return form


def _next_phase(rnd: Round) -> Phase | None:
    position = ORDER.index(rnd.phase)
    return ORDER[position + 1] if position + 1 < len(ORDER) else None


@bp.get("/")
@role_required(*STAFF)
def home():
    rounds = db.session.scalars(select(Round).order_by(Round.id.desc())).all()
    organiser = current_user.role == Role.ORGANISER
    retrying, gave_up = emails.unsent() if organiser else ([], [])
    return render_template(
        "admin/home.html",
        rounds=rounds,
        retrying=retrying,
        gave_up=gave_up,
        failed_messages=emails.given_up_by_message() if organiser else [],
        why_words=WHY,
        button=EmptyForm(),
        types_paper=current_user.role in PAPER_TYPISTS,
    )


@bp.post("/unsent-emails/<int:row_id>/send-again")
@role_required(*ORGANISER)
def send_again(row_id: int):
    """Send a message the jobs gave up on again, to everyone it failed for."""
    row = db.session.get(UnsentEmail, row_id)
    if row is None or not row.gave_up:
        flash(_("This message is not waiting any more."), "error")
    elif EmptyForm().validate_on_submit():
        people = emails.send_again(row, current_user, sending.send_later)
        db.session.commit()
        flash(
            ngettext(
                "We will try again to send it to %(num)d person.",
                "We will try again to send it to %(num)d people.",
                people,
            )
        )
    return redirect(url_for("admin.home", _anchor="unsent"))


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
    return _round_page(round_or_404(slug, drafts=True))


def _round_page(rnd: Round, paper_form: PaperSettingsForm | None = None, status: int = 200):
    form = _codes_form(rnd)
    # Coming from "who to invite first": the letters' language and area are chosen already.
    # ("lang" would change the page's own language.)
    if request.args.get("letters") in {c for c, _name in form.lang.choices}:
        form.lang.data = request.args["letters"]
    if request.args.get("area") in {str(c) for c, _name in form.area.choices if c}:
        form.area.data = request.args["area"]
    ballots = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.round_id == rnd.id))
    waiting = phases.waiting_to_count(rnd)
    page = render_template(
        "admin/round.html",
        round=rnd,
        form=form,
        button=EmptyForm(),
        paper_form=paper_form or PaperSettingsForm(double_entry=rnd.paper_double_entry),
        sheets_typed=paper.sheets_typed(rnd),
        next_phase=_next_phase(rnd),
        ballots=ballots,
        waiting=waiting,
        can_reopen=waiting and phases.can_reopen(rnd, jobs.today_here()),
        count_waiting=jobs.count_waiting(rnd) if rnd.phase.rules_frozen else None,
        count_progress=jobs.count_progress(rnd) if rnd.phase.rules_frozen else None,
    )
    return page, status


def _facts(rnd: Round) -> dict:
    """What the organiser should know before moving the round on, in numbers."""

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count(model.id)).where(*where)) or 0

    statuses = dict(
        db.session.execute(
            select(Remedy.status, func.count(Remedy.id))
            .where(Remedy.round_id == rnd.id)
            .group_by(Remedy.status)
        ).all()
    )
    return {
        "ballots": count(Ballot, Ballot.round_id == rnd.id),
        "codes": count(VoterCode, VoterCode.round_id == rnd.id),
        "published": statuses.get(RemedyStatus.PUBLISHED, 0),
        "unchecked": statuses.get(RemedyStatus.SUBMITTED, 0),
        "typed_once": count(
            PaperEntry, PaperEntry.round_id == rnd.id, PaperEntry.status == "waiting"
        ),
        "mismatched": count(
            PaperEntry, PaperEntry.round_id == rnd.id, PaperEntry.status == "mismatch"
        ),
    }


@bp.route("/rounds/<slug>/phase", methods=["GET", "POST"])
@role_required(*ORGANISER)
def next_phase(slug: str):
    """Moving on is a decision: the page says what will happen; only its button does it."""
    rnd = round_or_404(slug, drafts=True)
    to = _next_phase(rnd)
    back = redirect(url_for("admin.round_admin", slug=slug))
    if to is None:
        flash(_("This round is finished."))
        return back
    # Answering the priorities needs a result: count first.
    blocked = rnd.phase == Phase.COUNTED and phases.waiting_to_count(rnd)
    # Only on the page: a post must name the step itself (a bare post moves nothing).
    form = MoveOnForm() if request.method == "POST" else MoveOnForm(to=to.value)
    if request.method == "POST" and not blocked and form.validate_on_submit():
        moved = form.to.data != to.value  # a second press, or a page left open in another tab
        if not moved:
            try:
                phases.move_on(
                    rnd, seen=rnd.phase, to=to, today=jobs.today_here(), actor=current_user
                )
            except phases.PhaseError:  # another organiser took this step a moment ago
                db.session.rollback()
                moved = True
        if moved:
            flash(_("The round has already moved on. Nothing was changed."), "error")
            return back
        db.session.commit()
        if to == Phase.COUNTED:
            flash(
                _(
                    "Voting is closed. The votes will be counted at the end of today. "
                    "Until then you can open voting again."
                )
            )
        else:
            flash(_("The round has moved on. It is now: %(phase)s", phase=words.PHASE[to]))
        return back
    if request.method == "POST":
        return back  # an old form or a missing token: nothing changes
    return render_template(
        "admin/move_on.html", round=rnd, to=to, form=form, blocked=blocked, facts=_facts(rnd)
    )


_REOPEN_REFUSED = {
    "not_closed": _l("Voting is not closed, so there is nothing to open again."),
    "counted": _l("The votes have been counted, so voting cannot open again."),
    "too_late": _l("Voting can be opened again only on the day it was closed."),
}


@bp.route("/rounds/<slug>/reopen", methods=["GET", "POST"])
@role_required(*ORGANISER)
def reopen_voting(slug: str):
    """Undo closing voting, the same day, before any count: a short confirmation first."""
    rnd = round_or_404(slug, drafts=True)
    today = jobs.today_here()
    form = EmptyForm()
    back = redirect(url_for("admin.round_admin", slug=slug))
    try:
        if request.method == "GET":
            phases.check_reopen(rnd, today)
        elif form.validate_on_submit():
            phases.reopen_voting(rnd, today=today, actor=current_user)
            db.session.commit()
            flash(_("Voting is open again. Every ballot already cast still counts."))
            return back
        else:
            return back  # an old form or a missing token: nothing changes
    except phases.PhaseError as refused:
        flash(str(_REOPEN_REFUSED.get(refused.reason, _REOPEN_REFUSED["not_closed"])), "error")
        return back
    ballots = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.round_id == rnd.id))
    return render_template("admin/reopen.html", round=rnd, form=form, ballots=ballots)


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
    """Make a round from a real election's .pb file, with its own name and web address; a
    broken file is refused line by line, a taken web address next to its field."""
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            election = tally.parse_pb(upload.read().decode("utf-8-sig"))
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
        else:
            # Left empty: what the file calls itself, and a web address made from that.
            named = (form.title.data or "").strip()
            title = named or suggest_title(election, upload.filename or "")
            slug = form.slug.data or suggest_slug(title)
            try:
                rnd = import_election(
                    election,
                    slug,
                    title=title,
                    lang=current_app.config["BABEL_DEFAULT_LOCALE"],
                    actor=current_user,
                )
            except SlugTaken:
                form.slug.errors.append(
                    _(
                        "Another round already has the web address %(slug)s. "
                        "Please choose another, for example %(free)s.",
                        slug=slug,
                        free=free_slug(slug),
                    )
                )
            except ElectionImportError as error:
                form.file.errors.append(str(error))
            else:
                return _imported(rnd, len(election.votes))
    return render_template("admin/import.html", form=form)


def _imported(rnd: Round, votes: int):
    """Count the imported round and commit once: the round, its ballots and its count."""
    counted = jobs.count_or_queue(rnd, actor=current_user)
    db.session.commit()
    if counted is None:
        _say_counted(counted)
        return redirect(url_for("admin.round_admin", slug=rnd.slug))
    flash(
        ngettext(
            "%(num)d ballot imported and counted.",
            "%(num)d ballots imported and counted.",
            votes,
        )
    )
    return redirect(url_for("results.results", slug=rnd.slug))


@bp.post("/rounds/<slug>/paper-settings")
@role_required(*ORGANISER)
def paper_settings(slug: str):
    """Switch double entry of paper ballots, before any sheet is typed."""
    rnd = round_or_404(slug, drafts=True)
    form = PaperSettingsForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.round_admin", slug=slug))
    try:
        changed = paper.set_double_entry(rnd, form.double_entry.data, current_user)
    except paper.PaperSettingError as refused:
        form.double_entry.errors = [
            _(
                "This cannot change now: paper ballots have already been typed in for this "
                "round, and they must all follow the same rule."
            )
            if refused.reason == "typed"
            else _("This cannot change now: voting has closed.")
        ]
        form.double_entry.data = rnd.paper_double_entry
        return _round_page(rnd, paper_form=form, status=400)
    db.session.commit()
    if changed:
        flash(
            _("Paper ballots will be typed in twice, by two different people.")
            if rnd.paper_double_entry
            else _("Paper ballots will be typed in once.")
        )
    return redirect(url_for("admin.round_admin", slug=slug))


@bp.post("/rounds/<slug>/codes")
@role_required(*ORGANISER)
def make_codes(slug: str):
    """Make codes and hand back their printable letters; the codes are never shown again."""
    rnd = round_or_404(slug, drafts=True)
    form = _codes_form(rnd)
    if not form.validate_on_submit():
        flash(_("Please give a number of codes between 1 and 5,000."), "error")
        return redirect(url_for("admin.round_admin", slug=slug))
    area_id = form.area_id()
    if len(form.area.choices) > 1 and area_id is None:
        # Each code votes in its area's pot, so a round with area pots needs the area.
        flash(_("Please choose the area of the homes these letters go to."), "error")
        return redirect(url_for("admin.round_admin", slug=slug))
    made = codes.make_codes(
        current_app.config["SECRET_KEY"],
        rnd,
        form.count.data,
        letter_lang=form.lang.data,
        area_id=area_id,
        actor=current_user,
    )
    db.session.commit()  # before the codes leave: a letter's code must exist
    area = next((p.area for p in rnd.pots if p.area_id == area_id), None)
    html = render_letters(rnd, made, form.lang.data, area=area.name if area else None)
    return Response(
        html,
        mimetype="text/html",
        headers={
            "Content-Disposition": f'attachment; filename="letters-{rnd.slug}.html"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/rounds/<slug>/paper", methods=["GET", "POST"])
@role_required(*PAPER_TYPISTS)
def paper_ballot(slug: str):
    return type_paper(round_or_404(slug, drafts=True), "admin.paper_ballot")


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
