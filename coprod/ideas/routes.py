"""Routes for ideas outside rounds: the public list and page, support, moderation,
thresholds, paper forms and the council's answer. Views validate, call an operation,
flash and redirect."""

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from coprod import i18n
from coprod.accounts import role_required
from coprod.extensions import db, limiter
from coprod.following import sending
from coprod.ideas import bp
from coprod.ideas import operations as ideas
from coprod.ideas.forms import (
    ANSWER_WORDS,
    CodeSupportForm,
    EmailSupportForm,
    IdeaAnswerForm,
    IdeaChangeForm,
    IdeaForm,
    PaperSupportForm,
    RuleForm,
    TranslateAnswerForm,
)
from coprod.ideas.models import Idea, IdeaRule, SupportWay
from coprod.models import Area, RemedyStatus, Role, User
from coprod.moderate.forms import ChangesForm, RejectForm, ReviewForm
from coprod.operations.responses import DECISION_MAKERS, Refused, can_answer
from coprod.propose.forms import EmptyForm

MODERATORS = (Role.MODERATOR, Role.ORGANISER)
READERS = (Role.ORGANISER, Role.COUNCILLOR, Role.COMMISSIONER)
CONFIRM_DAYS = 14

REFUSED = {
    "not_waiting": _l("This idea was checked already."),
    "not_editable": _l("This idea cannot be changed now."),
    "not_published": _l("This idea cannot be supported now."),
    "not_in_queue": _l("This idea has not reached its number of supporters yet."),
    "not_allowed": _l("Only the person named to answer, or an organiser, can answer this."),
    "no_answer_yet": _l("There is no answer to translate yet."),
    "same_language": _l("The answer is written in this language already."),
    "not_a_decision_maker": _l("Please choose a councillor or a commissioner."),
}


@bp.app_template_global()
def idea_answer_words(decision) -> str:
    return str(ANSWER_WORDS[decision])


def _lang() -> str:
    return str(get_locale())


def _idea(idea_id: int, *, public: bool = True) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None or (public and idea.status != RemedyStatus.PUBLISHED):
        abort(404)
    return idea


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="idea-support")


def _author_token(idea: Idea) -> str:
    """The private link's token that lets an idea's author (maybe without an account) see
    the moderator's message and change the idea."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="idea-author").dumps(idea.id)


def _author_idea(idea_id: int, token: str) -> Idea:
    try:
        found = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="idea-author").loads(token)
    except BadSignature:
        found = None
    if found != idea_id:
        abort(404)
    return _idea(idea_id, public=False)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _browser() -> str | None:
    """This browser session, hashed: a code and an email proved in it are one person."""
    sid = getattr(session, "sid", None)
    return ideas.browser_key(_secret(), sid) if sid else None


# --- Public pages ------------------------------------------------------------------------------


@bp.get("/ideas")
def index():
    found = list(
        db.session.scalars(
            select(Idea)
            .where(Idea.status == RemedyStatus.PUBLISHED)
            .order_by(Idea.due_on.is_(None), Idea.due_on, Idea.id.desc())
        ).unique()
    )
    rules = {r.area_id: r for r in db.session.scalars(select(IdeaRule))}
    return render_template(
        "ideas/index.html",
        ideas=found,
        counts=ideas.supporters_of(found),
        needed={i.id: rules[i.area_id].needed() if i.area_id in rules else None for i in found},
        today=date.today(),
    )


@bp.route("/ideas/new", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def new():
    form = IdeaForm()
    areas = db.session.scalars(select(Area).order_by(Area.name)).all()
    form.area.choices = [SelectChoice("", _("Choose an area"))] + [
        SelectChoice(a.id, a.name) for a in areas
    ]
    if form.validate_on_submit():
        area = db.session.get(Area, form.area.data)
        if area is None:
            form.area.errors = [_("Please choose an area.")]
        else:
            idea = ideas.put_up(
                area,
                _lang(),
                {"title": form.title.data, "now": form.now.data, "proposal": form.proposal.data},
                form.now_cost.data,
                form.proposal_cost.data,
                user=current_user,
            )
            db.session.commit()
            flash(_("Thank you! A moderator will check your idea, then everyone can see it."))
            return redirect(url_for("ideas.yours", idea_id=idea.id, token=_author_token(idea)))
    status = 400 if form.is_submitted() else 200
    return render_template("ideas/new.html", form=form), status


@bp.route("/ideas/<int:idea_id>/yours/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def yours(idea_id: int, token: str):
    """The author's own page for an idea: what the moderator said, and changing it."""
    idea = _author_idea(idea_id, token)
    form = None
    if idea.status == RemedyStatus.CHANGES_REQUESTED:
        lang = idea.content.original_lang
        data: dict[str, object] = {f: str(idea.t(f, lang) or "") for f in ideas.FIELDS}
        data |= {"now_cost": idea.now_cost, "proposal_cost": idea.proposal_cost}
        form = IdeaChangeForm(data=data)
        if form.validate_on_submit():
            try:
                ideas.change(
                    idea,
                    _lang(),
                    {f: getattr(form, f).data for f in ideas.FIELDS},
                    form.now_cost.data,
                    form.proposal_cost.data,
                )
            except Refused as refused:
                flash(REFUSED[refused.code], "error")
            else:
                db.session.commit()
                flash(_("Thank you! A moderator will check your idea again."))
            return redirect(url_for("ideas.yours", idea_id=idea.id, token=token))
    status = 400 if form is not None and form.is_submitted() else 200
    link = current_app.config["PUBLIC_URL"] + url_for("ideas.yours", idea_id=idea.id, token=token)
    return render_template("ideas/yours.html", idea=idea, form=form, link=link), status


