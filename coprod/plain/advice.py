"""Friendly, never-blocking advice on a proposal's wording, as data for the app to translate."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from coprod.plain.glossary import Term
from coprod.plain.jargon import Hit, find_jargon
from coprod.plain.management import MANAGEMENT_WORDS
from coprod.plain.readability import scores, sentences, words

# Flesch reading ease: 60 and up is plain English; under 30 is hard for most adults.
PLAIN_EASE = 60.0
HARD_EASE = 30.0
# Several glossary terms, more than one in every WORDS_PER_TERM words, make a text hard going.
HARD_TERMS = 3
WORDS_PER_TERM = 20
# Chinese is counted in characters (`readability`); a word is about 1.5 of them, so the
# sentence limit stretches by that much to mean the same length.
HAN_CHARS_PER_WORD = 1.5


class Reading(StrEnum):
    """How hard English text is to read, from its reading ease, for the app to put in words."""

    EASY = "easy"
    FAIRLY_HARD = "fairly_hard"
    VERY_HARD = "very_hard"

    @classmethod
    def of(cls, ease: float) -> "Reading":
        """The band a Flesch reading ease falls in."""
        if ease >= PLAIN_EASE:
            return cls.EASY
        return cls.FAIRLY_HARD if ease >= HARD_EASE else cls.VERY_HARD


class Verdict(StrEnum):
    """The overall advice, as a code the app turns into words in the reader's language."""

    CLEAR = "clear"
    COULD_BE_SIMPLER = "could_be_simpler"
    HARD = "hard"


@dataclass(frozen=True)
class LongSentence:
    """A sentence over the length limit, with its word count."""

    text: str
    word_count: int


@dataclass(frozen=True)
class Advice:
    """Everything `check` found, as data: the app words it in the reader's language."""

    verdict: Verdict
    reading_ease: float | None  # Flesch reading ease, English only
    grade: float | None  # Flesch-Kincaid grade, English only
    reading: Reading | None  # the reading ease in words, English only
    sentence_count: int
    word_count: int
    long_sentences: tuple[LongSentence, ...]
    jargon: tuple[Hit, ...]


def check(text: str, lang: str, terms: Iterable[Term], *, max_sentence_words: int = 20) -> Advice:
    """Advise on text written in `lang`: long sentences, glossary terms and management words
    and, for English, scores."""
    split = [(s, words(s, lang)) for s in sentences(text, lang)]
    limit = max_sentence_words * (HAN_CHARS_PER_WORD if lang.startswith("zh") else 1)
    long = tuple(LongSentence(s, len(ws)) for s, ws in split if len(ws) > limit)
    english = scores([ws for _, ws in split]) if lang == "en" else None
    ease, grade = english or (None, None)
    jargon = tuple(find_jargon(text, [*terms, *MANAGEMENT_WORDS], lang))
    word_count = sum(len(ws) for _, ws in split)
    hard = (
        (ease is not None and ease < HARD_EASE)
        or any(s.word_count > 2 * limit for s in long)
        or (len(jargon) >= HARD_TERMS and len(jargon) * WORDS_PER_TERM > word_count)
    )
    if hard:
        verdict = Verdict.HARD
    elif (ease is not None and ease < PLAIN_EASE) or long or jargon:
        verdict = Verdict.COULD_BE_SIMPLER
    else:
        verdict = Verdict.CLEAR
    reading = Reading.of(ease) if ease is not None else None
    return Advice(verdict, ease, grade, reading, len(split), word_count, long, jargon)
