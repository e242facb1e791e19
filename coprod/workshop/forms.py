"""The organiser's form: who is coming (a CSV file), how many tables, how many sessions."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from coprod.forms import Form


class SeatingForm(Form):
    file = FileField(
        _l("The list of people coming (a CSV file)"),
        validators=[
            FileRequired(_l("Please choose the file with the people coming.")),
            FileAllowed(["csv", "txt"], _l("Please choose a .csv file.")),
        ],
    )
    tables = IntegerField(
        _l("How many tables"),
        default=8,
        validators=[
            InputRequired(_l("Please say how many tables.")),
            NumberRange(1, 200, _l("Please give a number from %(min)s to %(max)s.")),
        ],
    )
    sessions = IntegerField(
        _l("How many sessions (people move tables between them)"),
        default=3,
        validators=[
            InputRequired(_l("Please say how many sessions.")),
            NumberRange(1, 10, _l("Please give a number from %(min)s to %(max)s.")),
        ],
    )
