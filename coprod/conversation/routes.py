"""Routes for a conversation: say something, mark others' statements, see what adds up.

Every page works without JavaScript: one statement at a time, three buttons to mark it.
"""

import csv
import io
import secrets

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from coprod import i18n, jobs, sessions, slowdown
from coprod.accounts import role_required
from coprod.conversation import bp, theme_counts
from coprod.conversation import operations as ops
from coprod.conversation.forms import (
    PaperForm,
    StartAloneForm,
    StartForm,
    StatementForm,
    ThemeCountsForm,
    ThemeForm,
    ThemeTargetForm,
)
from coprod.conversation.models import (
    STATEMENT_MAX,
    Conversation,
    Mark,
    Statement,
    StatementStatus,
    Theme,
)
from coprod.extensions import db, limiter
from coprod.forms import cleaned
from coprod.lookups import round_or_404
from coprod.models import Area, Eligibility, Role, Round
from coprod.operations import codes
from coprod.operations.ballots import Problem
from coprod.participate.forms import CodeForm
from coprod.participate.messages import explain
from coprod.propose.forms import _MARKUP, EmptyForm

MODERATORS = (Role.MODERATOR, Role.ORGANISER)
ORGANISERS = (Role.ORGANISER,)

REFUSED = {
    # i18n: why a file of theme counts was refused; %(detail)s is what was found.
    "not_utf8": _l("The file is not plain text (UTF-8). Save it as CSV UTF-8 and try again."),
    "not_csv": _l("This line could not be read as CSV."),
    "empty": _l("The file is empty."),
    "personal_column": _l(
        "Only the columns theme, area and count are allowed, so that no one can be named. "
        "Please remove: %(detail)s"
    ),
    "missing_column": _l("A column is missing: %(detail)s"),
    "wrong_cells": _l("This line does not have one cell for each column."),
    "personal_cell": _l(
        "This line looks like it is about one person (an email, a phone or NHS number, or "
        "a date). Please send counts only."
    ),
    "no_theme": _l("This line has no theme."),
    "bad_count": _l("The count must be a whole number, not %(detail)s"),
    "one_person": _l("A count of one is about one person. Please join it with others."),
    "too_many": _l("The file has too many lines."),
    "unknown_theme": _l("There is no theme called %(detail)s. Make the theme first."),
}


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _conversation(
    slug: str | None = None, name: str | None = None, *, drafts: bool = False
) -> tuple[Round | None, Conversation]:
    """A round's conversation (by the round's slug) or a stand-alone one (by its name)."""
    if name is not None:
        conv = ops.by_slug(name)
        if conv is None:
            abort(404)
        return None, conv
    rnd = round_or_404(slug or "", drafts=drafts)
    conv = ops.of_round(rnd)
    if conv is None:
        abort(404)
    return rnd, conv


def here(conv: Conversation) -> dict[str, str]:
    """The address parts of a conversation: its round's slug, or its own name."""
    if conv.round is not None:
        return {"slug": conv.round.slug}
    return {"name": conv.slug or ""}


@bp.app_template_global()
def conversation_url(endpoint: str, conv: Conversation, **values) -> str:
    """The address of a conversation's page, whether it has a round or stands alone."""
    return url_for(endpoint, **(here(conv) | values))


def _open_person(scope: str, lang: str, area: int | None) -> ops.Person:
    browser = session.setdefault("browser", secrets.token_urlsafe(16))
    return ops.Person(codes.keyed_hash(_secret(), scope, browser), True, area, lang)


def _person(rnd: Round | None, conv: Conversation) -> ops.Person | None:
    """The same keyed pseudonym ratings use (never the code itself), or None for no code.

    A stand-alone conversation has no codes: anyone takes part, kept apart by browser, and
    their marks count as a guide (like open rating)."""
    lang = str(get_locale())
    if rnd is None:
        return _open_person(f"open-talker:{conv.id}", lang, conv.area_id)
    if code := session.get(f"code:{rnd.slug}"):
        found = codes.find(_secret(), rnd, code)
        area = found.area_id if found is not None else None
        return ops.Person(codes.keyed_hash(_secret(), f"rater:{rnd.id}", code), False, area, lang)
    if rnd.eligibility == Eligibility.OPEN_RATING:
        return _open_person(f"open-rater:{rnd.id}", lang, None)
    return None


