"""Forms for the council's pages: sending the top five, answering, and citizens' contacts."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from coprod import words
from coprod.council.labels import STATUS
from coprod.forms import Form
from coprod.models import Decision
from coprod.operations.responses import STATUSES


def _not_in_future(_form, field) -> None:
    if field.data and field.data > date.today():
        raise ValidationError(_("This date is in the future. Please give the day it happened."))


class SendForm(Form):
    # i18n: the councillor or commissioner who must answer the top five priorities.
    decision_maker = SelectField(_l("Who must answer"), coerce=int, validators=[InputRequired()])
    due_on = DateField(_l("Date to answer by"), validators=[DataRequired()])

    def validate_due_on(self, field) -> None:
        if field.data and field.data <= date.today():
            raise ValidationError(_("Please choose a day after today."))


class AnswerForm(Form):
    decision = RadioField(
        _l("The decision"),
        choices=[SelectChoice(d.value, label) for d, label in words.DECISION.items()],
        validators=[InputRequired(message=_l("Please choose a decision."))],
    )
    reason = TextAreaField(
        _l("Why, in plain words"),
        validators=[DataRequired(message=_l("Please say why.")), Length(max=4000)],
    )
    next_step = TextAreaField(_l("What happens next"), validators=[Length(max=2000)])
    decided_on = DateField(
        _l("Date of the decision"), default=date.today, validators=[DataRequired(), _not_in_future]
    )

    @property
    def choice(self) -> Decision:
        return Decision(self.decision.data)


class UpdateForm(Form):
    status = RadioField(
        _l("Where things are now"),
        choices=[SelectChoice(s, STATUS[s]) for s in STATUSES],
        validators=[InputRequired(message=_l("Please choose where things are now."))],
    )
    note = TextAreaField(_l("What happened"), validators=[Length(max=2000)])
    on = DateField(_l("Date"), default=date.today, validators=[DataRequired(), _not_in_future])


class ContactForm(Form):
    address = EmailField(
        _l("Your email address"),
        validators=[
            DataRequired(message=_l("Please type your email address.")),
            Email(message=_l("This does not look like an email address.")),
            Length(max=254),
        ],
        filters=[lambda value: value.strip() if value else value],
    )
