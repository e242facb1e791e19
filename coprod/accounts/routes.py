"""Routes for signing in and out, and for two-step sign-in."""

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from coprod import slowdown
from coprod.accounts import bp, groups, role_required, second_factor
from coprod.accounts.forms import AppCodeForm, LoginForm
from coprod.accounts.operations import INVITE_MAX_AGE, authenticate
from coprod.extensions import db, limiter
from coprod.links import local_path
from coprod.models import Role, User
from coprod.propose.forms import NewPasswordForm

PENDING = "second_factor"  # the session key of a sign-in waiting for its app code
PENDING_FOR = 300  # seconds to type the code after the password
SETUP = "second_factor_setup"
STAFF = tuple(r for r in Role if r != Role.MEMBER)


def _pair(email: str) -> str:
    # Wrong tries count per account and address: a stranger elsewhere never slows the
    # real person, and an office's shared address is slowed only for the account guessed.
    return f"{email.strip().lower()}|{slowdown.address()}"


def _slowed(template: str, wait: int, **context):
    flash(slowdown.too_many_passwords(wait), "error")
    page = render_template(template, **context)
    return page, 429, {"Retry-After": str(wait)}


def _signed_in(user: User, next_: str | None):
    session.pop(PENDING, None)
    login_user(user)
    return redirect(local_path(next_) or url_for("public.home"))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = LoginForm()
    if form.validate_on_submit():
        pair = _pair(form.email.data)
        # While this account waits at this address, the password is not even checked.
        if wait := slowdown.wrong_passwords.waiting(pair):
            return _slowed("accounts/sign_in.html", wait, form=form)
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            if wait := slowdown.wrong_passwords.wrong(pair):
                return _slowed("accounts/sign_in.html", wait, form=form)
            flash(_("That email and password don't match. Please try again."), "error")
        elif user.totp_secret:
            session[PENDING] = {
                "user": user.id,
                "next": request.args.get("next"),
                "until": time.time() + PENDING_FOR,
            }
            return redirect(url_for("accounts.app_code"))
        else:
            return _signed_in(user, request.args.get("next"))
    return render_template("accounts/sign_in.html", form=form)


class _Slowed(Exception):
    """This account must wait at this address before its next try."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


def _right_app_code(user: User, secret: str, form: AppCodeForm) -> bool:
    """True when the form holds the app's code now; wrong codes count like wrong passwords
    (six digits are few: unslowed, they could be guessed). Raises _Slowed while waiting."""
    pair = _pair(user.email)
    if wait := slowdown.wrong_passwords.waiting(pair):
        raise _Slowed(wait)
    if second_factor.matches(user.id, secret, form.code.data):
        return True
    if wait := slowdown.wrong_passwords.wrong(pair):
        raise _Slowed(wait)
    form.code.errors.append(_("That code is not right. Please type the code your app shows now."))
    return False


@bp.route("/sign-in/code", methods=["GET", "POST"])
def app_code():
    """The second step: the code from the authenticator app, after the right password."""
    pending = session.get(PENDING)
    user = db.session.get(User, pending["user"]) if pending else None
    if user is None or not user.totp_secret or pending["until"] < time.time():
        session.pop(PENDING, None)
        flash(_("Please sign in again."), "error")
        return redirect(url_for("accounts.sign_in"))
    form = AppCodeForm()
    try:
        if form.validate_on_submit() and _right_app_code(user, user.totp_secret, form):
            return _signed_in(user, pending["next"])
    except _Slowed as slowed:
        return _slowed("accounts/app_code.html", slowed.wait, form=form)
    return render_template("accounts/app_code.html", form=form)


@bp.route("/account/two-step", methods=["GET", "POST"])
@role_required(*STAFF)
def two_step():
    """Staff turn two-step sign-in on (scan, then confirm with a code) or off."""
    form = AppCodeForm()
    user = current_user._get_current_object()
    if on := bool(user.totp_secret):
        secret, page = user.totp_secret, {}
    else:
        secret = session.get(SETUP) or session.setdefault(SETUP, second_factor.new_secret())
        page = {
            "secret": second_factor.spaced(secret),
            "qr_code": second_factor.qr_code(user, secret),
        }
    try:
        right = form.validate_on_submit() and _right_app_code(user, secret, form)
    except _Slowed as slowed:
        return _slowed("accounts/two_step.html", slowed.wait, form=form, on=on, **page)
    if right and on:
        second_factor.turn_off(user)
        db.session.commit()
        flash(_("Two-step sign-in is off. You sign in with your password alone."))
        return redirect(url_for("accounts.two_step"))
    if right:
        second_factor.turn_on(user, secret)
        db.session.commit()
        session.pop(SETUP, None)
        flash(_("Two-step sign-in is on. We will ask for a code from your app each time."))
        return redirect(url_for("accounts.two_step"))
    return render_template("accounts/two_step.html", form=form, on=on, **page)


@bp.post("/sign-out")
def sign_out():
    logout_user()
    flash(_("You have signed out."))
    return redirect(url_for("public.home"))


@bp.route("/welcome/<int:user_id>/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def welcome(user_id: int, token: str):
    """An invited member of staff chooses their password; the link then stops working."""
    secret = current_app.config["SECRET_KEY"]
    user = groups.user_for_token(secret, user_id, token, max_age=INVITE_MAX_AGE)
    if user is None:
        return render_template("propose/link_expired.html", invitation=True), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        groups.set_password(user, form.password.data)
        db.session.commit()
        login_user(user)
        flash(_("Welcome, %(name)s! Your password is saved.", name=user.name))
        return redirect(url_for("admin.home"))
    return render_template("propose/new_password.html", form=form, user=user)
