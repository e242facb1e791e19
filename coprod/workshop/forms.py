"""The organiser's form: who is coming (a CSV file), how many tables, how many sessions."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import Field, IntegerField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from coprod.forms import Form
from coprod.propose.forms import MaxLength

TYPED_MAX = 50_000


class SeatingForm(Form):
    file = FileField(
        _l("The list of people coming (a CSV file)"),
        validators=[FileAllowed(["csv", "txt"], _l("Please choose a .csv file."))],
    )
    # Or typed in the room: the same lines as the file, header first.
    typed = TextAreaField(
        _l("Or type the people here, as in the file"), validators=[MaxLength(TYPED_MAX)]
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

    def validate_typed(self, field: Field) -> None:
        if not (field.data or "").strip() and not self.file.data:
            raise ValidationError(_("Please choose the file with the people coming, or type them."))
