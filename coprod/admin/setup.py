"""Setting a round up in the browser (organisers): one question per screen, answers kept in
the server-side session between screens, a check-your-answers page, then one operation.

The same screens make a new round (`/staff/rounds/new/...`, also when copying one) and
change a round until voting opens (`/staff/rounds/<slug>/setup/...`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coprod import i18n, words
from coprod.accounts import role_required
from coprod.admin import bp
from coprod.admin import setup_forms as forms
from coprod.extensions import db
from coprod.forms import cleaned
from coprod.lookups import round_or_404
from coprod.models import BallotType, Eligibility, Phase, Role, Round
from coprod.operations import rounds, setup
from coprod.operations.setup import AreaPot, Setup, SetupError

STEPS = ("name", "languages", "areas", "money", "ballot", "rule", "who", "dates")
STEP_WORDS = "name,languages,areas,money,ballot,rule,who,dates"  # for the URL rule
MAX_AREAS = 50


def main_language() -> str:
    """The council's main language: the one a round's name and introduction are written in."""
    return current_app.config.get("BABEL_DEFAULT_LOCALE") or i18n.DEFAULT


def round_languages(rnd: Round) -> list[str]:
    """The languages a round is offered in (every one the site serves, if it chose none)."""
    served = i18n.languages()
    chosen = [code for code in (rnd.languages or []) if code in served]
    return chosen or list(served)


# --- Answers kept between screens ----------------------------------------------------------


@dataclass
class Flow:
    """Making a new round, or changing the round `slug`: where its screens and answers are."""

    slug: str | None = None

    @property
    def key(self) -> str:
        return f"round-setup:{self.slug}" if self.slug else "round-setup:new"

    def step_url(self, step: str, **args) -> str:
        if self.slug:
            return url_for("admin.setup_edit_step", slug=self.slug, step=step, **args)
        return url_for("admin.setup_new_step", step=step, **args)

    def check_url(self) -> str:
        if self.slug:
            return url_for("admin.setup_edit_check", slug=self.slug)
        return url_for("admin.setup_new_check")

    def answers(self) -> dict:
        return dict(session.get(self.key) or {"done": []})

    def keep(self, answers: dict) -> None:
        session[self.key] = answers  # a new dict each time, so the session sees the change

    def forget(self) -> None:
        session.pop(self.key, None)

    def after(self, step: str, answers: dict) -> str:
        """Where a screen leads once answered: back to the check page when it came from
        there (or when changing a round), else the next screen not yet answered."""
        if self.slug or request.args.get("check"):
            return self.check_url()
        for later in STEPS[STEPS.index(step) + 1 :]:
            if later not in answers["done"]:
                return self.step_url(later)
        return self.check_url()

    def back(self, step: str) -> str:
        """The back link: to the check page when it came from there, else the screen before."""
        if self.slug or request.args.get("check"):
            return self.check_url()
        if step == STEPS[0]:
            return url_for("admin.home")
        return self.step_url(STEPS[STEPS.index(step) - 1])


def to_answers(s: Setup) -> dict:
    """A set-up as plain data, to keep in the session."""
    return {
        "title": s.title,
        "summary": s.summary,
        "languages": list(s.languages),
        "areas": [
            {
                "name": a.name,
                "budget": a.budget,
                "population": a.population,
                "by_lang": dict(a.population_by_language),
            }
            for a in s.areas
        ],
        "whole_place_budget": s.whole_place_budget,
        "currency": s.currency,
        "budget": s.budget,
        "min_spend_percent": s.min_spend_percent,
        "ballot_type": s.ballot_type.value,
        "max_choices": s.max_choices,
        "tally_rule": s.tally_rule,
        "eligibility": s.eligibility.value,
        "paper_double_entry": s.paper_double_entry,
        "dates": {name: value.isoformat() for name, value in s.dates.items()},
    }


def to_setup(a: dict) -> Setup:
    """The answers kept in the session, as the operation takes them."""
    offered = a.get("languages") or [main_language()]
    areas = [
        AreaPot(
            name=row["name"],
            budget=row["budget"],
            population=row.get("population"),
            population_by_language={
                code: n for code, n in (row.get("by_lang") or {}).items() if code in offered
            },
        )
        for row in a.get("areas") or []
    ]
    return Setup(
        title=a["title"],
        summary=a["summary"],
        languages=list(offered),
        currency=a["currency"],
        budget=a.get("budget") or 0,
        ballot_type=BallotType(a["ballot_type"]),
        max_choices=a.get("max_choices"),
        min_spend_percent=a.get("min_spend_percent") or 0,
        tally_rule=a["tally_rule"],
        eligibility=Eligibility(a["eligibility"]),
        paper_double_entry=bool(a.get("paper_double_entry")),
        dates={name: date.fromisoformat(v) for name, v in a["dates"].items()},
        areas=areas,
        whole_place_budget=a.get("whole_place_budget") if areas else None,
    )


def _missing(answers: dict) -> str | None:
    return next((step for step in STEPS if step not in answers.get("done", ())), None)


def _done(answers: dict, step: str) -> dict:
    answers["done"] = [s for s in STEPS if s in answers.get("done", ()) or s == step]
    return answers


# --- One screen -----------------------------------------------------------------------------


def _language_choices(answers: dict) -> list[tuple[str, str]]:
    main = main_language()
    return [(c, i18n.native_name(c)) for c in i18n.languages() if c != main]


def _offered(answers: dict) -> list[str]:
    served = i18n.languages()
    chosen = [c for c in answers.get("languages") or [] if c in served]
    return chosen or [main_language()]


def _screen(flow: Flow, step: str):
    """Show one question, or take its answer and go on; bad input keeps what was typed."""
    answers = flow.answers()
    if step == "areas":
        return _areas_screen(flow, answers)
    form = _form(step, answers)
    if form.validate_on_submit():
        _take(step, form, answers)
        flow.keep(_done(answers, step))
        return redirect(flow.after(step, answers))
    return _render(flow, step, form, answers)


def _form(step: str, answers: dict):
    """The screen's form: what was typed when posted, else the answer kept."""
    if step == "name":
        return forms.NameForm(data={k: answers.get(k, "") for k in ("title", "summary")})
    if step == "languages":
        form = forms.LanguagesForm(data={"languages": (answers.get("languages") or [])[1:]})
        form.languages.choices = _language_choices(answers)
        return form
    if step == "money":
        data = {
            "currency": answers.get("currency", "GBP"),
            "budget": _shown(answers.get("budget")),
            "min_spend_percent": str(answers.get("min_spend_percent", 0)),
        }
        form = forms.MoneyForm(data=data)
        form.has_areas = bool(answers.get("areas"))
        return form
    if step == "ballot":
        return forms.BallotForm(
            data={
                "ballot_type": answers.get("ballot_type", BallotType.KNAPSACK.value),
                "max_choices": _shown(answers.get("max_choices")),
            }
        )
    if step == "rule":
        return forms.RuleForm(data={"tally_rule": answers.get("tally_rule", "equalshares/add1u")})
    if step == "who":
        return forms.WhoForm(
            data={
                "eligibility": answers.get("eligibility", Eligibility.CODE.value),
                "paper": "twice" if answers.get("paper_double_entry") else "once",
            }
        )
    return forms.DatesForm(data=dict(answers.get("dates") or {}))


