"""Forms for the community map: marking a barrier, adding an asset, a remedy's place, outlines."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from coprod.forms import Form
from coprod.map.models import NAME_MAX, NOTE_MAX
from coprod.propose.forms import MaxLength, NoMarkup, Required

ABOUT_MAX = 500


class PlaceForm(Form):
    """A place: a landmark from the list, or a press on the map picture (read by the view)."""

    landmark = SelectField(
        _l("Choose a street or a place from the list"), choices=[""], validate_choice=False
    )
    # Only for a group member typing in what was written on a paper sheet.
    from_paper = BooleanField(_l("I am typing this in from a paper sheet"))

    def set_landmarks(self, names: list[str]) -> None:
        # i18n: the first choice in the list of streets and places, when none is chosen.
        self.landmark.choices = [("", _l("None: I will press on the map"))] + [
            (n, n) for n in names
        ]


class BarrierMarkForm(PlaceForm):
    barrier = RadioField(
        _l("Which problem is it?"),
        choices=[],
        validate_choice=False,
        validators=[Required(_l("Please choose a problem."))],
    )
    note = TextAreaField(
        _l("What happens there? (if you want to say)"),
        validators=[MaxLength(NOTE_MAX), NoMarkup()],
    )


class AssetForm(PlaceForm):
    name = StringField(
        _l("What is it called?"),
        validators=[Required(_l("Please give it a name.")), MaxLength(NAME_MAX), NoMarkup()],
    )
    about = TextAreaField(
        _l("What does it offer, and when?"),
        validators=[MaxLength(ABOUT_MAX), NoMarkup()],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RemedyPlaceForm(PlaceForm):
    nowhere = BooleanField(_l("It does not happen in one place"))
    assets = MultiCheckboxField(
        _l("What it would use that the community already has"), choices=[], validate_choice=False
    )


class OutlineForm(Form):
    area = SelectField(_l("Area"), choices=[], validate_choice=False)
    file = FileField(
        _l("The map of the area (a GeoJSON file)"),
        validators=[FileRequired(_l("Please choose a GeoJSON file."))],
    )
