"""Forms for moderators: a message when asking for changes, a reason when saying no."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField

from coprod.forms import Form
from coprod.propose.forms import MaxLength, NoMarkup, Required

MESSAGE_MAX = 2000


class ChangesForm(Form):
    message = TextAreaField(
        _l("What should the group change?"),
        validators=[
            Required(_l("Please tell the group what to change.")),
            MaxLength(MESSAGE_MAX),
            NoMarkup(),
        ],
    )


class RejectForm(Form):
    reason = TextAreaField(
        _l("Why can't this idea go ahead?"),
        validators=[
            Required(_l("Please give the group a reason.")),
            MaxLength(MESSAGE_MAX),
            NoMarkup(),
        ],
    )


class ReviewForm(Form):
    lang = HiddenField()