def _shown(number) -> str:
    return "" if number is None else str(number)


def _take(step: str, form, answers: dict) -> None:
    """Keep a screen's checked answer."""
    if step == "name":
        answers["title"] = form.title.data.strip()
        answers["summary"] = form.summary.data.strip()
    elif step == "languages":
        chosen = set(form.languages.data or ())
        answers["languages"] = [main_language()] + [
            c for c in i18n.languages() if c in chosen and c != main_language()
        ]
    elif step == "money":
        answers["currency"] = form.currency.data
        answers["budget"] = form.budget.number or 0
        answers["min_spend_percent"] = form.min_spend_percent.number or 0
    elif step == "ballot":
        answers["ballot_type"] = form.ballot_type.data
        answers["max_choices"] = form.max_choices.number
    elif step == "rule":
        answers["tally_rule"] = form.tally_rule.data
    elif step == "who":
        answers["eligibility"] = form.eligibility.data
        answers["paper_double_entry"] = form.paper.data == "twice"
    elif step == "dates":
        answers["dates"] = {name: value.isoformat() for name, value in form.days.items()}


def _errors(form) -> list[tuple[str, str]]:
    """(the id to jump to, the message) for the error summary at the top of the page."""
    found = []
    for name, messages in form.errors.items():
        if name == "csrf_token":
            found += [("", m) for m in messages]
            continue
        field = form[name]
        several = field.type in ("RadioField", "SelectMultipleField")
        target = f"{field.id}-0" if several else field.id
        found += [(target, m) for m in messages]
    return found