@bp.app_template_global()
def conversation_of(rnd: Round) -> Conversation | None:
    """The round's conversation, for its public page."""
    return ops.of_round(rnd)


@bp.app_template_global()
def theme_from(barrier=None, remedy=None) -> Theme | None:
    """The theme a problem or an idea came from, so the public can follow it back."""
    return ops.theme_of(barrier=barrier, remedy=remedy)


@bp.app_template_global()
def standing_conversations() -> list[Conversation]:
    """Open conversations without a round, for the home page."""
    return ops.standing_alone()


@bp.app_template_global()
def round_themes(rnd: Round) -> list[dict]:
    """The themes that reach a round, with their counts, for the council's pages."""
    return ops.theme_rows_of(ops.themes_for(rnd), str(get_locale()))


@bp.app_template_global()
def conversation_themes(conv: Conversation) -> list[dict]:
    """The conversation's themes with their counts, for the council's pages."""
    return ops.theme_rows(conv, str(get_locale()))


def _is_open(rnd: Round | None, conv: Conversation) -> bool:
    return conv.is_open and (rnd is None or rnd.phase.is_open)


def _back(endpoint: str, conv: Conversation, **values):
    return redirect(conversation_url(endpoint, conv, **values))


def _page(rnd, conv, person, form=None, code_form=None, status=200):
    statement = ops.next_for(conv, person) if person and _is_open(rnd, conv) else None
    page = render_template(
        "conversation/talk.html",
        round=rnd,
        conversation=conv,
        person=person,
        is_open=_is_open(rnd, conv),
        form=form or StatementForm(formdata=None),
        code_form=code_form or CodeForm(formdata=None),
        statement=statement,
        left=ops.left_to_mark(conv, person) if person else 0,
        mine=ops.own(conv, person) if person else [],
    )
    return page, status


@bp.get("/rounds/<slug>/conversation")
@bp.get("/conversations/<name>")
def talk(slug: str | None = None, name: str | None = None):
    rnd, conv = _conversation(slug, name)
    return _page(rnd, conv, _person(rnd, conv))


@bp.post("/rounds/<slug>/conversation/code")
def code(slug: str):
    rnd, conv = _conversation(slug)
    assert rnd is not None  # a round's conversation: only rounds have codes
    form = CodeForm()
    if form.validate_on_submit():
        if codes.find(_secret(), rnd, form.code.data) is None:
            # As on the ballot's code page: guessing codes from one address slows down.
            if wait := slowdown.wrong_codes.wrong(slowdown.address()):
                form.code.errors.append(slowdown.too_many_codes(wait))
                page, _status = _page(rnd, conv, None, code_form=form)
                return page, 429, {"Retry-After": str(wait)}
            form.code.errors.append(explain(Problem("code_unknown"), rnd.currency))
        else:
            had_code = f"code:{slug}" in session  # one code is never merged into another
            open_rating = rnd.eligibility == Eligibility.OPEN_RATING
            before = _person(rnd, conv) if open_rating and not had_code else None
            session[f"code:{slug}"] = codes.normalise(form.code.data)
            sessions.renew_id()  # an id planted in this browser earlier carries no code
            after = _person(rnd, conv)
            if before is not None and after is not None:
                # What they did before giving the code is theirs: counted once, not twice.
                ops.merge_person(conv, before.key, after.key)
                db.session.commit()
            return redirect(url_for("conversation.talk", slug=slug))
    return _page(rnd, conv, None, code_form=form, status=400)


