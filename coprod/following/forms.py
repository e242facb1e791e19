"""The form to follow something: an email address or a phone number, and a language."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from coprod import i18n
from coprod.forms import Form
from coprod.propose.forms import MaxLength, Required

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{6,20}")


class FollowForm(Form):
    address = StringField(
        _l("Your email address or mobile phone number"),
        validators=[
            Required(_l("Please give an email address or a phone number.")),
            MaxLength(254),
        ],
    )
    lang = SelectField(_l("Language for the messages"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lang.choices = [SelectChoice(c, i18n.native_name(c)) for c in i18n.languages()]

    @property
    def channel(self) -> str:
        return "email" if "@" in (self.address.data or "") else "sms"

    def validate_address(self, field: Field) -> None:
        typed = (field.data or "").strip()
        if not (_EMAIL.fullmatch(typed) or _PHONE.fullmatch(typed)):
            raise ValidationError(
                _("Please write a whole email address, like name@example.org, or a phone number.")
            )
