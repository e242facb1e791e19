"""The interface's own English strings on citizen pages pass the plain-language checker.

See docs/plain-words.md: no word the project replaced, no management word, no glossary term
but the few the site uses and explains where they appear.
"""

from pathlib import Path

from babel.messages.pofile import read_po

from coprod.plain import MANAGEMENT_WORDS, find_jargon, load_seed
from coprod.plain.wordlist import AVOID

POT = Path(__file__).resolve().parents[2] / "translations" / "messages.pot"
# The files of the pages citizens read; a string used only elsewhere is for staff or groups.
CITIZEN_FILES = (
    "templates/base.html",
    "templates/macros.html",
    "templates/forms.html",
    "templates/public/",
    "templates/participate/",
    "templates/results/",
    "templates/ideas/idea.html",
    "templates/ideas/index.html",
    "templates/ideas/new.html",
    "templates/ideas/confirm.html",
    "templates/following/",
    "templates/easyread/",
    "templates/errors/",
    "templates/translate/suggest.html",
    "coprod/results/",
    "coprod/participate/",
    "coprod/public/",
    "coprod/easyread/",
)
# Glossary words the site itself uses and explains where they appear.
SITE_WORDS = {"ballot", "receipt", "voter-code", "method-of-equal-shares"}
# Citizen strings that may keep their word: a file type on the page for checking the count,
# and a proper name.
ALLOWED = {
    "Ballots in pabulib format (.pb)",
    "If you are not happy with how we use your data, you can complain to the Information "
    "Commissioner's Office (ICO): ico.org.uk, phone 0303 123 1113.",
}
# Citizen strings still to be reworded (issue 18). This list may only shrink.
STILL_TO_CHANGE = {
    "Voting is not open in this round.",
    "This code cannot vote for any idea in this round. Please ask the council for help.",
    "This round is not taking votes or ratings right now.",
    "Rating is not open in this round.",
    "We couldn't find a ballot with this receipt in this round. Check the letters.",
    "Contact us for a new voter code, a paper ballot, another format, or any question about "
    "a round.",
    "Each round has a sum of money for your area. You and your neighbours decide how to spend it.",
    "We use it only to tell you when the council answers. It is kept apart from votes and "
    "deleted a set time after the round ends. The organisers can see it.",
    "The top five priorities go to a named person at the council. They must answer in public "
    "by a set date: yes, in part, not now, or no, and why. Late answers show as late.",
    "Almost. Whenever enough voters all chose the same ideas to pay for them with their equal "
    "parts of the money, at least one of them would have got as much if one more of those "
    "ideas had been funded.",
    "Together, too: whenever enough voters all chose the same ideas to pay for them, the "
    "funded ideas that any of them chose are worth as much as those ideas (experts call this "
    '"Proportional Justified Representation", PJR).',
    "Not even together: some voters all chose the same ideas and were enough to pay for them, "
    "but the funded ideas that any of them chose are worth less than those ideas (experts "
    'call this "Proportional Justified Representation", PJR).',
    "Votes and ratings: kept without names, as the public record of the round.",
    "Emails left to hear the answer in %(round)s:",
    "deleted %(num)d day after the round ends.",
    "This round is in",
    "The code on your letter or card from a round in this area.",
}


def test_citizen_strings_use_the_word_list():
    terms = [t for t in load_seed() if t.key not in SITE_WORDS] + [*MANAGEMENT_WORDS, *AVOID]
    with POT.open("rb") as f:
        catalog = read_po(f)
    found = {}
    for message in catalog:
        texts = (message.id,) if isinstance(message.id, str) else message.id
        shown = any(file.startswith(CITIZEN_FILES) for file, _line in message.locations)
        if not message.id or not shown or texts[0] in STILL_TO_CHANGE | ALLOWED:
            continue
        hits = [hit.text for text in texts for hit in find_jargon(text, terms, "en")]
        if hits:
            found[texts[0]] = hits
    assert not found, "\n".join(f"{hits}: {text}" for text, hits in found.items())
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog}
    gone = (STILL_TO_CHANGE | ALLOWED) - ids
    assert not gone, f"changed or gone, so drop them here: {gone}"