def _idea_page(idea: Idea, status: int = 200, **forms):
    page = render_template(
        "ideas/idea.html",
        idea=idea,
        supporters=ideas.supporters(idea),
        needed=ideas.needed(idea),
        today=date.today(),
        email_form=forms.get("email_form") or EmailSupportForm(formdata=None),
        code_form=forms.get("code_form") or CodeSupportForm(formdata=None),
        email_on=sending.can_send(),
    )
    return page, status


@bp.get("/ideas/<int:idea_id>")
def idea_page(idea_id: int):
    return _idea_page(_idea(idea_id))


def _said(result: str) -> None:
    if result == "counted":
        flash(_("Thank you! Your support is counted."))
    elif result == "already":
        flash(_("Your support for this idea is counted already. It counts once."))


@bp.post("/ideas/<int:idea_id>/support-by-email")
@limiter.limit("20 per hour")
def support_by_email(idea_id: int):
    idea = _idea(idea_id)
    form = EmailSupportForm()
    if not form.validate_on_submit():
        return _idea_page(idea, 400, email_form=form)
    if not sending.can_send():
        flash(_("We cannot send emails at the moment. Please use your voter code."), "error")
        return redirect(url_for("ideas.idea_page", idea_id=idea.id))
    address = form.email.data.strip()
    key = ideas.email_key(_secret(), address)
    try:
        result = ideas.add_support(idea, SupportWay.EMAIL, key, confirmed=False, browser=_browser())
    except Refused as refused:
        flash(REFUSED[refused.code], "error")
        return redirect(url_for("ideas.idea_page", idea_id=idea.id))
    if result == "waiting":
        token = _signer().dumps([idea.id, key])
        link = current_app.config["PUBLIC_URL"] + url_for(
            "ideas.confirm", idea_id=idea.id, token=token
        )
        lang = _lang()
        with force_locale(lang):
            title = idea.t("title", lang)
            sending.send_later(
                sending.EMAIL,
                address,
                _("Please confirm your support: %(title)s", title=title),
                "\n\n".join(
                    [
                        _("Hello,"),
                        _('To support the idea "%(title)s", open this link:', title=title),
                        link,
                        _("If you did not ask for this, you can ignore this email."),
                    ]
                ),
            )
        db.session.commit()
        flash(_("We have sent you an email. Open the link in it to count your support."))
    else:
        db.session.commit()
        _said(result)
    return redirect(url_for("ideas.idea_page", idea_id=idea.id))


