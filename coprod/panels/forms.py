"""The organiser's form for a panel draw: volunteers, quotas, size and seed."""

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from coprod.forms import Form
from coprod.propose.forms import NoMarkup, Required

CSV_ONLY = FileAllowed(["csv", "txt"], _l("Please choose a .csv file."))


class DrawForm(Form):
    name = StringField(
        _l("A name for this panel"),
        validators=[Required(_l("Please give the panel a name.")), Length(max=200), NoMarkup()],
    )
    volunteers = FileField(
        _l("The volunteers (a CSV file)"),
        validators=[FileRequired(_l("Please choose the volunteers' file.")), CSV_ONLY],
    )
    quotas = FileField(
        _l("The quotas (a CSV file)"),
        validators=[FileRequired(_l("Please choose the quotas' file.")), CSV_ONLY],
    )
    size = IntegerField(
        _l("How many people on the panel"),
        default=30,
        validators=[
            InputRequired(_l("Please say how many people.")),
            NumberRange(1, 10_000, _l("Please give a number from %(min)s to %(max)s.")),
        ],
    )
    seed = IntegerField(
        _l("The lottery number (seed)"),
        default=lambda: secrets.randbelow(999_999) + 1,
        validators=[
            InputRequired(_l("Please give a lottery number.")),
            # 0 is not allowed: sortition-algorithms reads it as "no seed", unrepeatable.
            NumberRange(1, 2_000_000_000, _l("Please give a number from %(min)s to %(max)s.")),
        ],
    )
