"""Forms for taking part."""

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from coprod.forms import Form


class CodeForm(Form):
    class Meta:
        # CSRFProtect checks every POST; the page carries `csrf_token()`, so it can be shared.
        csrf = False

    # i18n: label of the box where a citizen types the code from their letter.
    code = StringField(_l("Your voter code"), validators=[DataRequired(), Length(max=40)])


class ReceiptForm(Form):
    receipt = StringField(_l("Your receipt"), validators=[DataRequired(), Length(max=40)])


# Marks from 1 to 5, read from radio buttons named `<kind>-<id>` (a rating page, a typed-in
# rating sheet): one form field per idea would be a form class per round.
SCALE = range(1, 6)
SCORES = {str(n) for n in SCALE}


def read_scores(kind: str, allowed: set[int]) -> dict[int, int]:
    """Read `kind-<id>` radios; skipped or tampered answers are left out, never guessed."""
    scores = {}
    for name, value in request.form.items():
        prefix, _sep, ident = name.partition("-")
        if prefix == kind and ident.isdigit() and int(ident) in allowed and value in SCORES:
            scores[int(ident)] = int(value)
    return scores