def _render(flow: Flow, step: str, form, answers: dict, **extra):
    errors = extra.pop("errors", None)
    return render_template(
        f"admin/setup/{step}.html",
        flow=flow,
        step=step,
        form=form,
        answers=answers,
        errors=_errors(form) if errors is None else errors,
        back=flow.back(step),
        action=flow.step_url(step, check=1) if request.args.get("check") else flow.step_url(step),
        main=main_language(),
        rule_hints={rule: sentence for rule, (_label, sentence) in forms.RULES.items()},
        date_labels=forms.DATE_LABELS,
        offered=_offered(answers),
        editing=flow.slug,
        **extra,
    )


# --- The areas screen: rows added with a button, no JavaScript -------------------------------


@dataclass
class AreaRow:
    """One area as typed on the areas screen, with its problems."""

    n: int
    name: str = ""
    budget: str = ""
    population: str = ""
    by_lang: dict | None = None
    errors: dict | None = None

    @property
    def empty(self) -> bool:
        typed = [self.name, self.budget, self.population, *(self.by_lang or {}).values()]
        return not any(t.strip() for t in typed)


def _rows_from(answers: dict) -> list[AreaRow]:
    rows = []
    for n, a in enumerate(answers.get("areas") or [], 1):
        rows.append(
            AreaRow(
                n,
                a["name"],
                str(a["budget"]),
                _shown(a.get("population")),
                {code: str(v) for code, v in (a.get("by_lang") or {}).items()},
            )
        )
    return rows


def _typed(name: str, most: int = 40) -> str:
    """A box of an area row as typed (cleaned as forms clean), cut to a sane length."""
    return cleaned(request.form.get(name, ""))[:most]


def _rows_typed(offered: list[str]) -> list[AreaRow]:
    try:
        count = min(int(request.form.get("rows", "1")), MAX_AREAS)
    except ValueError:
        count = 1
    rows = []
    for n in range(1, max(count, 0) + 1):
        if request.form.get(f"area-{n}-remove"):
            continue
        rows.append(
            AreaRow(
                n,
                _typed(f"area-{n}-name", 300),
                _typed(f"area-{n}-budget"),
                _typed(f"area-{n}-population"),
                {code: _typed(f"area-{n}-lang-{code}") for code in offered},
            )
        )
    for new_n, row in enumerate(rows, 1):
        row.n = new_n
    return rows


def _check_rows(rows: list[AreaRow], offered: list[str]) -> list[dict] | None:
    """The areas as answers, or None when a row has a problem (marked on the row)."""
    areas, fine, seen = [], True, set()
    for row in rows:
        row.errors = {}
        name = " ".join(row.name.split())
        if not name:
            row.errors["name"] = _("Give the area a name.")
        elif len(name) > 200:
            row.errors["name"] = _("Keep the name under 200 letters.")
        elif name.casefold() in seen:
            row.errors["name"] = _("Two areas have this name. Give each area its own name.")
        seen.add(name.casefold())
        budget, problem = forms.read_whole(row.budget, forms.MAX_MONEY)
        if problem or budget is None:
            row.errors["budget"] = problem or _("Give the money for this area.")
        population, problem = forms.read_whole(row.population, forms.MAX_PEOPLE)
        if problem:
            row.errors["population"] = problem
        by_lang = {}
        for code in offered:
            number, problem = forms.read_whole((row.by_lang or {}).get(code), forms.MAX_PEOPLE)
            if problem:
                row.errors[f"lang-{code}"] = problem
            elif number is not None:
                by_lang[code] = number
        if population is not None and sum(by_lang.values()) > population:
            row.errors["population"] = _(
                "The people by language add up to more than the people who live there."
            )
        fine = fine and not row.errors
        areas.append({"name": name, "budget": budget, "population": population, "by_lang": by_lang})
    return areas if fine else None


