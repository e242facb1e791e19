"""Sign-in form."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from coprod.forms import Form


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