@bp.post("/ideas/<int:idea_id>/support-by-code")
@limiter.limit("20 per hour")
def support_by_code(idea_id: int):
    idea = _idea(idea_id)
    form = CodeSupportForm()
    if not form.validate_on_submit():
        return _idea_page(idea, 400, code_form=form)
    if not ideas.code_in_area(_secret(), form.code.data, idea.area_id):
        form.code.errors = [_("This voter code is not for this area. Please check it.")]
        return _idea_page(idea, 400, code_form=form)
    try:
        result = ideas.add_support(
            idea, SupportWay.CODE, ideas.code_key(_secret(), form.code.data), browser=_browser()
        )
    except Refused as refused:
        flash(REFUSED[refused.code], "error")
        return redirect(url_for("ideas.idea_page", idea_id=idea.id))
    db.session.commit()
    _said(result)
    return redirect(url_for("ideas.idea_page", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def confirm(idea_id: int, token: str):
    idea = _idea(idea_id)
    try:
        found_id, key = _signer().loads(token, max_age=CONFIRM_DAYS * 86400)
    except (BadSignature, ValueError, TypeError):
        found_id, key = None, None
    if found_id != idea.id or not isinstance(key, str):
        return render_template("ideas/confirm.html", idea=idea, bad=True), 404
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            result = ideas.confirm_support(idea, key, browser=_browser())
        except Refused as refused:
            flash(REFUSED[refused.code], "error")
        else:
            db.session.commit()
            _said(result)
        return redirect(url_for("ideas.idea_page", idea_id=idea.id))
    return render_template("ideas/confirm.html", idea=idea, form=form, bad=False)


# --- Staff: paper forms, moderation, thresholds ------------------------------------------------


@bp.route("/staff/ideas/<int:idea_id>/paper", methods=["GET", "POST"])
@role_required(*MODERATORS)
def paper(idea_id: int):
    idea = _idea(idea_id)
    form = PaperSupportForm()
    if form.validate_on_submit():
        key = ideas.paper_key(_secret(), form.name.data, form.address.data)
        result = ideas.add_support(
            idea,
            SupportWay.PAPER,
            key,
            name=form.name.data,
            address=form.address.data,
            entered_by=current_user,
        )
        db.session.commit()
        if result == "already":
            flash(_("This person supports the idea already. They count once."), "error")
        else:
            flash(_("The support is counted. You can type in the next form."))
        return redirect(url_for("ideas.paper", idea_id=idea.id))
    status = 400 if form.is_submitted() else 200
    page = render_template(
        "ideas/paper.html", idea=idea, form=form, supporters=ideas.supporters(idea)
    )
    return page, status


def _moderate_page(idea: Idea, status: int = 200, **forms):
    unchecked = sorted({t.lang for t in idea.content.texts if not t.reviewed and t.body})
    page = render_template(
        "ideas/moderate.html",
        idea=idea,
        button=EmptyForm(),
        rejection=forms.get("rejection") or RejectForm(formdata=None),
        changes=forms.get("changes") or ChangesForm(formdata=None),
        unchecked=unchecked,
        review=ReviewForm(formdata=None),
        language_name=i18n.native_name,
    )
    return page, status


@bp.get("/staff/moderate/ideas/<int:idea_id>")
@role_required(*MODERATORS)
def moderate(idea_id: int):
    return _moderate_page(_idea(idea_id, public=False))


@bp.post("/staff/moderate/ideas/<int:idea_id>/<any(publish, changes, reject):decision>")
@role_required(*MODERATORS)
def decide(idea_id: int, decision: str):
    idea = _idea(idea_id, public=False)
    if decision == "changes":
        changes = ChangesForm()
        if not changes.validate_on_submit():
            return _moderate_page(idea, 400, changes=changes)
        act = lambda: ideas.ask_for_changes(idea, current_user, changes.message.data)  # noqa: E731
        message = _("The author will see your message and can change their idea.")
    elif decision == "reject":
        form = RejectForm()
        if not form.validate_on_submit():
            return _moderate_page(idea, 400, rejection=form)
        act = lambda: ideas.reject(idea, current_user, form.reason.data)  # noqa: E731
        message = _("The idea is not accepted. Your reason is kept with it.")
    else:
        if not EmptyForm().validate_on_submit():
            return redirect(url_for("ideas.moderate", idea_id=idea.id))
        act = lambda: ideas.publish(idea, current_user)  # noqa: E731
        message = _("The idea is published. Everyone can see it and support it now.")
    try:
        act()
    except Refused as refused:
        flash(REFUSED[refused.code], "error")
        return redirect(url_for("ideas.moderate", idea_id=idea.id))
    db.session.commit()
    flash(message)
    return redirect(url_for("moderate.queue"))


@bp.post("/staff/moderate/ideas/<int:idea_id>/review-translation")
@role_required(*MODERATORS)
def review_translation(idea_id: int):
    idea = _idea(idea_id, public=False)
    form = ReviewForm()
    if form.validate_on_submit() and form.lang.data in i18n.languages():
        ideas.review_translation(idea, form.lang.data, current_user)
        db.session.commit()
        flash(
            _(
                "The translation into %(language)s is marked as checked.",
                language=i18n.native_name(form.lang.data),
            )
        )
    return redirect(url_for("ideas.moderate", idea_id=idea.id))


def _decision_makers() -> list[tuple]:
    people = db.session.scalars(
        select(User)
        .where(User.role.in_(DECISION_MAKERS), User.active.is_(True))
        .order_by(User.name)
    )
    return [SelectChoice("", _("Nobody named: organisers answer"))] + [
        SelectChoice(u.id, u.name) for u in people
    ]


def _rule_form(area: Area, formdata=None) -> RuleForm:
    rule = ideas.rule_for(area.id)
    data = {}
    if rule is not None:
        data = {
            "supporters": rule.supporters,
            "percent": round(rule.percent * 10) if rule.percent else None,
            "answer_days": rule.answer_days,
            "decision_maker": rule.decision_maker_id,
            "keep_days": rule.keep_days,
        }
    else:
        data = {"answer_days": 56, "keep_days": 90}
    form = RuleForm(formdata=formdata, data=data, prefix=f"area-{area.id}")
    form.decision_maker.choices = _decision_makers()
    return form


@bp.get("/staff/ideas/thresholds")
@role_required(Role.ORGANISER)
def thresholds():
    areas = db.session.scalars(select(Area).order_by(Area.name)).all()
    return render_template(
        "ideas/thresholds.html", rows=[(a, _rule_form(a), ideas.rule_for(a.id)) for a in areas]
    )


@bp.post("/staff/ideas/thresholds/<int:area_id>")
@role_required(Role.ORGANISER)
def set_threshold(area_id: int):
    area = db.session.get(Area, area_id)
    if area is None:
        abort(404)
    form = _rule_form(area, formdata=request.form)
    if form.validate():
        person = (
            db.session.get(User, form.decision_maker.data) if form.decision_maker.data else None
        )
        try:
            ideas.set_rule(
                area,
                supporters=form.supporters.data or None,
                percent=form.percent.data / 10 if form.percent.data else None,
                answer_days=form.answer_days.data or 1,
                decision_maker=person,
                keep_days=form.keep_days.data or 0,
                actor=current_user,
            )
        except Refused as refused:
            flash(REFUSED[refused.code], "error")
        else:
            db.session.commit()
            flash(_("The threshold for %(area)s is saved.", area=area.name))
            return redirect(url_for("ideas.thresholds"))
    areas = db.session.scalars(select(Area).order_by(Area.name)).all()
    rows = [(a, form if a.id == area.id else _rule_form(a), ideas.rule_for(a.id)) for a in areas]
    return render_template("ideas/thresholds.html", rows=rows), 400


# --- The council's answer ------------------------------------------------------------------------


@bp.route("/staff/council/ideas/<int:idea_id>", methods=["GET", "POST"])
@role_required(*READERS)
def answer(idea_id: int):
    idea = _idea(idea_id)
    if idea.due_on is None:
        abort(404)
    if not can_answer(current_user, idea):
        abort(403)
    written_in = ideas.answer_lang(idea)
    saved = idea.content.text("reason", written_in) if written_in else None
    form = IdeaAnswerForm(
        data={
            "decision": idea.decision.value if idea.decision else None,
            "reason": saved.text if saved else "",
            "decided_on": idea.decided_on or date.today(),
        }
    )
    if form.validate_on_submit():
        first = ideas.answer(
            idea,
            form.choice,
            form.reason.data,
            form.decided_on.data,
            lang=_lang(),
            actor=current_user,
        )
        if first:
            from coprod.following import operations as following

            following.tell("idea", idea.id, "answered")
        db.session.commit()
        flash(_("The answer is saved. Everyone can read it on the idea's page."))
        return redirect(url_for("ideas.answer", idea_id=idea.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "ideas/answer.html",
        idea=idea,
        form=form,
        supporters=ideas.supporters(idea),
        today=date.today(),
    ), status


@bp.route("/ideas/<int:idea_id>/translate-answer", methods=["GET", "POST"])
@login_required
def translate_answer(idea_id: int):
    idea = _idea(idea_id)
    if idea.decision is None:
        abort(404)
    form = TranslateAnswerForm()
    written_in = ideas.answer_lang(idea)
    form.lang.choices = [
        SelectChoice(code, i18n.native_name(code))
        for code in i18n.languages()
        if code != written_in
    ]
    if form.validate_on_submit():
        try:
            ideas.translate_answer(idea, form.lang.data, form.reason.data, current_user)
        except Refused as refused:
            flash(REFUSED[refused.code], "error")
        else:
            db.session.commit()
            flash(_("Thank you! A moderator will check the translation."))
            return redirect(url_for("ideas.idea_page", idea_id=idea.id))
    status = 400 if form.is_submitted() else 200
    return render_template("ideas/translate.html", idea=idea, form=form), status