def _areas_screen(flow: Flow, answers: dict):
    offered = _offered(answers)
    form = forms.AreasForm(
        data={
            "whole_place": answers.get("whole_place_budget") is not None,
            "whole_place_budget": _shown(answers.get("whole_place_budget")),
        }
    )
    rows = _rows_from(answers)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        rows = _rows_typed(offered)
        if not form.validate_on_submit():
            errors = _errors(form)
        elif request.form.get("add") is not None:
            rows.append(AreaRow(len(rows) + 1))
            return _render(flow, "areas", form, answers, rows=rows, errors=[])
        else:
            typed = [row for row in rows if not row.empty]
            areas = _check_rows(typed, offered)
            whole, problem = None, None
            if form.whole_place.data:
                whole, problem = forms.read_whole(form.whole_place_budget.data, forms.MAX_MONEY)
                if whole is None and problem is None:
                    problem = _("Give the money for the whole place.")
                if problem is None and not typed:
                    problem = _(
                        "A pot for the whole place goes beside the areas' pots. "
                        "Add an area, or leave this unticked."
                    )
                if problem:
                    form.whole_place_budget.errors = [problem]
            total = sum(a["budget"] for a in areas or []) + (whole or 0)
            if areas is not None and problem is None and total > forms.MAX_TOTAL:
                problem = _(
                    "The pots add up to too much. The most is %(most)s.",
                    most=f"{forms.MAX_TOTAL:,}",
                )
                form.whole_place_budget.errors = [problem]
            if areas is not None and problem is None:
                answers["areas"] = areas
                answers["whole_place_budget"] = whole if areas else None
                flow.keep(_done(answers, "areas"))
                return redirect(flow.after("areas", answers))
            rows = typed or [AreaRow(1)]
            errors = [
                (f"area-{row.n}-{what}", message)
                for row in rows
                for what, message in (row.errors or {}).items()
            ]
            if problem:
                errors.append((form.whole_place_budget.id, problem))
    if not rows:
        rows = [AreaRow(1)]
    return _render(flow, "areas", form, answers, rows=rows, errors=errors)


# --- Check your answers, and making the round -------------------------------------------------


def _check_page(flow: Flow, rnd: Round | None = None):
    answers = flow.answers()
    if (missing := _missing(answers)) is not None:
        return redirect(flow.step_url(missing))
    form = forms.ConfirmForm()
    problem = None
    if form.validate_on_submit():
        plan = to_setup(answers)
        try:
            if rnd is None:
                copied = db.session.get(Round, answers.get("copied_from") or 0)
                made = setup.make_round(
                    plan, lang=main_language(), actor=current_user, copied_from=copied
                )
            else:
                setup.change_round(rnd, plan, lang=main_language(), actor=current_user)
                made = rnd
        except rounds.RulesFrozen:
            db.session.commit()  # keep the refusal in the audit log
            flow.forget()
            flash(_frozen_message(), "error")
            return redirect(url_for("admin.round_admin", slug=rnd.slug if rnd else ""))
        except SetupError as error:
            db.session.rollback()
            problem = _(
                "Ideas have already been sent for the area “%(name)s”, so it cannot be taken "
                "out of this round.",
                name=error.name,
            )
        else:
            db.session.commit()
            flow.forget()
            flash(
                _("The round is made. It is a draft: only staff can see it.")
                if rnd is None
                else _("The changes are saved.")
            )
            return redirect(url_for("admin.round_admin", slug=made.slug))
    plan = to_setup(answers)
    return render_template(
        "admin/setup/check.html",
        flow=flow,
        plan=plan,
        form=form,
        problem=problem,
        rules=forms.RULES,
        date_labels=forms.DATE_LABELS,
        eligibility=dict(forms.WhoForm.eligibility.kwargs["choices"]),
        paper={
            False: forms.WhoForm.paper.kwargs["choices"][0][1],
            True: forms.WhoForm.paper.kwargs["choices"][1][1],
        },
        editing=flow.slug,
    )


