"""The form for suggesting a better translation."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from coprod.forms import Form


class SuggestionForm(Form):
    page = HiddenField()
    # i18n: the citizen picks which sentence on the page could be said better.
    msgid = RadioField(_l("Which words could be better?"), validators=[DataRequired()])
    suggestion = TextAreaField(
        _l("How would you say it?"), validators=[DataRequired(), Length(max=1000)]
    )