@bp.post("/rounds/<slug>/conversation/say")
@bp.post("/conversations/<name>/say")
@limiter.limit("30 per hour")
def say(slug: str | None = None, name: str | None = None):
    rnd, conv = _conversation(slug, name)
    person = _person(rnd, conv)
    if person is None:
        return _back("conversation.talk", conv)
    form = StatementForm()
    if not _is_open(rnd, conv):
        flash(_("This conversation is closed."), "error")
        return _back("conversation.talk", conv)
    if not form.validate_on_submit():
        return _page(rnd, conv, person, form=form, status=400)
    ops.write(conv, person, form.text.data, str(get_locale()))
    db.session.commit()
    flash(_("Thank you. Others will see it once it has been checked."))
    return _back("conversation.talk", conv)


@bp.post("/rounds/<slug>/conversation/mark")
@bp.post("/conversations/<name>/mark")
def mark(slug: str | None = None, name: str | None = None):
    rnd, conv = _conversation(slug, name)
    person = _person(rnd, conv)
    if person is None or not EmptyForm().validate_on_submit():
        return _back("conversation.talk", conv)
    ident = request.form.get("statement", type=int) or 0
    # Only ids a database integer can hold reach the query (a huge one was a 5xx).
    statement = db.session.get(Statement, ident) if 0 < ident < 2**31 else None
    if statement is None or statement.conversation_id != conv.id:
        return _back("conversation.talk", conv)
    try:
        ops.mark(statement, person, request.form.get("value", ""))
        db.session.commit()
    except ops.ConversationError:
        flash(_("That did not work. Please choose one of the three buttons."), "error")
        return _back("conversation.talk", conv)
    except IntegrityError:
        # The same person's other click got there first (two tabs, a double click): its
        # mark stands, one per person per statement.
        db.session.rollback()
    return _back("conversation.talk", conv, _anchor="next")


# --- What it adds up to -------------------------------------------------------------------


def page_summary(conv: Conversation) -> ops.Summary:
    """Grouped now when small; else the last grouping a job kept, a new one queued when
    there is none yet (the tick queues fresh ones as marks come in)."""
    inline_up_to = current_app.config["GROUP_IN_JOB_OVER"]
    summary = ops.summary_for_page(conv, inline_up_to)
    if summary.waiting:
        jobs.group_later(conv)
        summary = ops.summary_for_page(conv, inline_up_to)  # done already when run inline
    return summary


def _results(slug: str | None, name: str | None, template: str):
    rnd, conv = _conversation(slug, name)
    summary = page_summary(conv)
    by_id = {s.id: s for s in conv.statements if s.status == StatementStatus.PUBLISHED}
    areas = dict(db.session.execute(db.select(Area.id, Area.name)).all())
    return render_template(
        template,
        round=rnd,
        conversation=conv,
        summary=summary,
        statements=by_id,
        by_area=[
            (areas.get(a, _("No area given")), n) for a, n in ops.counts_by(conv, Mark.area_id)
        ],
        by_lang=[(i18n.native_name(code), n) for code, n in ops.counts_by(conv, Mark.lang)],
        themes=ops.theme_rows(conv, str(get_locale())),
        hide_below=ops.HIDE_BELOW,
    )


@bp.get("/rounds/<slug>/conversation/results")
@bp.get("/conversations/<name>/results")
def results(slug: str | None = None, name: str | None = None):
    return _results(slug, name, "conversation/results.html")


@bp.get("/rounds/<slug>/conversation/marks.csv")
@bp.get("/conversations/<name>/marks.csv")
def marks_csv(slug: str | None = None, name: str | None = None):
    """The marks matrix, as Pol.is exports it: one row a person (numbered, no pseudonym),
    one column a published statement; 1 agree, -1 disagree, 0 pass, empty not seen."""
    _rnd, conv = _conversation(slug, name)
    marks = ops.marks_of(conv)
    statements = sorted({s for _p, s, _v in marks})
    people: dict[str, dict[int, int]] = {}
    for person, statement, value in marks:
        people.setdefault(person, {})[statement] = value
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["participant", *statements])
    for n, person in enumerate(sorted(people)):  # keyed hashes: their order tells nothing
        row = people[person]
        writer.writerow([n, *(row.get(s, "") for s in statements)])
    headers = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{slug or conv.slug}-marks.csv"',
    }
    return out.getvalue(), 200, headers


# --- Moderators -----------------------------------------------------------------------------


