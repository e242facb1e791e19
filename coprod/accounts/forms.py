"""Sign-in form."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from coprod.forms import Form
from coprod.models import Role
from coprod.propose.forms import NAME_MAX, MaxLength, NoMarkup, Required


class LoginForm(Form):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Sign in"))


class AppCodeForm(Form):
    # i18n: the six-digit code that an authenticator app on a phone shows.
    code = StringField(
        _l("Code from your app"),
        validators=[DataRequired(), Length(max=20)],
    )


def _role_choices():
    from coprod.accounts.labels import ROLE

    return [(role.value, label) for role, label in ROLE.items() if role != Role.MEMBER]


class InviteForm(Form):
    """An organiser invites someone onto the staff."""

    name = StringField(_l("Their name"), validators=[Required(), MaxLength(NAME_MAX), NoMarkup()])
    email = EmailField(
        _l("Email address"),
        validators=[
            Required(),
            Email(message=_l("Please write a whole email address, like name@example.org.")),
            MaxLength(254),
        ],
    )
    role = RadioField(_l("Their role"), choices=_role_choices, default="moderator")
    how = RadioField(
        _l("How do you want to send the invitation?"),
        choices=[
            ("link", _l("Show me a link to give them myself")),
            ("email", _l("Send them an email")),
        ],
        default="link",
    )


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=_role_choices)
