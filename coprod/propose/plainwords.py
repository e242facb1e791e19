"""Plain-words advice for a proposal: the glossary as terms, and the one call to the core.

The core (`coprod.plain`) only measures; every sentence a person reads is written in the
templates, in their language.
"""

from dataclasses import dataclass

from coprod.operations.glossary import glossary_terms
from coprod.plain import Term, check


@dataclass(frozen=True)
class Jargon:
    """A hard word found in a text, with the glossary entry that says it plainly."""

    key: str
    found: str
    plain: str
    explained: bool  # the glossary has an entry to link to (management words have none)


@dataclass(frozen=True)
class Advice:
    """What the page shows under one field: friendly suggestions, never a refusal."""

    verdict: str  # clear, could_be_simpler, hard
    reading_ease: float | None
    grade: float | None
    reading: str | None  # easy, fairly_hard, very_hard; English only
    long_sentences: list[tuple[str, int]]
    jargon: list[Jargon]

    @property
    def has_suggestions(self) -> bool:
        return bool(self.long_sentences or self.jargon) or self.verdict != "clear"


def advice_for(text: str, lang: str, terms: list[Term]) -> Advice:
    """Ask the plain-language core about one text; the only place that calls it."""
    found = check(text, lang, terms)
    explained = {term.key for term in terms}
    return Advice(
        verdict=str(found.verdict),
        reading_ease=found.reading_ease,
        grade=found.grade,
        reading=str(found.reading) if found.reading else None,
        long_sentences=[(s.text, s.word_count) for s in found.long_sentences],
        jargon=[
            Jargon(hit.key, hit.text, hit.plain or "", hit.key in explained) for hit in found.jargon
        ],
    )


def advise(texts: dict[str, str], lang: str) -> dict[str, Advice]:
    """Advice for each field that has words in it."""
    terms = glossary_terms()
    return {field: advice_for(text, lang, terms) for field, text in texts.items() if text.strip()}
