"""Routes for community groups: sign up, new passwords, proposals, translations, reports."""

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from coprod import i18n, jobs, mail, pots
from coprod.accounts import groups, role_required
from coprod.extensions import db, limiter
from coprod.lookups import round_or_404
from coprod.models import Area, Group, Phase, Remedy, RemedyStatus, Role, Round, User
from coprod.operations import paper, proposals
from coprod.operations.proposals import Proposal, ProposalError
from coprod.propose import bp, plainwords
from coprod.propose.forms import (
    ChooseLanguageForm,
    EmptyForm,
    ForgotPasswordForm,
    NewPasswordForm,
    ProposalForm,
    ReportForm,
    SignUpForm,
    TranslationForm,
)
from coprod.propose.messages import PROBLEM
from coprod.results.explain import outcome_of


def _published(rnd: Round, remedy_id: int) -> Remedy:
    remedy = db.session.get(Remedy, remedy_id)
    if remedy is None or remedy.round_id != rnd.id or remedy.status != RemedyStatus.PUBLISHED:
        abort(404)
    return remedy


def _own(remedy_id: int) -> Remedy:
    """A remedy of the signed-in member's group; anyone else's is forbidden."""
    remedy = db.session.get(Remedy, remedy_id)
    if remedy is None:
        abort(404)
    if current_user.group_id is None or remedy.group_id != current_user.group_id:
        abort(403)
    return remedy


def _language_choices() -> list[tuple[str, str]]:
    return [(code, i18n.native_name(code)) for code in i18n.languages()]


def _link(endpoint: str, **values) -> str:
    # Built from PUBLIC_URL, never from the request's Host header, which anyone can forge.
    return current_app.config["PUBLIC_URL"] + url_for(endpoint, **values)


def _password_link(user: User) -> str:
    token = groups.reset_token(current_app.config["SECRET_KEY"], user)
    return _link("propose.new_password", user_id=user.id, token=token)


