"""Organisers' page for the staff: invite by email or by a link, change a role, remove."""

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coprod import jobs, mail
from coprod.accounts import groups, operations, role_required
from coprod.accounts.forms import InviteForm, RoleForm
from coprod.accounts.labels import ROLE
from coprod.admin import bp
from coprod.admin.forms import EmptyForm
from coprod.extensions import db
from coprod.models import Role, User

REFUSED = {
    "email_taken": lambda: _("There is already an account with this email."),
    "last_organiser": lambda: _(
        "You are the last organiser. Make someone else an organiser first, "
        "so somebody can still run the site."
    ),
}


def invite_link(user: User) -> str:
    """The link an invited person opens to choose their password; it works once."""
    token = groups.reset_token(current_app.config["SECRET_KEY"], user)
    path = url_for("accounts.welcome", user_id=user.id, token=token)
    # Built from PUBLIC_URL, never from the request's Host header, which anyone can forge.
    return current_app.config["PUBLIC_URL"] + path


def _page(form: InviteForm, status: int = 200):
    staff = db.session.scalars(
        select(User).where(User.role != Role.MEMBER).order_by(User.active.desc(), User.name)
    ).all()
    page = render_template(
        "admin/people.html",
        form=form,
        staff=staff,
        button=EmptyForm(),
        roles=ROLE,
    )
    return page, status


@bp.get("/people")
@role_required(Role.ORGANISER)
def people():
    return _page(InviteForm())


@bp.post("/people")
@role_required(Role.ORGANISER)
def invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    by_email = form.how.data == "email"
    if by_email and not mail.mail_configured():
        form.how.errors.append(_("This site cannot send emails yet. Please choose a link."))
        return _page(form, 400)
    try:
        user = operations.invite_staff(
            form.email.data, form.name.data, Role(form.role.data), actor=current_user
        )
    except operations.StaffError as refused:
        form.email.errors.append(REFUSED[refused.code]())
        return _page(form, 400)
    link = invite_link(user)
    if by_email:
        with force_locale(user.lang):
            message = mail.message(
                user.email,
                _("You are invited to Coprod"),
                _(
                    "Hello %(name)s,\n\n%(organiser)s has invited you to help run Coprod. "
                    "To choose your password, open this link:\n\n%(link)s\n\n"
                    "The link works once, for seven days.",
                    name=user.name,
                    organiser=current_user.name,
                    link=link,
                ),
            )
        jobs.send_emails([message])  # the worker sends it, and retries if it fails
        db.session.commit()
        flash(_("We have emailed an invitation to %(email)s.", email=user.email))
        return redirect(url_for("admin.people"))
    db.session.commit()
    response = make_response(render_template("admin/invite_link.html", user=user, link=link))
    response.headers["Cache-Control"] = "no-store"
    return response


def _staff_member(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role == Role.MEMBER:
        abort(404)
    return user


@bp.post("/people/<int:user_id>/role")
@role_required(Role.ORGANISER)
def change_role(user_id: int):
    user = _staff_member(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            operations.change_role(user, Role(form.role.data), actor=current_user)
        except operations.StaffError as refused:
            flash(REFUSED[refused.code](), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is now: %(role)s.",
                    name=user.name,
                    role=ROLE[user.role],
                )
            )
    return redirect(url_for("admin.people"))


@bp.post("/people/<int:user_id>/remove")
@role_required(Role.ORGANISER)
def remove(user_id: int):
    user = _staff_member(user_id)
    if EmptyForm().validate_on_submit() and user.active:
        try:
            operations.deactivate(user, actor=current_user)
        except operations.StaffError as refused:
            flash(REFUSED[refused.code](), "error")
        else:
            db.session.commit()
            flash(_("%(name)s can no longer sign in.", name=user.name))
    return redirect(url_for("admin.people"))
