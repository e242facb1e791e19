"""Forms for taking part."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from coprod.forms import Form


class CodeForm(Form):
    class Meta:
        # CSRFProtect checks every POST; the page carries `csrf_token()`, so it can be shared.
        csrf = False

    # i18n: label of the box where a citizen types the code from their letter.
    code = StringField(_l("Your voter code"), validators=[DataRequired(), Length(max=40)])


class ReceiptForm(Form):
    receipt = StringField(_l("Your receipt"), validators=[DataRequired(), Length(max=40)])
