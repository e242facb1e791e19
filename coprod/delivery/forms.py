"""Forms for delivery: the facts (stage, dates, money), updates with photos, case studies."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, Field, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from coprod.forms import Form
from coprod.propose.forms import TEXT_MAX, MaxLength, NoMarkup, WholeNumberField

STAGE_WORDS = {
    "planned": _l("Planned"),
    "started": _l("Started"),
    "done": _l("Done"),
}


class FactsForm(Form):
    stage = RadioField(
        _l("Where things are now"),
        choices=[SelectChoice(k, v) for k, v in STAGE_WORDS.items()],
        validators=[InputRequired(message=_l("Please choose where things are now."))],
    )
    responsible = StringField(_l("Who is responsible"), validators=[MaxLength(200), NoMarkup()])
    money_promised = WholeNumberField(_l("Money promised"), validators=[InputRequired()])
    money_spent = WholeNumberField(_l("Money spent so far"), validators=[InputRequired()])
    start_promised = DateField(_l("Promised start date"), validators=[Optional()])
    started_on = DateField(_l("Date it started"), validators=[Optional()])
    done_promised = DateField(_l("Promised finish date"), validators=[Optional()])
    done_on = DateField(_l("Date it finished"), validators=[Optional()])


class UpdateForm(Form):
    note = TextAreaField(
        _l("What happened"), validators=[DataRequired(), MaxLength(TEXT_MAX), NoMarkup()]
    )
    photo = FileField(_l("A photo, if you have one"))
    photo_url = StringField(_l("Or the address of a photo on the web"), validators=[MaxLength(500)])
    photo_alt = StringField(
        _l("What the photo shows, for people who cannot see it"),
        validators=[MaxLength(300), NoMarkup()],
    )

    def validate_photo_url(self, field: Field) -> None:
        if field.data and not field.data.strip().startswith(("https://", "http://")):
            raise ValidationError(_("Please give an address that starts with https://"))

    def validate_photo_alt(self, field: Field) -> None:
        has_photo = bool(self.photo.data) or bool((self.photo_url.data or "").strip())
        if has_photo and not (field.data or "").strip():
            raise ValidationError(_("Please say what the photo shows."))


# Each part of a case study is short enough that all four print on one A4 page, in every
# script (checked in the browser tests).
CASE_MAX = 500


def _part(label, required: bool = True) -> TextAreaField:
    first = [DataRequired()] if required else []
    return TextAreaField(label, validators=[*first, MaxLength(CASE_MAX), NoMarkup()])


class CaseStudyForm(Form):
    before = _part(_l("We used to do"))
    before_cost = WholeNumberField(_l("It cost"))
    after = _part(_l("Now we do"))
    after_cost = WholeNumberField(_l("It costs"))
    who = _part(_l("What changed, and for whom"))
    stories = _part(_l("People's own stories"), required=False)
    consent = BooleanField(_l("The people in these stories agreed to share them."))

    def validate_consent(self, field: Field) -> None:
        if (self.stories.data or "").strip() and not field.data:
            raise ValidationError(_("Please tick the box, or leave the stories out."))
