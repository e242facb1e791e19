"""Money and dates read right in every language: one isolated amount with the pound sign the
reader expects, in the language's own digits, and dates in the language's own order."""

import re
from datetime import date
from pathlib import Path

from coprod.extensions import db
from coprod.models import Phase
from tests.factories import make_round

LANGUAGES = ["en", *sorted(p.name for p in Path("translations").iterdir() if p.is_dir())]
# The digits each language is written with (CLDR's default numbering system).
OWN_DIGITS = {"bn": "০১২৩৪৫৬৭৮৯", "pa_Arab": "۰۱۲۳۴۵۶۷۸۹"}
ISOLATED = re.compile("\u2068([^\u2068\u2069]*)\u2069")


def test_an_amount_in_a_sentence_reads_as_one_unit_in_every_language(app, client):
    assert len(LANGUAGES) >= 12  # English and every catalogue, the new ones included
    rnd = make_round(Phase.VOTING, budget=10000)
    rnd.voting_closes = date(2030, 12, 7)
    db.session.commit()
    for lang in LANGUAGES:
        page = client.get(f"/rounds/{rnd.slug}/vote?lang={lang}").get_data(as_text=True)
        # The start page's sentence "You share out £10,000 between the ideas you choose."
        sentence = next(line for line in page.splitlines() if "\u2068" in line)
        amounts = ISOLATED.findall(sentence)
        assert len(amounts) == 1, (lang, sentence)
        amount = amounts[0]
        digits = OWN_DIGITS.get(lang, "0123456789")
        # The pound sign, never "UK£" or "GBP"; the rest is the number's own marks.
        assert re.sub(r"[\d\s,.'\u200e\u200f\u066b\u066c]", "", amount) == "£", (lang, amount)
        assert "".join(c for c in amount if c.isdigit()) == digits[1] + digits[0] * 4, (
            lang,
            amount,
        )
        # The whole amount is inside the isolate: no digit or symbol of it is left outside.
        outside = ISOLATED.sub("", sentence)
        assert "£" not in outside and not any(c.isdigit() for c in outside), (lang, sentence)
        # The date on the same page: the language's digits, never the United States' order.
        when = re.search(r"<li>[^<]*(?:7|" + digits[7] + r")[^<]*</li>", page)
        assert when and digits[2] + digits[0] + digits[3] + digits[0] in when.group(0), lang
        if lang == "en":
            assert "7 December 2030" in page and "December 7" not in page
