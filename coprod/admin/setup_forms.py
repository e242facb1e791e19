"""The questions an organiser answers to set a round up, one screen each.

Numbers and dates are typed as text and read here, so a wrong one gets our own plain,
translated message (not the form library's) and what was typed stays in the box.
"""

import unicodedata
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from coprod.forms import Form
from coprod.models import BallotType, Eligibility

SKIP = {"Zs", "Sc"}  # spaces of every kind, currency signs
MAX_MONEY = 1_000_000_000  # a pot; the round's total must fit the database's whole numbers
MAX_TOTAL = 2_000_000_000
MAX_PEOPLE = 100_000_000
MAX_CHOICES = 1000
CURRENCIES = ("GBP", "EUR", "USD", "PLN", "RON", "CHF", "SEK", "NOK", "DKK", "CAD", "AUD")

# The count rules the count core runs for a round of ours (a threshold rule needs numbers
# only an imported file has), Equal Shares first: it is the default.
RULES = {
    # Add1u, as equalshares.net's default: Equal Shares can leave much of the money unspent.
    "equalshares/add1u": (
        _l("Equal Shares, then most votes for any money left (the usual choice)"),
        _l(
            "Every voter gets an equal share of the money. An idea is paid for when the "
            "people who chose it have enough money between them, so every group of voters "
            "gets a fair part. Any money left then goes to the ideas with the most votes "
            "that still fit."
        ),
    ),
    "equalshares/add1": (
        _l("Equal Shares only"),
        _l(
            "Every voter gets an equal share of the money. An idea is paid for when the "
            "people who chose it have enough money between them, so every group of voters "
            "gets a fair part. Some money may be left unspent."
        ),
    ),
    "equalshares/add1-comparison": (
        _l("Equal Shares, checked against “most votes first”"),
        _l(
            "Works out both Equal Shares and “most votes first”, then uses the one that "
            "more voters prefer."
        ),
    ),
    "greedy": (
        _l("Most votes first"),
        _l(
            "The ideas with the most votes get the money first. An idea that costs more "
            "than the money left is skipped, and the next one is tried."
        ),
    ),
    "greedy-no-skip": (
        _l("Most votes first, stopping at the first idea that does not fit"),
        _l(
            "The ideas with the most votes get the money first. It stops at the first idea "
            "that costs more than the money left."
        ),
    ),
}


def read_whole(text: str | None, most: int) -> tuple[int | None, str | None]:
    """A whole number typed in a box ("25,000" too), or why it is not one; (None, None) if
    the box is empty."""
    # Spaces, thousands separators and a currency sign are how people write money.
    cleaned = "".join(
        c for c in (text or "").strip() if c not in ",_'" and unicodedata.category(c) not in SKIP
    )
    if not cleaned:
        return None, None
    if cleaned.startswith("-") and cleaned[1:].isdecimal():
        return None, _("Give a number of 0 or more.")
    if not cleaned.isdecimal() or len(cleaned) > 30:
        return None, _("Give a whole number, like 25000.")
    value = int(cleaned)
    if value > most:
        return None, _("This number is too big. The most is %(most)s.", most=f"{most:,}")
    return value, None


def read_day(text: str | None) -> tuple[date | None, str | None]:
    """A date typed as 2027-03-27 (or 27/03/2027), or why it is not one."""
    text = (text or "").strip()
    if not text:
        return None, _("Give a date.")
    try:
        if "/" in text:
            day_, month, year = (int(p) for p in text.split("/"))
            value = date(year, month, day_)
        else:
            value = date.fromisoformat(text)
    except (ValueError, OverflowError):
        return None, _("Give a real date, like 2027-03-27.")
    if not 2000 <= value.year <= 2100:
        return None, _("Give a date between the years 2000 and 2100.")
    return value, None


class WholeNumber:
    """A whole number from 0 (or `least`) to `most`; the number is kept on `field.number`."""

    def __init__(self, most: int, least: int = 0, required: bool = True) -> None:
        self.most, self.least, self.required = most, least, required

    def __call__(self, form, field) -> None:
        field.number, problem = read_whole(field.data, self.most)
        if problem:
            raise ValidationError(problem)
        if field.number is None and self.required:
            raise ValidationError(_("Give a number."))
        if field.number is not None and field.number < self.least:
            raise ValidationError(_("Give a number of %(least)s or more.", least=self.least))


class NameForm(Form):
    title = StringField(
        _l("The round's name"),
        validators=[
            InputRequired(message=_l("Give the round a name.")),
            Length(max=200, message=_l("Keep the name under 200 letters.")),
        ],
    )
    summary = TextAreaField(
        _l("Introduction"),
        validators=[
            InputRequired(message=_l("Write a short introduction.")),
            Length(max=5000, message=_l("Keep the introduction under 5,000 letters.")),
        ],
    )

    def validate_title(self, field) -> None:
        if not field.data.strip():
            raise ValidationError(_("Give the round a name."))

    def validate_summary(self, field) -> None:
        if not field.data.strip():
            raise ValidationError(_("Write a short introduction."))


