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
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from coprod import i18n, sessions, slowdown
from coprod.accounts import role_required
from coprod.conversation import bp, theme_counts
from coprod.conversation import operations as ops
from coprod.conversation.forms import (
    PaperForm,
    StartForm,
    StatementForm,
    ThemeCountsForm,
    ThemeForm,
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


def _conversation(slug: str) -> tuple[Round, Conversation]:
    rnd = round_or_404(slug)
    conv = ops.of_round(rnd)
    if conv is None:
        abort(404)
    return rnd, conv


def _person(rnd: Round) -> ops.Person | None:
    """The same keyed pseudonym ratings use (never the code itself), or None for no code."""
    lang = str(get_locale())
    if code := session.get(f"code:{rnd.slug}"):
        found = codes.find(_secret(), rnd, code)
        area = found.area_id if found is not None else None
        return ops.Person(codes.keyed_hash(_secret(), f"rater:{rnd.id}", code), False, area, lang)
    if rnd.eligibility == Eligibility.OPEN_RATING:
        browser = session.setdefault("browser", secrets.token_urlsafe(16))
        key = codes.keyed_hash(_secret(), f"open-rater:{rnd.id}", browser)
        return ops.Person(key, True, None, lang)
    return None


@bp.app_template_global()
def conversation_of(rnd: Round) -> Conversation | None:
    """The round's conversation, for its public page."""
    return ops.of_round(rnd)


@bp.app_template_global()
def conversation_themes(conv: Conversation) -> list[dict]:
    """The conversation's themes with their counts, for the council's pages."""
    return ops.theme_rows(conv, str(get_locale()))


def _is_open(rnd: Round, conv: Conversation) -> bool:
    return conv.is_open and rnd.phase.is_open


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
def talk(slug: str):
    rnd, conv = _conversation(slug)
    return _page(rnd, conv, _person(rnd))


@bp.post("/rounds/<slug>/conversation/code")
def code(slug: str):
    rnd, conv = _conversation(slug)
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
            session[f"code:{slug}"] = codes.normalise(form.code.data)
            sessions.renew_id()  # an id planted in this browser earlier carries no code
            return redirect(url_for("conversation.talk", slug=slug))
    return _page(rnd, conv, None, code_form=form, status=400)


@bp.post("/rounds/<slug>/conversation/say")
@limiter.limit("30 per hour")
def say(slug: str):
    rnd, conv = _conversation(slug)
    person = _person(rnd)
    if person is None:
        return redirect(url_for("conversation.talk", slug=slug))
    form = StatementForm()
    if not _is_open(rnd, conv):
        flash(_("This conversation is closed."), "error")
        return redirect(url_for("conversation.talk", slug=slug))
    if not form.validate_on_submit():
        return _page(rnd, conv, person, form=form, status=400)
    ops.write(conv, person, form.text.data, str(get_locale()))
    db.session.commit()
    flash(_("Thank you. Others will see it once it has been checked."))
    return redirect(url_for("conversation.talk", slug=slug))


@bp.post("/rounds/<slug>/conversation/mark")
def mark(slug: str):
    rnd, conv = _conversation(slug)
    person = _person(rnd)
    if person is None or not EmptyForm().validate_on_submit():
        return redirect(url_for("conversation.talk", slug=slug))
    ident = request.form.get("statement", type=int) or 0
    # Only ids a database integer can hold reach the query (a huge one was a 5xx).
    statement = db.session.get(Statement, ident) if 0 < ident < 2**31 else None
    if statement is None or statement.conversation_id != conv.id:
        return redirect(url_for("conversation.talk", slug=slug))
    try:
        ops.mark(statement, person, request.form.get("value", ""))
        db.session.commit()
    except ops.ConversationError:
        flash(_("That did not work. Please choose one of the three buttons."), "error")
        return redirect(url_for("conversation.talk", slug=slug))
    except IntegrityError:
        # The same person's other click got there first (two tabs, a double click): its
        # mark stands, one per person per statement.
        db.session.rollback()
    return redirect(url_for("conversation.talk", slug=slug, _anchor="next"))


# --- What it adds up to -------------------------------------------------------------------


def _results(slug: str, template: str):
    rnd, conv = _conversation(slug)
    summary = ops.summarise(conv)
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
def results(slug: str):
    return _results(slug, "conversation/results.html")


@bp.get("/rounds/<slug>/conversation/marks.csv")
def marks_csv(slug: str):
    """The marks matrix, as Pol.is exports it: one row a person (numbered, no pseudonym),
    one column a published statement; 1 agree, -1 disagree, 0 pass, empty not seen."""
    _rnd, conv = _conversation(slug)
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
        "Content-Disposition": f'attachment; filename="{slug}-marks.csv"',
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
@role_required(*MODERATORS)
def themes(slug: str):
    rnd = round_or_404(slug, drafts=True)
    conv = ops.of_round(rnd)
    if conv is None:
        abort(404)
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
            return redirect(url_for("conversation.themes", slug=slug))
        if not chosen:
            form.form_errors.append(_("Please tick at least one statement."))
        status = 400
    return _themes_page(rnd, conv, form=form, chosen=chosen, status=status)


def _themes_page(rnd, conv, *, form=None, counts=None, problems=(), chosen=(), status=200):
    page = render_template(
        "conversation/themes.html",
        round=rnd,
        conversation=conv,
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
@role_required(*MODERATORS)
def import_counts(slug: str):
    rnd = round_or_404(slug, drafts=True)
    conv = ops.of_round(rnd)
    if conv is None:
        abort(404)
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
    return redirect(url_for("conversation.themes", slug=slug))


@bp.post("/staff/moderate/themes/<int:theme_id>/problem")
@role_required(*MODERATORS)
def to_problem(theme_id: int):
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            ops.turn_into_problem(theme, current_user)
            db.session.commit()
        except IntegrityError:  # pressed twice at once: the other press made it
            db.session.rollback()
        flash(_("The theme is now a problem in this round. People can rate it."))
    return redirect(url_for("conversation.themes", slug=theme.conversation.round.slug))


# --- Organisers: starting a conversation, paper statements, translations ---------------------


def _languages(rnd: Round) -> list[str]:
    return list(rnd.languages or i18n.languages())


def _paper_form(rnd: Round, *, blank: bool = False) -> PaperForm:
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


@bp.post("/staff/rounds/<slug>/conversation/paper")
@role_required(*ORGANISERS)
def paper(slug: str):
    rnd, conv = _conversation(slug)
    form = _paper_form(rnd)
    if not form.validate_on_submit() or form.lang.data not in _languages(rnd):
        return _setup_page(rnd, conv, paper=form, status=400)
    ops.write(conv, None, form.text.data, form.lang.data)
    db.session.commit()
    flash(_("Thank you. Others will see it once it has been checked."))
    return redirect(url_for("conversation.setup", slug=slug))


@bp.post("/staff/rounds/<slug>/conversation/<any(open, close):action>")
@role_required(*ORGANISERS)
def open_or_close(slug: str, action: str):
    _rnd, conv = _conversation(slug)
    if EmptyForm().validate_on_submit():
        ops.set_open(conv, action == "open", current_user)
        db.session.commit()
    return redirect(url_for("conversation.setup", slug=slug))


@bp.route(
    "/staff/moderate/translate/<any(statement, theme):kind>/<int:item_id>",
    methods=["GET", "POST"],
)
@role_required(*MODERATORS)
def translate(kind: str, item_id: int):
    """A moderator writes (or corrects) a statement's or a theme's words in other languages;
    what a moderator writes here counts as checked."""
    field = "text" if kind == "statement" else "name"
    item: Statement | Theme | None
    if kind == "statement":
        item = db.session.get(Statement, item_id)
    else:
        item = db.session.get(Theme, item_id)
    if item is None:
        abort(404)
    rnd = item.conversation.round
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
            for c, body in typed.items():
                current = item.content.text(field, c)
                if body and (current is None or current.lang != c or current.text != body
                             or not current.reviewed):  # fmt: skip
                    item.content.set(field, c, body, reviewed=True)
            db.session.commit()
            flash(_("The translations are saved."))
            return redirect(url_for("conversation.themes", slug=rnd.slug))
    texts = {t.lang: t for t in item.content.texts if t.field == field}
    page = render_template(
        "conversation/translate.html",
        round=rnd,
        item=item,
        field=field,
        most=most,
        langs=langs,
        texts={
            c: request.form.get(f"text-{c}", texts[c].body if c in texts else "") for c in langs
        },
        unchecked={c for c, t in texts.items() if not t.reviewed},
        errors=errors,
        button=EmptyForm(formdata=None),
    )
    return page, 400 if errors else 200
