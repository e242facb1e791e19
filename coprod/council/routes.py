"""Routes for the council's side: the dashboard, the top-5 report, answers, "you said, we did".

Staff pages sit under /staff/council and each checks the role; the public page needs no
sign-in. Views validate, call an operation, flash and redirect; the sums are in `stats`.
"""

import json
from datetime import date

from babel import Locale, UnknownLocaleError
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from coprod import words
from coprod.accounts import role_required
from coprod.conversation import operations as conversations
from coprod.conversation.models import Theme
from coprod.council import bp, charts, data, exports, labels, notify, stats
from coprod.council.forms import AnswerForm, ContactForm, SendForm, UpdateForm
from coprod.extensions import db, limiter
from coprod.following import operations as following
from coprod.following import sending
from coprod.ideas import operations as ideas
from coprod.lookups import round_or_404, with_remedies_texts
from coprod.models import Barrier, Contact, Phase, Remedy, Role, Round, User
from coprod.models import Response as Answer
from coprod.operations import offers, responses
from coprod.operations.responses import Refused

READERS = (Role.ORGANISER, Role.COUNCILLOR, Role.COMMISSIONER)
ORGANISER = (Role.ORGANISER,)
# Councillors send the top five to the people who must answer; organisers may too.
SENDERS = (Role.ORGANISER, Role.COUNCILLOR)
# Contacts left per hour from one address: enough for a family or a library computer.
CONTACT_LIMIT = 30

REFUSED = {
    "not_counted": _l("The top five can be sent once the votes are counted."),
    "not_a_decision_maker": _l("Please choose a councillor or a commissioner."),
    "due_not_in_future": _l("Please choose a day after today."),
    "nothing_to_send": _l("This round has no problems or ideas to send."),
    "already_sent": _l("The top five of this round were sent already. They cannot be sent twice."),
    "no_decision_yet": _l("Please save the decision first. Then you can add what happened next."),
    "unknown_status": _l("Please choose where things are now."),
}


@bp.context_processor
def council_helpers() -> dict:
    return {
        "charts": charts,
        "labels": labels,
        "stats": stats,
        "percent": _percent,
        "one_decimal": lambda x: format_decimal(x, format="0.0") if x is not None else "",
        "language_name": _language_name,
        "spread_words": _spread_words,
        "steps": exports.timeline,
        "today": date.today(),
    }


def _percent(x: float | None) -> str:
    return format_percent(x, format="#,##0%") if x is not None else ""


def _spread_words(summary: stats.Summary) -> str:
    """'Not at all: 2, A little: 0, ...' for a chart's description."""
    return ", ".join(
        _("%(answer)s: %(num)d", answer=words.SCORE[k], num=summary.count_of(k))
        for k in stats.SCALE
    )


def _language_name(code: str) -> str:
    """A language's name in the reader's language: 'Urdu' for an English reader."""
    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def _public_round(slug: str) -> Round:
    rnd = round_or_404(slug, drafts=True, options=with_remedies_texts())
    if rnd.phase == Phase.DRAFT:
        abort(404)
    return rnd


def _answer(response_id: int) -> Answer:
    """The priority to answer; 403 for anyone but its decision-maker or an organiser."""
    answer = db.session.get(Answer, response_id)
    if answer is None:
        abort(404)
    if not responses.can_answer(current_user, answer):
        abort(403)
    return answer


def _lang() -> str:
    return str(get_locale())


