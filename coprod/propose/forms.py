"""Forms for community groups: signing up, new passwords, proposals, translations, reports."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, EqualTo, StopValidation, ValidationError

from coprod.forms import Form
from coprod.templating import money

PASSWORD_MIN = 10
# The sign-in form takes at most this many characters (accounts/forms.py), so no longer one.
PASSWORD_MAX = 200
TITLE_MAX, SUMMARY_MAX, TEXT_MAX, NAME_MAX, REASON_MAX = 120, 300, 2000, 200, 1000
# Bigger than any council budget, small enough for every database's integer.
MONEY_MAX = 1_000_000_000
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]")
_NUMBER = re.compile(r"\d+|\d{1,3}(,\d{3})+")


def int_or_none(value: str | int | None) -> int | None:
    """Coerce a select's value: '' (nothing chosen) becomes None."""
    return None if value in ("", None, "None") else int(value)


class Required:
    """The field must have something in it other than spaces."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(str(self.message or _("Please fill this in.")))


class MaxLength:
    """At most `most` characters, with a message that says how many were typed.

    Spaces at the ends do not count (texts are stored without them), except with
    `trim=False`, for passwords, which are used exactly as typed.
    """

    def __init__(self, most: int, *, trim: bool = True) -> None:
        self.most, self.trim = most, trim

    def __call__(self, form: Form, field: Field) -> None:
        length = len((field.data or "").strip() if self.trim else (field.data or ""))
        if length > self.most:
            raise ValidationError(
                ngettext(
                    "Please use %(num)d character or fewer. You wrote %(length)d.",
                    "Please use %(num)d characters or fewer. You wrote %(length)d.",
                    self.most,
                    length=length,
                )
            )


class MinLength:
    """At least `least` characters (for passwords)."""

    def __init__(self, least: int) -> None:
        self.least = least

    def __call__(self, form: Form, field: Field) -> None:
        if len(field.data or "") < self.least:
            raise ValidationError(
                ngettext(
                    "Please use at least %(num)d character.",
                    "Please use at least %(num)d characters.",
                    self.least,
                )
            )


class NoMarkup:
    """Refuse HTML tags, so nobody is tempted to think their markup will work."""

    def __call__(self, form: Form, field: Field) -> None:
        if _MARKUP.search(field.data or ""):
            raise ValidationError(
                # i18n: shown when someone types HTML such as <b> or <script> into a box.
                _("Please write plain words without HTML tags, like <b> or <script>.")
            )


class WholeNumberField(StringField):
    """An amount of money in whole pounds (or the round's currency); keeps what was typed."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        typed = re.sub(r"[\s£$€]", "", valuelist[0] if valuelist else "")
        if not typed:
            return
        if not _NUMBER.fullmatch(typed):
            raise ValueError(_("Please write a whole number, like 1500, with no pence or cents."))
        self.data = int(typed.replace(",", ""))
        if self.data > MONEY_MAX:
            self.data = None
            raise ValueError(_("This number is too big. Please check it."))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


def _email_field() -> EmailField:
    return EmailField(
        _l("Email address"),
        validators=[
            Required(),
            Email(message=_l("Please write a whole email address, like name@example.org.")),
            MaxLength(254),
        ],
    )


def _password_field(label) -> PasswordField:
    """A new password: long enough to be safe, short enough for the sign-in form."""
    return PasswordField(
        label,
        validators=[Required(), MinLength(PASSWORD_MIN), MaxLength(PASSWORD_MAX, trim=False)],
    )


class SignUpForm(Form):
    name = StringField(_l("Your name"), validators=[Required(), MaxLength(NAME_MAX), NoMarkup()])
    group = SelectField(_l("Your group"), coerce=int_or_none)
    new_group = StringField(
        _l("Name of your new group"), validators=[MaxLength(NAME_MAX), NoMarkup()]
    )
    email = _email_field()
    password = _password_field(_l("Choose a password"))
    lang = SelectField(_l("The language you read best"))

    def validate_new_group(self, field: Field) -> None:
        if self.group.data is None and not (field.data or "").strip():
            raise ValidationError(
                _("Choose your group from the list, or write the name of your new group.")
            )


class ForgotPasswordForm(Form):
    email = _email_field()


class NewPasswordForm(Form):
    password = _password_field(_l("New password"))
    again = PasswordField(
        _l("The same password again"),
        validators=[
            Required(),
            EqualTo(
                "password", message=_l("The two passwords are not the same. Please try again.")
            ),
        ],
    )


def _text(label: str, most: int, *required: Required) -> TextAreaField:
    return TextAreaField(label, validators=[*required, MaxLength(most), NoMarkup()])


class ProposalForm(Form):
    """The workshop's own template: now we do X, it costs M; we propose Y, it costs N."""

    title = StringField(
        _l("A short name for your idea"),
        validators=[
            Required(_l("Please give your idea a short name.")),
            MaxLength(TITLE_MAX),
            NoMarkup(),
        ],
    )
    summary = _text(_l("Your idea in one sentence"), SUMMARY_MAX)
    barrier = SelectField(_l("The problem it tackles"), coerce=int_or_none)
    now = _text(_l("What happens now"), TEXT_MAX)
    now_cost = WholeNumberField(_l("What it costs now, if you know"))
    proposal = _text(_l("What we propose"), TEXT_MAX)
    proposal_cost = WholeNumberField(_l("What it would cost, if you know"))
    who_helps = _text(_l("Who it helps"), TEXT_MAX)
    offer = _text(_l("What our group can offer"), TEXT_MAX)
    # i18n: what an idea needs beyond money, e.g. 4 volunteers for 2 hours a month.
    helpers_wanted = WholeNumberField(_l("How many helpers you need, besides money"))
    helper_hours = WholeNumberField(_l("Hours a month for each helper"))
    from_paper = BooleanField(_l("I am typing this in from a paper sheet"))
    # i18n: the amount that voters will see next to the idea on the ballot.
    cost = WholeNumberField(_l("Money you ask for"))
    area = SelectField(_l("Area"), coerce=int_or_none)
    # Only in a round whose money is in pots: which pot the idea asks from.
    pot = SelectField(_l("The money it asks from"), coerce=int_or_none, validate_choice=False)
    lang = SelectField(_l("The language you are writing in"))

    # Set by the view: the round's budget caps what a group may ask for; in a round with
    # pots, the chosen pot's budget (`pot_budgets`: pot id -> budget; empty without pots).
    budget: int | None = None
    pot_budgets: dict[int, int] = {}  # replaced (never changed) by the view
    currency = "GBP"

    def validate_pot(self, field: Field) -> None:
        if not self.pot_budgets:
            return
        if field.data not in self.pot_budgets:
            field.data = None
            raise ValidationError(_("Please choose which money your idea asks from."))

    TEXTS = ("title", "summary", "now", "proposal", "who_helps", "offer")
    NEEDED_TO_SEND = (*TEXTS, "cost")

    def validate_cost(self, field: Field) -> None:
        if self.pot_budgets and self.pot.data in self.pot_budgets:
            budget = self.pot_budgets[self.pot.data]
            if field.data is not None and field.data > budget:
                raise ValidationError(
                    _(
                        "This is more than all the money in this pot (%(budget)s). "
                        "Please ask for less.",
                        budget=money(budget, self.currency),
                    )
                )
        if field.data is not None and self.budget is not None and field.data > self.budget:
            raise ValidationError(
                _(
                    "This is more than all the money in this round (%(budget)s). "
                    "Please ask for less.",
                    budget=money(self.budget, self.currency),
                )
            )

    def ready_to_send(self) -> bool:
        """Check what must be filled in before a moderator sees it; mark each gap."""
        ready = True
        for name in self.NEEDED_TO_SEND:
            f = self[name]
            empty = not f.data if name == "cost" else not (f.data or "").strip()
            if empty and not f.errors:
                f.errors.append(
                    _("Please say how much money you ask for.")
                    if name == "cost"
                    else _("Please fill this in before you send your idea.")
                )
            ready = ready and not empty
        if self.barrier.choices and len(self.barrier.choices) > 1 and self.barrier.data is None:
            self.barrier.errors.append(_("Please choose the problem your idea tackles."))
            ready = False
        return ready and not self.errors


class TranslationForm(Form):
    # Each box sits under the part it translates, so one label fits them all.
    title = StringField(_l("Your translation"), validators=[MaxLength(TITLE_MAX), NoMarkup()])
    summary = _text(_l("Your translation"), SUMMARY_MAX)
    now = _text(_l("Your translation"), TEXT_MAX)
    proposal = _text(_l("Your translation"), TEXT_MAX)
    who_helps = _text(_l("Your translation"), TEXT_MAX)
    offer = _text(_l("Your translation"), TEXT_MAX)

    FIELDS = ("title", "summary", "now", "proposal", "who_helps", "offer")

    def validate_title(self, field: Field) -> None:
        if not any((self[name].data or "").strip() for name in self.FIELDS):
            raise ValidationError(_("Please translate at least one part."))


class ChooseLanguageForm(Form):
    class Meta:
        csrf = False  # a GET form that only chooses what to show

    to = SelectField(_l("Translate into"))


class ReportForm(Form):
    reason = TextAreaField(
        _l("What is wrong with this idea?"),
        validators=[Required(_l("Please tell us what is wrong.")), MaxLength(REASON_MAX)],
    )


class EmptyForm(Form):
    """A form with only its CSRF token, for buttons."""
