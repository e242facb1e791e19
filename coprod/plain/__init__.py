"""Plain-language advice for proposals in every language the site serves (standard library only).

`check` gives the advice as data, `find_jargon` and `link_terms` find glossary terms, and
`load_seed` returns the glossary shipped in `glossary_seed.json`.
"""

from coprod.plain.advice import Advice, LongSentence, Verdict, check
from coprod.plain.glossary import Term, load_seed
from coprod.plain.jargon import Hit, find_jargon
from coprod.plain.link import link_terms
from coprod.plain.readability import flesch, scores, sentences, syllables, words

__all__ = [
    "Advice",
    "Hit",
    "LongSentence",
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