@bp.post("/staff/moderate/statements/<int:statement_id>/<any(publish, reject):decision>")
@role_required(*MODERATORS)
def decide(statement_id: int, decision: str):
    statement = db.session.get(Statement, statement_id)
    if statement is None:
        abort(404)
    if EmptyForm().validate_on_submit() and statement.status == StatementStatus.WAITING:
        ops.decide(statement, current_user, decision == "publish")
        db.session.commit()
        if decision == "publish":
            flash(_("The statement is published. Everyone can see it now."))
        else:
            flash(_("The statement will not be shown."))
    return redirect(url_for("moderate.queue", _anchor="statements"))


@bp.route("/staff/moderate/rounds/<slug>/themes", methods=["GET", "POST"])
@bp.route("/staff/moderate/conversations/<name>/themes", methods=["GET", "POST"])
@role_required(*MODERATORS)
def themes(slug: str | None = None, name: str | None = None):
    rnd, conv = _conversation(slug, name, drafts=True)
    form = ThemeForm()
    # Only ids a database integer can hold ("²" is a digit to Python, and no whole number).
    ticked = request.form.getlist("statement")
    chosen = {int(i) for i in ticked if i.isascii() and i.isdigit() and len(i) < 10}
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and chosen:
            name = form.name.data.strip()
            ops.make_theme(conv, {str(get_locale()): name}, sorted(chosen), current_user)
            db.session.commit()
            flash(_("The theme is made."))
            return _back("conversation.themes", conv)
        if not chosen:
            form.form_errors.append(_("Please tick at least one statement."))
        status = 400
    return _themes_page(rnd, conv, form=form, chosen=chosen, status=status)


def _round_choices(kind: str) -> list[SelectChoice]:
    lang = str(get_locale())
    rounds = ops.rounds_to_take(kind)
    return [SelectChoice(r.slug, str(r.t("title", lang) or r.slug)) for r in rounds]


def _themes_page(rnd, conv, *, form=None, counts=None, problems=(), chosen=(), status=200):
    page = render_template(
        "conversation/themes.html",
        round=rnd,
        conversation=conv,
        problem_rounds=_round_choices("problem"),
        idea_rounds=_round_choices("idea"),
        form=form or ThemeForm(formdata=None),
        counts=counts or ThemeCountsForm(formdata=None),
        problems=problems,
        statements=[s for s in conv.statements if s.status == StatementStatus.PUBLISHED],
        chosen=set(chosen),
        themes=ops.theme_rows(conv, str(get_locale())),
        button=EmptyForm(formdata=None),
    )
    return page, status


@bp.post("/staff/moderate/rounds/<slug>/theme-counts")
@bp.post("/staff/moderate/conversations/<name>/theme-counts")
@role_required(*MODERATORS)
def import_counts(slug: str | None = None, name: str | None = None):
    rnd, conv = _conversation(slug, name, drafts=True)
    form = ThemeCountsForm()
    if not form.validate_on_submit():
        return _themes_page(rnd, conv, counts=form, status=400)
    try:
        added = ops.import_counts(conv, form.file.data.read(), form.source.data, current_user)
    except theme_counts.Refused as refused:
        problems = [
            _(
                "Line %(line)d: %(reason)s",
                line=p.line,
                reason=REFUSED[p.reason] % {"detail": p.detail},
            )
            for p in refused.problems[:20]
        ]
        return _themes_page(rnd, conv, counts=form, problems=problems, status=400)
    db.session.commit()
    flash(ngettext("%(num)d count is added.", "%(num)d counts are added.", added))
    return _back("conversation.themes", conv)


