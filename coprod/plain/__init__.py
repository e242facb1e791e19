"""Plain-language advice for proposals in every language the site serves (standard library only).

`check` gives the advice as data, `find_jargon` and `link_terms` find glossary terms, and
`load_seed` returns the glossary shipped in `glossary_seed.json`; `MANAGEMENT_WORDS` are
looked for in every check.
"""

from coprod.plain.advice import Advice, LongSentence, Reading, Verdict, check
from coprod.plain.glossary import Term, load_seed
from coprod.plain.jargon import Hit, find_jargon
from coprod.plain.link import link_terms
from coprod.plain.management import MANAGEMENT_WORDS
from coprod.plain.readability import flesch, scores, sentences, syllables, words

__all__ = [
    "Advice",
    "Hit",
    "LongSentence",
    "MANAGEMENT_WORDS",
    "Reading",
    "Term",
    "Verdict",
    "check",
    "find_jargon",
    "flesch",
    "link_terms",
    "load_seed",
    "scores",
    "sentences",
    "syllables",
    "words",
]
