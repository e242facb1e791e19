"""Routes for signing in and out."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select

from coprod.accounts import bp
from coprod.accounts.forms import LoginForm
from coprod.extensions import db, limiter
from coprod.models import User
from coprod.operations.accounts import password_matches


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("public.home")
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def sign_in():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is not None and user.active and password_matches(user, form.password.data):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("That email and password don't match. Please try again."), "error")
    return render_template("accounts/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    logout_user()
    flash(_("You have signed out."))
    return redirect(url_for("public.home"))