def _frozen_message() -> str:
    return _(
        "Voting has opened, so the money, the pots, the ballot and the rules are fixed "
        "and cannot change."
    )


@bp.get("/rounds/new")
@role_required(Role.ORGANISER)
def setup_new():
    """Start setting up a new round (afresh when the staff home page's button says so)."""
    flow = Flow()
    if request.args.get("start"):
        flow.forget()
    return redirect(flow.step_url(_missing(flow.answers()) or STEPS[0]))


@bp.route(f"/rounds/new/<any({STEP_WORDS}):step>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def setup_new_step(step: str):
    return _screen(Flow(), step)


@bp.route("/rounds/new/check", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def setup_new_check():
    return _check_page(Flow())


@bp.get("/rounds/<slug>/copy")
@role_required(Role.ORGANISER)
def setup_copy(slug: str):
    """A new round with an earlier one's areas, pots, languages and rules: new name, dates."""
    source = round_or_404(slug, drafts=True)
    answers = _answers_of(source) | {"title": "", "dates": {}, "copied_from": source.id}
    answers["done"] = [s for s in STEPS if s not in ("name", "dates")]
    flow = Flow()
    flow.keep(answers)
    flash(
        _(
            "This copies the round's areas, money, languages and rules. "
            "Give it a new name and new dates."
        )
    )
    return redirect(flow.step_url("name"))


def _editable(slug: str) -> Round:
    rnd = round_or_404(slug, drafts=True)
    if rnd.phase.rules_frozen:
        flash(_frozen_message(), "error")
        abort(redirect(url_for("admin.round_admin", slug=slug)))
    return rnd


@bp.get("/rounds/<slug>/setup")
@role_required(Role.ORGANISER)
def setup_edit(slug: str):
    """Change a round's set-up: its answers, each with a link to change it."""
    rnd = _editable(slug)
    flow = Flow(rnd.slug)
    flow.keep(_answers_of(rnd) | {"done": list(STEPS)})
    return redirect(flow.check_url())


def _answers_of(rnd: Round) -> dict:
    """A round's set-up as answers; a round that chose no languages offers them all."""
    answers = to_answers(setup.answers_of(rnd, main_language()))
    main = main_language()
    answers["languages"] = [main] + [c for c in round_languages(rnd) if c != main]
    return answers


def _edit_flow(rnd: Round) -> Flow:
    flow = Flow(rnd.slug)
    if flow.key not in session:  # the session ran out, or a link was followed: start afresh
        flow.keep(_answers_of(rnd) | {"done": list(STEPS)})
    return flow


@bp.route(f"/rounds/<slug>/setup/<any({STEP_WORDS}):step>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def setup_edit_step(slug: str, step: str):
    rnd = _editable(slug)
    return _screen(_edit_flow(rnd), step)


@bp.route("/rounds/<slug>/setup/check", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def setup_edit_check(slug: str):
    rnd = _editable(slug)
    return _check_page(_edit_flow(rnd), rnd)


# --- Deleting a draft -----------------------------------------------------------------------


@bp.route("/rounds/<slug>/delete", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def delete_round(slug: str):
    """Are you sure? Only a draft can be deleted; a round that has begun is kept."""
    rnd = round_or_404(slug, drafts=True)
    form = forms.ConfirmForm()
    if rnd.phase == Phase.DRAFT and form.validate_on_submit():
        setup.delete_draft(rnd, actor=current_user)
        db.session.commit()
        Flow(slug).forget()
        flash(_("The round is deleted."))
        return redirect(url_for("admin.home"))
    return render_template(
        "admin/setup/delete.html", round=rnd, form=form, phase=words.PHASE[rnd.phase]
    )
