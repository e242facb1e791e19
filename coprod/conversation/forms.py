"""Forms for a conversation: a statement in one's own words, and a moderator's theme."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField

from coprod.conversation.models import STATEMENT_MAX
from coprod.forms import Form
from coprod.propose.forms import MaxLength, NoMarkup, Required


class StatementForm(Form):
    # i18n: the box where a citizen writes one short statement in their own words.
    text = TextAreaField(
        _l("Say one thing, in your own words"),
        validators=[
            Required(_l("Please write something first.")),
            MaxLength(STATEMENT_MAX),
            NoMarkup(),
        ],
    )


class ThemeTargetForm(Form):
    """The "turn into a problem / an idea" button, with the round chosen (if any)."""

    round = StringField()


class ThemeForm(Form):
    # i18n: the name a moderator gives to a group of statements that say the same thing.
    name = StringField(
        _l("Name of the theme, in plain words"),
        validators=[Required(_l("Please give the theme a name.")), MaxLength(120), NoMarkup()],
    )


class ThemeCountsForm(Form):
    # i18n: a file of counts collated elsewhere, e.g. how many care plans raised each theme.
    file = FileField(
        _l("A CSV file with three columns: theme, area, count"),
        validators=[FileRequired(), FileAllowed(["csv"], _l("Please choose a .csv file."))],
    )
    source = StringField(
        _l("Where the counts come from, for example: care plans 2026"),
        validators=[Required(_l("Please say where the counts come from.")), MaxLength(200)],
    )


class StartForm(Form):
    # i18n: the question a conversation asks everyone, written by an organiser.
    question = TextAreaField(
        _l("The question people answer"),
        validators=[Required(_l("Please write the question.")), MaxLength(300), NoMarkup()],
    )


class PaperForm(Form):
    # i18n: staff type in a statement someone wrote on paper or said at a meeting.
    text = TextAreaField(
        _l("What they wrote on paper"),
        validators=[
            Required(_l("Please write something first.")),
            MaxLength(STATEMENT_MAX),
            NoMarkup(),
        ],
    )
    lang = SelectField(_l("The language it is written in"))


class StartAloneForm(Form):
    """A conversation without a round, for an area or a service."""

    # i18n: what a conversation without a round is about, e.g. "Support for young carers".
    title = StringField(
        _l("What it is about, in a few words"),
        validators=[Required(_l("Please say what it is about.")), MaxLength(120), NoMarkup()],
    )
    question = TextAreaField(
        _l("The question people answer"),
        validators=[Required(_l("Please write the question.")), MaxLength(300), NoMarkup()],
    )
    # i18n: the end of the conversation's web address, e.g. "young-carers".
    slug = StringField(
        _l("Web address"),
        validators=[Required(_l("Please choose a web address.")), MaxLength(80)],
    )
    area = SelectField(_l("Area"), validate_choice=True)
