"""Forms for organisers."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from coprod.forms import Form
from coprod.models import Phase


class CodesForm(Form):
    count = IntegerField(
        _l("How many codes"), validators=[DataRequired(), NumberRange(min=1, max=5000)]
    )
    lang = SelectField(_l("Language of the letters"))
    # Only in a round with a pot per area: the codes vote in this area's pot.
    area = SelectField(_l("Area of the homes these letters go to"), validate_choice=False)

    def area_id(self) -> int | None:
        """The chosen area's id, if one of the offered areas was chosen."""
        offered = {str(value) for value, _label in self.area.choices or []}
        data = self.area.data or ""
        return int(data) if data in offered and data.isdigit() else None


class PaperForm(Form):
    # i18n: the number printed on a paper ballot, so two typists can find the same sheet.
    sheet = StringField(_l("Sheet number"), validators=[DataRequired(), Length(max=40)])
    code = StringField(_l("Voter code on the paper"), validators=[DataRequired(), Length(max=40)])
    choices = SelectMultipleField(
        _l("Ideas ticked on the paper"),
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class ClearSheetForm(Form):
    """The button that throws away a sheet's typings: the sheet goes in the body, not the
    address, where a sheet number such as 12/3 would break the link."""

    sheet = HiddenField(validators=[DataRequired(), Length(max=40)])


SLUG_RULE = Regexp(r"^[a-z0-9-]+$", message=_l("Use small letters, numbers and dashes."))


class ImportForm(Form):
    file = FileField(
        _l("The election file (.pb)"),
        validators=[FileRequired(), FileAllowed(["pb"], _l("Please choose a .pb file."))],
    )
    title = StringField(
        _l("The round's name"),
        validators=[Optional(), Length(max=200)],
    )
    slug = StringField(
        _l("A short name for the web address"),
        validators=[Optional(), Length(max=80), SLUG_RULE],
    )


class MoveOnForm(Form):
    """The confirmation's button: it names the step, so a second press does not move twice."""

    # Sent as a hidden input (the page names the one next step); a choice, so any other
    # value is refused before the view reads it.
    to = SelectField(choices=[(p.value, p.value) for p in Phase], validators=[DataRequired()])


class PaperSettingsForm(Form):
    double_entry = BooleanField(_l("Paper ballots are typed in twice, by two different people"))


class EmptyForm(Form):
    """A form with only its CSRF token, for buttons."""