def _download(text: str, filename: str, mimetype: str) -> Response:
    return Response(
        text,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv(text: str, filename: str) -> Response:
    # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
    return _download("\ufeff" + text, filename, "text/csv; charset=utf-8")


def _json(payload: object, filename: str) -> Response:
    return _download(
        json.dumps(payload, ensure_ascii=False, indent=2), filename, "application/json"
    )


# --- Staff: the dashboard -----------------------------------------------------------------


@bp.get("/staff/council")
@role_required(*READERS)
def index():
    rounds = db.session.scalars(select(Round).order_by(Round.id.desc())).all()
    waiting = db.session.scalars(
        select(Answer)
        .where(Answer.decision_maker_id == current_user.id, Answer.decision.is_(None))
        .order_by(Answer.due_on, Answer.rank)
    ).all()
    return render_template(
        "council/index.html", rounds=rounds, waiting=waiting, ideas=ideas.answer_queue()
    )


@bp.get("/staff/council/rounds/<slug>")
@role_required(*READERS)
def dashboard(slug: str):
    rnd = round_or_404(slug, drafts=True, options=with_remedies_texts())
    return render_template(
        "council/dashboard.html",
        round=rnd,
        d=data.dashboard(rnd),
        sent=responses.already_sent(rnd),
        offered=offers.help_by_remedy(rnd),
    )


@bp.get("/staff/council/rounds/<slug>/invite-first")
@role_required(*ORGANISER)
def invite_first(slug: str):
    """Who to send this round's letters and messages to first: the areas and languages that
    took part least in an earlier round, with how they are taking part now."""
    rnd = round_or_404(slug, drafts=True)
    found = data.invite_order(rnd, request.args.get("before", ""))
    return render_template(
        "council/invite_first.html",
        round=rnd,
        earlier=found.earlier,
        others=found.others,
        gaps=found.gaps,
        area_names=found.area_names,
        audience=following.audience(rnd),
        can_send=sending.can_send(),
    )


@bp.get("/staff/council/rounds/<slug>/results.csv")
@role_required(*READERS)
def dashboard_csv(slug: str):
    rnd = round_or_404(slug, drafts=True)
    rows = exports.dashboard_rows(data.dashboard(rnd), _lang())
    return _csv(exports.to_csv(exports.DASHBOARD_COLUMNS, rows), f"results-{rnd.slug}.csv")


@bp.get("/staff/council/rounds/<slug>/results.json")
@role_required(*READERS)
def dashboard_json(slug: str):
    rnd = round_or_404(slug, drafts=True)
    return _json(exports.dashboard_data(data.dashboard(rnd), _lang()), f"results-{rnd.slug}.json")


# --- Staff: the top-5 report --------------------------------------------------------------


def _send_form(rnd: Round) -> SendForm:
    due = rnd.responses_due if rnd.responses_due and rnd.responses_due > date.today() else None
    form = SendForm(due_on=due)
    people = db.session.scalars(
        select(User)
        .where(User.role.in_(responses.DECISION_MAKERS), User.active.is_(True))
        .order_by(User.name)
    )
    form.decision_maker.choices = [
        SelectChoice(u.id, _("%(name)s, %(role)s", name=u.name, role=labels.ROLE[u.role]))
        for u in people
    ]
    return form


def _top5_page(rnd: Round, form: SendForm | None = None, status: int = 200):
    sent = data.responses(rnd)
    organiser = current_user.role == Role.ORGANISER
    contacts = None
    if organiser:
        contacts = db.session.scalar(
            select(func.count(Contact.id)).where(Contact.round_id == rnd.id)
        )
    if not sent and current_user.role in SENDERS and form is None:
        form = _send_form(rnd)
    preview = [] if sent else data.priorities(rnd)[: responses.TOP]
    # Problems and ideas that came from what people said go beside the five, ranked after.
    among = {(row.kind, row.rated.id) for row in preview}
    from_voice = [
        (kind, db.session.get(Barrier if kind == "barrier" else Remedy, item))
        for kind, item in ([] if sent else conversations.problems_from_themes(rnd))
        if (kind, item) not in among
    ]
    page = render_template(
        "council/top5.html",
        round=rnd,
        sent=sent,
        preview=preview,
        from_voice=from_voice,
        form=form if not sent else None,
        can_send=rnd.phase in responses.SENDABLE,
        contacts=contacts,
        mail_on=bool(current_app.config.get("MAIL_SERVER")),
        can_answer=responses.can_answer,
    )
    return page, status


@bp.get("/staff/council/rounds/<slug>/top-5")
@role_required(*READERS)
def top5(slug: str):
    return _top5_page(round_or_404(slug, drafts=True))


@bp.post("/staff/council/rounds/<slug>/top-5")
@role_required(*SENDERS)
def send_top5(slug: str):
    rnd = round_or_404(slug, drafts=True)
    form = _send_form(rnd)
    if not form.validate_on_submit():
        return _top5_page(rnd, form, 400)
    # the form only accepts the id of a decision-maker it listed
    person = db.session.get_one(User, form.decision_maker.data)
    ranked = [(row.kind, row.rated.id) for row in data.priorities(rnd)[: responses.TOP]]
    try:
        sent = responses.send_top5(
            rnd,
            ranked,
            person,
            form.due_on.data,
            actor=current_user,
            themes=conversations.problems_from_themes(rnd),
        )
    except Refused as refused:
        flash(REFUSED[refused.code], "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "%(num)d priority is sent to %(name)s, who must answer it in public.",
                "%(num)d priorities are sent to %(name)s, who must answer them in public.",
                len(sent),
                name=person.name,
            )
        )
    return redirect(url_for("council.top5", slug=slug))


@bp.get("/staff/council/rounds/<slug>/answers.csv")
@role_required(*READERS)
def answers_csv(slug: str):
    rnd = round_or_404(slug, drafts=True)
    rows = exports.answer_data(data.responses(rnd), _lang(), date.today())
    return _csv(exports.to_csv(exports.ANSWER_COLUMNS, rows), f"answers-{rnd.slug}.csv")