@bp.post("/staff/moderate/themes/<int:theme_id>/<any(problem, idea):kind>")
@role_required(*MODERATORS)
def to_problem(theme_id: int, kind: str = "problem"):
    """Turn a theme into a problem to rate, or an idea, in its round or the round chosen."""
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    conv = theme.conversation
    form = ThemeTargetForm()
    if form.validate_on_submit():
        chosen = (form.round.data or "").strip()
        target = None
        if chosen:
            target = db.session.scalar(db.select(Round).where(Round.slug == chosen[:80]))
        turn = ops.turn_into_problem if kind == "problem" else ops.turn_into_idea
        try:
            turn(theme, current_user, target)
            db.session.commit()
        except IntegrityError:  # pressed twice at once: the other press made it
            db.session.rollback()
        except ops.ConversationError:
            db.session.rollback()
            flash(_("Please choose a round that is still open for this."), "error")
            return _back("conversation.themes", conv)
        if kind == "problem":
            flash(_("The theme is now a problem in this round. People can rate it."))
        else:
            flash(_("The theme is now an idea in this round. A moderator checks it first."))
    return _back("conversation.themes", conv)


# --- Organisers: starting a conversation, paper statements, translations ---------------------


def _languages(rnd: Round | None) -> list[str]:
    return list((rnd.languages if rnd else None) or i18n.languages())


def _paper_form(rnd: Round | None, *, blank: bool = False) -> PaperForm:
    form = PaperForm(formdata=None) if blank else PaperForm()
    form.lang.choices = [SelectChoice(code, i18n.native_name(code)) for code in _languages(rnd)]
    return form


def _setup_page(rnd, conv, *, start=None, paper=None, status=200):
    page = render_template(
        "conversation/setup.html",
        round=rnd,
        conversation=conv,
        start=start or StartForm(formdata=None),
        paper=paper or _paper_form(rnd, blank=True),
        button=EmptyForm(formdata=None),
    )
    return page, status


@bp.route("/staff/rounds/<slug>/conversation", methods=["GET", "POST"])
@role_required(*ORGANISERS)
def setup(slug: str):
    rnd = round_or_404(slug, drafts=True)
    conv = ops.of_round(rnd)
    if request.method == "GET":
        return _setup_page(rnd, conv)
    if conv is not None:
        abort(404)
    form = StartForm()
    if not form.validate_on_submit():
        return _setup_page(rnd, conv, start=form, status=400)
    ops.start(rnd, form.question.data.strip(), str(get_locale()))
    db.session.commit()
    flash(_("The conversation is open. People can have their say."))
    return redirect(url_for("conversation.setup", slug=slug))


@bp.get("/staff/conversations/<name>")
@role_required(*ORGANISERS)
def setup_alone(name: str):
    rnd, conv = _conversation(name=name)
    return _setup_page(rnd, conv)


def _setup(conv: Conversation):
    if conv.round is not None:
        return redirect(url_for("conversation.setup", slug=conv.round.slug))
    return redirect(url_for("conversation.setup_alone", name=conv.slug))


@bp.post("/staff/rounds/<slug>/conversation/paper")
@bp.post("/staff/conversations/<name>/paper")
@role_required(*ORGANISERS)
def paper(slug: str | None = None, name: str | None = None):
    rnd, conv = _conversation(slug, name, drafts=True)
    form = _paper_form(rnd)
    if not form.validate_on_submit() or form.lang.data not in _languages(rnd):
        return _setup_page(rnd, conv, paper=form, status=400)
    ops.write(conv, None, form.text.data, form.lang.data)
    db.session.commit()
    flash(_("Thank you. Others will see it once it has been checked."))
    return _setup(conv)


@bp.post("/staff/rounds/<slug>/conversation/<any(open, close):action>")
@bp.post("/staff/conversations/<name>/<any(open, close):action>")
@role_required(*ORGANISERS)
def open_or_close(action: str, slug: str | None = None, name: str | None = None):
    _rnd, conv = _conversation(slug, name, drafts=True)
    if EmptyForm().validate_on_submit():
        ops.set_open(conv, action == "open", current_user)
        db.session.commit()
    return _setup(conv)


START_REFUSED = {
    "bad_slug": _l("Please use only small letters a to z, numbers and dashes, like: "
                   "family-support-2026"),
    "slug_taken": _l("Another conversation has this web address. Please choose another."),
}  # fmt: skip


def _alone_choices(form: StartAloneForm) -> StartAloneForm:
    areas = db.session.scalars(db.select(Area).order_by(Area.name))
    form.area.choices = [SelectChoice("", _("The whole place"))] + [
        SelectChoice(str(a.id), a.name) for a in areas
    ]
    return form