class LanguagesForm(Form):
    languages = SelectMultipleField(
        _l("Other languages"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # our own message for a code we do not serve
    )

    def validate_languages(self, field) -> None:
        offered = {code for code, _name in field.choices}
        if any(code not in offered for code in field.data or ()):
            raise ValidationError(_("Choose only languages from the list."))


class AreasForm(Form):
    """The areas themselves are rows read by the view; this holds the whole-place pot."""

    whole_place = BooleanField(_l("Also have one pot of money for the whole place"))
    whole_place_budget = StringField(_l("Money for the whole place"))


class MoneyForm(Form):
    currency = RadioField(
        _l("Currency"),
        choices=[(c, c) for c in CURRENCIES],
        default="GBP",
        validate_choice=False,
    )
    budget = StringField(_l("Money to share out"))
    min_spend_percent = StringField(
        _l("Smallest share of the money each vote must spend (%)"),
        default="0",
        validators=[WholeNumber(100)],
    )

    has_areas = False  # with areas, the money is their pots added up: no box to fill

    def validate_currency(self, field) -> None:
        if field.data not in CURRENCIES:
            raise ValidationError(_("Choose a currency from the list."))

    def validate_budget(self, field) -> None:
        field.number = None
        if self.has_areas:
            return
        field.number, problem = read_whole(field.data, MAX_TOTAL)
        if problem:
            raise ValidationError(problem)
        if field.number is None:
            raise ValidationError(_("Give the money to share out."))


class BallotForm(Form):
    ballot_type = RadioField(
        _l("How people vote"),
        choices=[
            (BallotType.KNAPSACK.value, _l("Share out the money: choose ideas up to the budget")),
            (BallotType.APPROVAL.value, _l("Choose up to a number of ideas")),
        ],
        default=BallotType.KNAPSACK.value,
        validate_choice=False,
    )
    max_choices = StringField(_l("How many ideas each voter may choose, at most"))

    def validate_ballot_type(self, field) -> None:
        if field.data not in {b.value for b in BallotType}:
            raise ValidationError(_("Choose how people vote."))

    def validate_max_choices(self, field) -> None:
        field.number = None
        if self.ballot_type.data != BallotType.APPROVAL.value:
            return
        field.number, problem = read_whole(field.data, MAX_CHOICES)
        if problem:
            raise ValidationError(problem)
        if not field.number:
            raise ValidationError(_("Give how many ideas each voter may choose: 1 or more."))


class RuleForm(Form):
    tally_rule = RadioField(
        _l("How the votes are counted"),
        choices=[(rule, label) for rule, (label, _sentence) in RULES.items()],
        default="equalshares/add1",
        validate_choice=False,
    )

    def validate_tally_rule(self, field) -> None:
        if field.data not in RULES:
            raise ValidationError(_("Choose how the votes are counted."))


class WhoForm(Form):
    eligibility = RadioField(
        _l("Who may give their views before the vote"),
        choices=[
            (Eligibility.CODE.value, _l("Only people with a voter code from a letter")),
            (
                Eligibility.OPEN_RATING.value,
                _l("Anyone may rate the problems and ideas; voting still needs a code"),
            ),
        ],
        default=Eligibility.CODE.value,
        validate_choice=False,
    )
    paper = RadioField(
        _l("Paper ballots"),
        choices=[
            ("once", _l("Each paper ballot is typed in by one person")),
            (
                "twice",
                _l("Each paper ballot is typed in by two people, and counts when both agree"),
            ),
        ],
        default="once",
        validate_choice=False,
    )

    def validate_eligibility(self, field) -> None:
        if field.data not in {e.value for e in Eligibility}:
            raise ValidationError(_("Choose who may take part."))

    def validate_paper(self, field) -> None:
        if field.data not in ("once", "twice"):
            raise ValidationError(_("Choose how paper ballots are typed in."))


DATE_LABELS = {
    "proposing_opens": _l("Date ideas can be sent from"),
    "rating_opens": _l("Date rating opens"),
    "voting_opens": _l("Date voting opens"),
    "voting_closes": _l("Date voting closes"),
    "responses_due": _l("Date the council answers by"),
}


class DatesForm(Form):
    proposing_opens = StringField(DATE_LABELS["proposing_opens"])
    rating_opens = StringField(DATE_LABELS["rating_opens"])
    voting_opens = StringField(DATE_LABELS["voting_opens"])
    voting_closes = StringField(DATE_LABELS["voting_closes"])
    responses_due = StringField(DATE_LABELS["responses_due"])

    def validate(self, extra_validators=None) -> bool:
        """Each date must be real, and each on or after the one before (voting closes after
        it opens)."""
        fine = super().validate(extra_validators)
        self.days: dict[str, date] = {}
        before: tuple[str, date] | None = None
        for name in DATE_LABELS:
            field = self[name]
            value, problem = read_day(field.data)
            if problem:
                field.errors.append(problem)
                fine = False
                continue
            assert value is not None
            self.days[name] = value
            if before is not None:
                earlier, when = before
                if value < when or (name == "voting_closes" and value == when):
                    field.errors.append(
                        _(
                            "“%(this)s” must come after “%(earlier)s” (%(when)s).",
                            this=DATE_LABELS[name],
                            earlier=DATE_LABELS[earlier],
                            when=when.isoformat(),
                        )
                    )
                    fine = False
            before = (name, value)
        return fine


class ConfirmForm(Form):
    """The one button at the end: make the round, save the changes, or delete."""
