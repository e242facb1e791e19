"""The council's settings page, and replacing a lost voter code (organisers only)."""

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from coprod.accounts import role_required
from coprod.admin import bp
from coprod.extensions import db
from coprod.forms import Form
from coprod.lookups import round_or_404
from coprod.models import Phase, Role
from coprod.operations import codes, council
from coprod.participate.letters import render_letters


class SettingsForm(Form):
    name = StringField(_l("The council's name"), validators=[DataRequired(), Length(max=120)])
    email = StringField(
        _l("Contact email"),
        validators=[
            Optional(),
            Length(max=254),
            Email(
                message=_l("Enter an email address in the right form, like name@example.org."),
                check_deliverability=False,
            ),
        ],
    )
    phone = StringField(_l("Contact phone number"), validators=[Length(max=40)])
    address = TextAreaField(_l("Postal address"), validators=[Length(max=500)])
    controller = StringField(
        _l("Data controller (who is responsible for people's data)"),
        validators=[Length(max=200)],
    )
    accessibility_tested = DateField(
        _l("Date of the last accessibility test"),
        validators=[Optional()],
        format="%Y-%m-%d",
    )
    logo = FileField(_l("Logo (PNG or JPEG, up to 200 KB)"))
    remove_logo = BooleanField(_l("Remove the logo"))


class ReplaceCodeForm(Form):
    old_code = StringField(_l("The lost voter code"), validators=[DataRequired(), Length(max=40)])


def _typed(value):
    """What is stored of a box: text without spaces at its ends; a date, or None."""
    return value.strip() if isinstance(value, str) else value


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def settings():
    current = council.current()
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        upload = form.logo.data
        logo = upload.read() if upload else None
        try:
            council.update(
                {key: _typed(form[key].data) for key in council.FIELDS},
                logo=logo or None,
                remove_logo=form.remove_logo.data,
                actor=current_user,
            )
        except council.LogoError:
            db.session.rollback()
            form.logo.errors.append(_("The logo must be a PNG or JPEG file of 200 KB or less."))
        else:
            db.session.commit()
            flash(_("The council's settings are saved."))
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, current=current)


@bp.post("/rounds/<slug>/replace-code")
@role_required(Role.ORGANISER)
def replace_code(slug: str):
    """Void a lost, unused code and hand back a new one on its letter."""
    rnd = round_or_404(slug, drafts=True)
    form = ReplaceCodeForm()
    if not form.validate_on_submit():
        flash(_("Please type the lost voter code."), "error")
        return redirect(url_for("admin.round_admin", slug=slug))
    if rnd.phase not in (Phase.RATING, Phase.VOTING):
        flash(_("Codes can be replaced only while rating or voting is open."), "error")
        return redirect(url_for("admin.round_admin", slug=slug))
    try:
        new_code, lang = codes.replace_code(
            current_app.config["SECRET_KEY"], rnd, form.old_code.data, actor=current_user
        )
    except codes.ReplaceError as error:
        flash(
            _("This code has already been used to vote, so it cannot be replaced.")
            if error.reason == "used"
            else _("There is no such code in this round. Please check the letters and numbers."),
            "error",
        )
        return redirect(url_for("admin.round_admin", slug=slug))
    db.session.commit()  # before the new code leaves: its letter must work
    return Response(
        render_letters(rnd, [new_code], lang),
        mimetype="text/html",
        headers={
            "Content-Disposition": f'attachment; filename="letter-{rnd.slug}.html"',
            "Cache-Control": "no-store",
        },
    )