@bp.route("/staff/conversations", methods=["GET", "POST"])
@role_required(*ORGANISERS)
def alone():
    """Conversations without a round, for an area or a service: the list and a new one."""
    form = _alone_choices(StartAloneForm() if request.method == "POST" else
                          StartAloneForm(formdata=None))  # fmt: skip
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            area = db.session.get(Area, int(form.area.data)) if form.area.data else None
            try:
                conv = ops.start_alone(
                    form.slug.data.strip(),
                    form.title.data.strip(),
                    form.question.data.strip(),
                    area,
                    str(get_locale()),
                    current_user,
                )
            except ops.ConversationError as error:
                form.slug.errors = [*form.slug.errors, START_REFUSED[error.code]]
            else:
                db.session.commit()
                flash(_("The conversation is open. People can have their say."))
                return _setup(conv)
        status = 400
    page = render_template(
        "conversation/alone.html", form=form, conversations=ops.standing_alone(only_open=False)
    )
    return page, status


@bp.route(
    "/staff/moderate/translate/<any(statement, theme):kind>/<int:item_id>",
    methods=["GET", "POST"],
)
@role_required(*MODERATORS)
def translate(kind: str, item_id: int):
    """A moderator writes (or corrects, or checks) a statement's or a theme's words."""
    return _translate(kind, item_id)


@bp.route("/statements/<int:item_id>/translate", methods=["GET", "POST"])
@login_required
def volunteer_translate(item_id: int):
    """A signed-in volunteer translates a published statement (checked later)."""
    return _translate("statement", item_id)


def _translate(kind: str, item_id: int):
    """Someone writes (or corrects) a statement's or a theme's words in other languages.

    As with ideas, a volunteer (any signed-in member) translates published statements and
    what they write is shown marked "not checked yet"; what a moderator writes or saves
    again here counts as checked."""
    checked = current_user.role in MODERATORS
    field = "text" if kind == "statement" else "name"
    item: Statement | Theme | None
    if kind == "statement":
        item = db.session.get(Statement, item_id)
    else:
        item = db.session.get(Theme, item_id)
    if item is None:
        abort(404)
    if not checked and not (
        isinstance(item, Statement) and item.status == StatementStatus.PUBLISHED
    ):
        abort(403)  # volunteers translate what everyone can see already
    rnd = item.conversation.round
    conv = item.conversation
    langs = [c for c in _languages(rnd) if c != item.content.original_lang]
    most = STATEMENT_MAX if kind == "statement" else 120
    errors: dict[str, str] = {}
    if request.method == "POST" and EmptyForm().validate_on_submit():
        typed = {c: cleaned(request.form.get(f"text-{c}", "")).strip() for c in langs}
        for c, body in typed.items():
            if len(body) > most:
                errors[c] = ngettext(
                    "Please use %(num)d character or fewer. You wrote %(length)d.",
                    "Please use %(num)d characters or fewer. You wrote %(length)d.",
                    most,
                    length=len(body),
                )
            elif _MARKUP.search(body):
                errors[c] = _("Please write plain words without HTML tags, like <b> or <script>.")
        if not errors:
            ops.translate(item, field, typed, current_user, checked=checked)
            db.session.commit()
            if checked:
                flash(_("The translations are saved."))
                return _back("conversation.themes", conv)
            flash(_("Thank you! Your translation is saved. A moderator will check it."))
            return _back("conversation.talk", conv)
    texts = {t.lang: t for t in item.content.texts if t.field == field}
    page = render_template(
        "conversation/translate.html",
        round=rnd,
        conversation=conv,
        item=item,
        field=field,
        most=most,
        langs=langs,
        texts={
            c: request.form.get(f"text-{c}", texts[c].body if c in texts else "") for c in langs
        },
        unchecked={c for c, t in texts.items() if not t.reviewed},
        checked=checked,
        errors=errors,
        button=EmptyForm(formdata=None),
    )
    return page, 400 if errors else 200
