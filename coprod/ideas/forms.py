"""Forms for ideas outside rounds: putting one up, supporting it, thresholds, answers."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    EmailField,
    Field,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, ValidationError

from coprod.forms import Form
from coprod.ideas.models import IdeaAnswer
from coprod.propose.forms import (
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    MaxLength,
    NoMarkup,
    Required,
    WholeNumberField,
    int_or_none,
)

ANSWER_WORDS = {
    IdeaAnswer.WILL_DO: _l("Yes, we will do it"),
    IdeaAnswer.NEXT_BALLOT: _l("Yes, it will be on the next round's ballot"),
    IdeaAnswer.NO: _l("No, and this is why"),
    IdeaAnswer.MORE_INFO: _l("We need more information"),
}
ADDRESS_MAX = 400
REASON_MAX = 4000


def _text(label, message) -> TextAreaField:
    return TextAreaField(label, validators=[Required(message), MaxLength(TEXT_MAX), NoMarkup()])


class IdeaForm(Form):
    """The workshop's template: now we do X, it costs M; we propose Y, it costs N."""

    area = SelectField(_l("Which area is it for?"), coerce=int_or_none)
    title = StringField(
        _l("A short name for your idea"),
        validators=[
            Required(_l("Please give your idea a name.")),
            MaxLength(TITLE_MAX),
            NoMarkup(),
        ],
    )
    now = _text(_l("What happens now?"), _l("Please say what happens now."))
    now_cost = WholeNumberField(_l("What it costs now, if you know"))
    proposal = _text(_l("What do you propose?"), _l("Please say what you propose."))
    proposal_cost = WholeNumberField(_l("What your idea would cost, if you know"))

    def validate_area(self, field: Field) -> None:
        if field.data is None:
            raise ValidationError(_("Please choose an area."))


class IdeaChangeForm(IdeaForm):
    """The author's changes, asked for by a moderator: the same template, the area kept."""

    area = None  # type: ignore[assignment]


class EmailSupportForm(Form):
    email = EmailField(
        _l("Your email address"),
        validators=[
            Required(),
            Email(message=_l("Please write a whole email address, like name@example.org.")),
            MaxLength(254),
        ],
    )


class CodeSupportForm(Form):
    code = StringField(
        _l("Your voter code"),
        validators=[Required(_l("Please type your voter code.")), MaxLength(40)],
    )


class PaperSupportForm(Form):
    name = StringField(
        _l("Name on the form"), validators=[Required(), MaxLength(NAME_MAX), NoMarkup()]
    )
    address = TextAreaField(
        _l("Address on the form"), validators=[Required(), MaxLength(ADDRESS_MAX), NoMarkup()]
    )


class RuleForm(Form):
    supporters = WholeNumberField(_l("Number of supporters needed"))
    percent = WholeNumberField(_l("Or: share of the area's people, in parts per thousand"))
    answer_days = WholeNumberField(
        _l("Days the council has to answer"), validators=[InputRequired()]
    )
    decision_maker = SelectField(_l("Who must answer"), coerce=int_or_none)
    keep_days = WholeNumberField(
        _l("Days to keep names and addresses from paper forms after the answer"),
        validators=[InputRequired()],
    )

    def validate_supporters(self, field: Field) -> None:
        if not field.data and not self.percent.data:
            raise ValidationError(_("Please give a number of supporters or a share."))

    def validate_percent(self, field: Field) -> None:
        if field.data is not None and field.data > 1000:
            raise ValidationError(_("Please give at most 1000 parts per thousand."))

    def validate_answer_days(self, field: Field) -> None:
        if not field.data or field.data > 365:
            raise ValidationError(_("Please give a number of days from 1 to 365."))

    def validate_keep_days(self, field: Field) -> None:
        if field.data is None or field.data > 3650:
            raise ValidationError(_("Please give a number of days from 0 to 3650."))


def _not_in_future(_form, field) -> None:
    if field.data and field.data > date.today():
        raise ValidationError(_("This date is in the future. Please give the day it happened."))


class IdeaAnswerForm(Form):
    decision = RadioField(
        _l("The answer"),
        choices=[SelectChoice(a.value, label) for a, label in ANSWER_WORDS.items()],
        validators=[InputRequired(message=_l("Please choose an answer."))],
    )
    reason = TextAreaField(
        _l("Why, in plain words"),
        validators=[Required(_l("Please say why.")), MaxLength(REASON_MAX), NoMarkup()],
    )
    decided_on = DateField(
        _l("Date of the decision"), default=date.today, validators=[DataRequired(), _not_in_future]
    )

    @property
    def choice(self) -> IdeaAnswer:
        return IdeaAnswer(self.decision.data)


class TranslateAnswerForm(Form):
    lang = SelectField(_l("Language"))
    reason = TextAreaField(
        _l("The answer in this language"),
        validators=[Required(), MaxLength(REASON_MAX), NoMarkup()],
    )