@bp.get("/staff/council/rounds/<slug>/answers.json")
@role_required(*READERS)
def answers_json(slug: str):
    rnd = round_or_404(slug, drafts=True)
    rows = exports.answer_data(data.responses(rnd), _lang(), date.today())
    return _json({"round": rnd.slug, "answers": rows}, f"answers-{rnd.slug}.json")


@bp.get("/staff/council/rounds/<slug>/contacts.csv")
@role_required(*ORGANISER)
def contacts_csv(slug: str):
    """The people waiting to hear, for organisers to tell when the site cannot send email."""
    rnd = round_or_404(slug, drafts=True)
    found = db.session.scalars(
        select(Contact).where(Contact.round_id == rnd.id).order_by(Contact.id)
    )
    rows = [
        {"email": c.address, "language": c.lang, "left_on": c.created_at.date().isoformat()}
        for c in found
    ]
    response = _csv(
        exports.to_csv(("email", "language", "left_on"), rows), f"contacts-{rnd.slug}.csv"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Staff: answering ---------------------------------------------------------------------


def _answer_page(priority: Answer, form: AnswerForm, update_form: UpdateForm, status: int = 200):
    page = render_template(
        "council/answer.html", priority=priority, form=form, update_form=update_form
    )
    return page, status


@bp.route("/staff/council/answers/<int:response_id>", methods=["GET", "POST"])
@role_required(*READERS)
def answer(response_id: int):
    priority = _answer(response_id)
    written_in = priority.content.original_lang  # changes stay in the answer's own language
    saved = {
        "decision": priority.decision.value if priority.decision else None,
        "reason": exports.text_of(priority, "reason", written_in),
        "next_step": exports.text_of(priority, "next_step", written_in),
        "decided_on": priority.decided_on or date.today(),
    }
    form = AnswerForm(data=saved)
    if not form.validate_on_submit():
        return _answer_page(priority, form, UpdateForm(), 400 if form.is_submitted() else 200)
    first = responses.record_decision(
        priority,
        form.choice,
        form.reason.data,
        form.next_step.data or "",
        form.decided_on.data,
        lang=_lang(),
        actor=current_user,
    )
    db.session.commit()
    flash(_("The answer is saved. Everyone can read it on the round's public page."))
    if first:
        _tell_followers(priority)
        told = notify.tell_contacts(priority)
        if told:
            flash(
                ngettext(
                    "We are emailing %(num)d person who asked to hear.",
                    "We are emailing %(num)d people who asked to hear.",
                    told,
                )
            )
    return redirect(url_for("council.answer", response_id=priority.id))


def _tell_followers(priority: Answer) -> None:
    """People following the remedy, or a theme that became the problem, hear the answer."""
    if priority.remedy_id:
        following.tell("remedy", priority.remedy_id, "answered")
    for theme_id in (
        db.session.scalars(select(Theme.id).where(Theme.barrier_id == priority.barrier_id))
        if priority.barrier_id
        else ()
    ):
        following.tell("theme", theme_id, "answered")
    db.session.commit()


@bp.post("/staff/council/answers/<int:response_id>/updates")
@role_required(*READERS)
def add_update(response_id: int):
    priority = _answer(response_id)
    form = UpdateForm()
    if not form.validate_on_submit():
        return _answer_page(priority, AnswerForm(), form, 400)
    try:
        responses.add_update(
            priority,
            form.status.data,
            form.note.data or "",
            form.on.data,
            lang=_lang(),
            actor=current_user,
        )
    except Refused as refused:
        flash(REFUSED[refused.code], "error")
    else:
        db.session.commit()
        flash(_("The new step is added to the timeline."))
    return redirect(url_for("council.answer", response_id=priority.id))


# --- Public: "you said, we did" -----------------------------------------------------------


@bp.route("/rounds/<slug>/you-said-we-did", methods=["GET", "POST"])
@limiter.limit(f"{CONTACT_LIMIT} per hour", methods=["POST"])
def you_said_we_did(slug: str):
    """Every priority sent to the council, its answer, status and dates; overdue in plain sight."""
    rnd = _public_round(slug)
    form = ContactForm()
    if form.validate_on_submit():
        responses.add_contact(rnd, form.address.data, _lang())
        db.session.commit()
        flash(_("Thank you. We will email you when the council answers."))
        return redirect(url_for("council.you_said_we_did", slug=slug))
    answers = data.responses(rnd)
    page = render_template(
        "council/you_said_we_did.html",
        round=rnd,
        answers=answers,
        answered=sum(1 for a in answers if a.decision is not None),
        overdue=sum(1 for a in answers if a.is_overdue(date.today())),
        form=form,
    )
    return page, 400 if form.errors else 200
