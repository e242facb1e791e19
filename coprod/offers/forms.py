"""Forms for offering help and for moderators' decisions on offers."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from coprod.forms import Form
from coprod.propose.forms import MaxLength, NoMarkup, Required, WholeNumberField

WHAT_MAX = 500
CONTACT_MAX = 254
HOURS_MAX = 200  # hours a month: more than anyone could give beside a job


class OfferForm(Form):
    """What someone can give, how often, and how the group may reach them."""

    what = TextAreaField(
        _l("What can you do to help?"),
        validators=[
            Required(_l("Please tell us what you can do.")),
            MaxLength(WHAT_MAX),
            NoMarkup(),
        ],
    )
    hours = WholeNumberField(_l("Hours a month you could give, if you know"))
    contact = StringField(
        _l("How can the group reach you?"),
        validators=[
            Required(_l("Please tell us how the group can reach you.")),
            MaxLength(CONTACT_MAX),
            NoMarkup(),
        ],
    )
    consent = BooleanField(
        _l("I agree that this group may see how to reach me, to ask for my help.")
    )

    def validate_consent(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_("Please tick the box, or the group cannot reach you."))

    def validate_hours(self, field: Field) -> None:
        if field.data is not None and field.data > HOURS_MAX:
            raise ValidationError(
                ngettext(
                    "Please give at most %(num)d hour a month.",
                    "Please give at most %(num)d hours a month.",
                    HOURS_MAX,
                )
            )


class RoundOfferForm(OfferForm):
    """An offer for an area or a theme of a round, to a group the person chooses."""

    target = SelectField(_l("What is your offer for?"))
    group = SelectField(_l("Which group may reach you?"))
