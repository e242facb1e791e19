"""Routes for signing in and out."""

import math
from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_user, logout_user

from coprod.accounts import bp
from coprod.accounts.forms import LoginForm
from coprod.accounts.operations import AccountLocked, authenticate
from coprod.extensions import db, limiter
from coprod.links import local_path


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def sign_in():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except AccountLocked as locked:
            db.session.commit()  # the lock holds, though this sign-in fails
            seconds = (locked.until - datetime.now(UTC)).total_seconds()
            minutes = max(1, math.ceil(seconds / 60))
            flash(
                ngettext(
                    "Too many wrong passwords. For your safety, this account is locked for "
                    "%(num)d minute.",
                    "Too many wrong passwords. For your safety, this account is locked for "
                    "%(num)d minutes.",
                    minutes,
                ),
                "error",
            )
        else:
            db.session.commit()  # the count of wrong passwords, or its reset
            if user is not None:
                login_user(user)
                return redirect(local_path(request.args.get("next")) or url_for("public.home"))
            flash(_("That email and password don't match. Please try again."), "error")
    return render_template("accounts/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    logout_user()
    flash(_("You have signed out."))
    return redirect(url_for("public.home"))
