"""The organiser's form: who is coming (a CSV file), how many tables, how many sessions."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, ValidationError

from coprod.forms import Form
from coprod.propose.forms import MaxLength, NoMarkup, Required, int_or_none

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


ROLES = (
    ("resident", _l("Someone who lives here")),
    ("officer", _l("Council officer")),
    ("councillor", _l("Councillor")),
    ("provider", _l("Someone who runs a service")),
    ("other", _l("Something else")),
)


class StartForm(Form):
    """An organiser starts a workshop: its name, the round the room rates, how many tables."""

    name = StringField(
        _l("Name"),
        validators=[Required(_l("Please fill this in.")), MaxLength(200), NoMarkup()],
    )
    round = SelectField(
        _l("Round to rate at this workshop"), coerce=int_or_none, validate_choice=False
    )
    tables = IntegerField(
        _l("How many tables"),
        default=8,
        validators=[
            InputRequired(_l("Please say how many tables.")),
            NumberRange(1, 200, _l("Please give a number from %(min)s to %(max)s.")),
        ],
    )


class SignInForm(Form):
    """Someone arriving types the code on the screen and the facts they choose to give."""

    code = StringField(
        _l("The code on the screen"),
        validators=[Required(_l("Please fill this in.")), MaxLength(20)],
    )
    name = StringField(
        _l("Your name"),
        validators=[Required(_l("Please fill this in.")), MaxLength(200), NoMarkup()],
    )
    role = SelectField(_l("Role"), choices=ROLES, default="resident")
    organisation = StringField(_l("Organisation, if any"), validators=[MaxLength(200), NoMarkup()])
    language = StringField(_l("Language"), validators=[MaxLength(40), NoMarkup()])
    area = StringField(_l("Area"), validators=[MaxLength(200), NoMarkup()])
    needs_interpreter = BooleanField(_l("I would like an interpreter"))
    interprets = StringField(
        _l("If you are here to interpret: the language"), validators=[MaxLength(40), NoMarkup()]
    )


class TableCodeForm(Form):
    code = StringField(
        _l("The table's code"),
        validators=[Required(_l("Please fill this in.")), MaxLength(20)],
    )


class EntryForm(Form):
    """A table writes down a problem (brick) or an idea (remedy)."""

    kind = SelectField(
        _l("What is it?"), choices=(("barrier", _l("Problem")), ("remedy", _l("Idea")))
    )
    text = TextAreaField(
        _l("In your own words"),
        validators=[Required(_l("Please fill this in.")), MaxLength(1000), NoMarkup()],
    )


class SeatForm(Form):
    sessions = IntegerField(
        _l("How many sessions (people move tables between them)"),
        default=3,
        validators=[
            InputRequired(_l("Please say how many sessions.")),
            NumberRange(1, 10, _l("Please give a number from %(min)s to %(max)s.")),
        ],
    )


NOTE_KINDS = (("barrier", _l("A problem")), ("remedy", _l("An idea")))


class NotesForm(Form):
    """An organiser takes tables' notes into a round; a box, a kind and words for each note
    (added per workshop by `notes_form`)."""

    round = SelectField(_l("The round they go to"), coerce=int_or_none, validate_choice=False)

    def validate_round(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_("Please choose the round."))


def notes_form(entries: list) -> NotesForm:
    """The form for these notes: `take_<id>`, `kind_<id>` and `words_<id>` for each."""

    class ForTheseNotes(NotesForm):
        pass

    for e in entries:
        setattr(ForTheseNotes, f"take_{e.id}", BooleanField(_l("Take this note")))
        setattr(
            ForTheseNotes,
            f"kind_{e.id}",
            SelectField(_l("It goes in as"), choices=NOTE_KINDS, default=e.kind),
        )
        setattr(
            ForTheseNotes,
            f"words_{e.id}",
            TextAreaField(
                _l("In these words (you can change them)"),
                default=e.text,
                validators=[MaxLength(1000), NoMarkup()],
            ),
        )
    return ForTheseNotes()