# --- Accounts --------------------------------------------------------------------------------


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def sign_up():
    if current_user.is_authenticated:
        return redirect(url_for("propose.my_group"))
    # Only people a member invited may join an existing group: its link names the group.
    invite = request.args.get("invite", "")
    invited = groups.group_for_invite(current_app.config["SECRET_KEY"], invite) if invite else None
    if invite and invited is None:
        return render_template("propose/link_expired.html"), 400
    form = SignUpForm(lang=str(get_locale()), group=invited.id if invited else None)
    form.group.choices = [("", _("My group is not on the list yet"))] + (
        [(invited.id, invited.name)] if invited else []
    )
    form.lang.choices = _language_choices()
    if form.validate_on_submit():
        try:
            user = groups.sign_up(
                form.name.data,
                form.email.data,
                form.password.data,
                lang=form.lang.data,
                group=db.session.get(Group, form.group.data) if form.group.data else None,
                new_group_name=form.new_group.data or "",
            )
        except groups.SignUpError as refused:
            if refused.code == "email_taken":
                form.email.errors.append(
                    _(
                        "There is already an account with this email. "
                        "Sign in, or ask for a new password."
                    )
                )
            else:
                form.new_group.errors.append(
                    _("There is already a group with this name. Please choose it from the list.")
                )
        else:
            db.session.commit()
            login_user(user)
            flash(
                _(
                    "Welcome, %(name)s! You are now a member of %(group)s.",
                    name=user.name,
                    group=user.group.name,
                )
            )
            return redirect(url_for("propose.my_group"))
    return render_template("propose/sign_up.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    by_email = mail.mail_configured()
    if by_email and form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.active:
            link = _password_link(user)
            with force_locale(user.lang):
                email = mail.message(
                    user.email,
                    _("Your link for a new Coprod password"),
                    _(
                        "Hello %(name)s,\n\nSomeone asked for a new password for your Coprod "
                        "account. To choose one, open this link:\n\n%(link)s\n\nThe link "
                        "works once, for one day. If you did not ask, you can ignore this email.",
                        name=user.name,
                        link=link,
                    ),
                )
            jobs.send_emails([email])  # the worker sends it, and retries if it fails
            groups.issue_reset_link(user, actor=None)
            db.session.commit()
        # The same answer either way, so nobody can find out who has an account.
        flash(
            _("If this email has an account, we have sent it a link. It works once, for one day.")
        )
        return redirect(url_for("accounts.sign_in"))
    return render_template("propose/forgot_password.html", form=form, by_email=by_email)


@bp.route("/new-password/<int:user_id>/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def new_password(user_id: int, token: str):
    user = groups.user_for_token(current_app.config["SECRET_KEY"], user_id, token)
    if user is None:
        return render_template("propose/link_expired.html"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        groups.set_password(user, form.password.data)
        db.session.commit()
        flash(_("Your new password is saved. Please sign in with it."))
        return redirect(url_for("accounts.sign_in"))
    return render_template("propose/new_password.html", form=form, user=user)


@bp.get("/staff/members")
@role_required(Role.ORGANISER)
def members():
    people = db.session.scalars(select(User).order_by(User.group_id, User.name)).all()
    return render_template("propose/members.html", people=people, button=EmptyForm())


@bp.post("/staff/members/<int:user_id>/password-link")
@role_required(Role.ORGANISER)
def password_link(user_id: int):
    """Show a one-time password link for someone, this once; it is never stored."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("propose.members"))
    link = _password_link(user)
    groups.issue_reset_link(user, actor=current_user)
    db.session.commit()
    response = make_response(render_template("propose/password_link.html", user=user, link=link))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Proposals -------------------------------------------------------------------------------


@bp.get("/my-group")
@login_required
def my_group():
    group = current_user.group
    remedies = proposals.group_remedies(group) if group else []
    published = [r for r in remedies if r.status == RemedyStatus.PUBLISHED]
    return render_template(
        "propose/my_group.html",
        group=group,
        remedies=remedies,
        results=outcome_of(published),
        rounds=db.session.scalars(
            select(Round).where(Round.phase == Phase.PROPOSING).order_by(Round.id)
        ).all(),
        paper_rounds=paper.rounds_to_type(group) if current_user.role == Role.MEMBER else [],
        button=EmptyForm(),
    )


def _proposal_form(rnd: Round, **data) -> ProposalForm:
    lang = str(get_locale())
    form = ProposalForm(data=data)
    form.barrier.choices = [("", _("Choose a problem"))] + [
        (b.id, str(b.t("title", lang) or b.key)) for b in rnd.barriers
    ]
    areas = db.session.scalars(select(Area).order_by(Area.name)).all()
    form.area.choices = [("", _("Everywhere in this round"))] + [(a.id, a.name) for a in areas]
    form.lang.choices = _language_choices()
    form.budget, form.currency = rnd.budget, rnd.currency
    if rnd.pots:  # the round's money is in pots: the idea says which it asks from
        in_order = pots.in_order(rnd)
        form.pot.choices = [("", _("Choose one"))] + [(p.id, pots.name(p)) for p in in_order]
        form.pot_budgets = {p.id: p.budget for p in in_order}
    return form


def _proposal(form: ProposalForm) -> Proposal:
    return Proposal(
        texts={name: form[name].data or "" for name in ProposalForm.TEXTS},
        lang=form.lang.data,
        barrier_id=form.barrier.data,
        area_id=form.area.data,
        pot_id=form.pot.data if form.pot_budgets else None,
        cost=form.cost.data,
        now_cost=form.now_cost.data,
        proposal_cost=form.proposal_cost.data,
        helpers_wanted=form.helpers_wanted.data,
        helper_hours=form.helper_hours.data,
        from_paper=bool(form.from_paper.data),
    )


def _write_proposal(rnd: Round, form: ProposalForm, remedy: Remedy | None):
    """Check words, save a draft, or send it: the same page for a new idea and a draft."""
    advice = None
    if form.is_submitted():
        action = request.form.get("action", "save")
        valid = form.validate()
        if action == "check":
            # Advice only: nothing is saved and nothing is refused.
            advice = plainwords.advise(_proposal(form).texts, form.lang.data or "en")
        elif valid and (action != "send" or form.ready_to_send()):
            try:
                remedy = proposals.save(
                    rnd, current_user, _proposal(form), remedy=remedy, send=action == "send"
                )
            except ProposalError as refused:
                flash(PROBLEM[refused.code], "error")
            else:
                db.session.commit()
                flash(
                    _("Your idea is sent. A moderator will check it soon.")
                    if action == "send"
                    else _("Your draft is saved. Anyone in your group can change it.")
                )
                return redirect(url_for("propose.proposal", remedy_id=remedy.id))
    return render_template(
        "propose/proposal_form.html", form=form, round=rnd, remedy=remedy, advice=advice
    )


@bp.route("/rounds/<slug>/propose", methods=["GET", "POST"])
@login_required
def new_proposal(slug: str):
    rnd = round_or_404(slug)
    if current_user.group_id is None:
        abort(403)
    if rnd.phase != Phase.PROPOSING:
        flash(PROBLEM["not_proposing"], "error")
        return redirect(url_for("public.round_page", slug=slug))
    return _write_proposal(rnd, _proposal_form(rnd, lang=current_user.lang), None)


@bp.post("/my-group/invite")
@login_required
def group_invite():
    """A member makes a link for a friend to join their group; it is shown this once."""
    group = current_user.group
    if group is None:
        abort(403)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("propose.my_group"))
    token = groups.group_invite_token(current_app.config["SECRET_KEY"], group, actor=current_user)
    db.session.commit()
    link = _link("propose.sign_up", invite=token)
    response = make_response(render_template("propose/group_invite.html", group=group, link=link))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/proposals/<int:remedy_id>")
@login_required
def proposal(remedy_id: int):
    remedy = _own(remedy_id)
    editable = proposals.can_edit(current_user, remedy) and remedy.round.phase == Phase.PROPOSING
    return render_template("propose/proposal.html", remedy=remedy, editable=editable)


@bp.route("/proposals/<int:remedy_id>/edit", methods=["GET", "POST"])
@login_required
def edit_proposal(remedy_id: int):
    remedy = _own(remedy_id)
    rnd = remedy.round
    if not proposals.can_edit(current_user, remedy) or rnd.phase != Phase.PROPOSING:
        flash(PROBLEM["not_editable" if rnd.phase == Phase.PROPOSING else "not_proposing"], "error")
        return redirect(url_for("propose.proposal", remedy_id=remedy.id))
    original = remedy.content.original_lang
    form = _proposal_form(
        rnd,
        **{name: str(remedy.t(name, original) or "") for name in ProposalForm.TEXTS},
        barrier=remedy.barrier_id,
        area=remedy.area_id,
        pot=remedy.pot_id,
        cost=remedy.cost or None,
        now_cost=remedy.now_cost,
        proposal_cost=remedy.proposal_cost,
        helpers_wanted=remedy.helpers_wanted,
        helper_hours=remedy.helper_hours,
        from_paper=remedy.from_paper,
        lang=original,
    )
    return _write_proposal(rnd, form, remedy)


# --- Translations and reports on published remedies -----------------------------------------


@bp.route("/rounds/<slug>/remedies/<int:remedy_id>/translate", methods=["GET", "POST"])
@login_required
def translate(slug: str, remedy_id: int):
    rnd = round_or_404(slug)
    remedy = _published(rnd, remedy_id)
    original = remedy.content.original_lang
    targets = [(c, name) for c, name in _language_choices() if c != original]
    if not targets:
        abort(404)
    wanted = request.values.get("to") or str(get_locale())
    to = wanted if wanted in dict(targets) else targets[0][0]
    chooser = ChooseLanguageForm(formdata=None, to=to)
    chooser.to.choices = targets
    existing = {t.field: t.body for t in remedy.content.texts if t.lang == to}
    form = TranslationForm(data=existing)
    if form.validate_on_submit():
        try:
            proposals.translate(
                remedy, to, {f: form[f].data or "" for f in form.FIELDS}, current_user
            )
        except ProposalError as refused:
            flash(PROBLEM[refused.code], "error")
        else:
            db.session.commit()
            flash(_("Thank you! Your translation is saved. A moderator will check it."))
            return redirect(url_for("public.remedy_page", slug=slug, remedy_id=remedy.id))
    return render_template(
        "propose/translate.html", round=rnd, remedy=remedy, form=form, chooser=chooser, to=to
    )


@bp.app_template_global()
def new_report_form() -> ReportForm:
    """An empty report form for the public remedy page."""
    return ReportForm(formdata=None)


@bp.post("/rounds/<slug>/remedies/<int:remedy_id>/report")
@limiter.limit("10 per hour")
def report(slug: str, remedy_id: int):
    rnd = round_or_404(slug)
    remedy = _published(rnd, remedy_id)
    form = ReportForm()
    if form.validate_on_submit():
        proposals.report(remedy, form.reason.data)
        db.session.commit()
        flash(_("Thank you for telling us. A moderator will look at it."))
        return redirect(url_for("public.remedy_page", slug=slug, remedy_id=remedy.id))
    return render_template("public/remedy.html", round=rnd, remedy=remedy, report_form=form), 400
