"""Find glossary terms in a text, in any of the site's scripts.

Matching rules:

- Only the forms listed for the text's language are looked for, so a language where people
  also say "EHCP" lists it among its own forms.
- Whole words only, except next to Chinese characters, which have no spaces between words:
  "commissioner" does not match inside "commissioners" unless that form is listed too (the
  seed lists plurals); a form ending in "*" matches any ending (`Term`).
- Case, accents and Arabic-script vowel marks are ignored, and letters typed both ways count
  as one: "coproductie" finds "coproducție", "الانتاج" finds "الإنتاج", and Arabic and Urdu
  yeh, kaf and heh match each other. Any run of spaces or line breaks matches a space.
- Arabic writes "and", "so", "with", "for" and "like" as one-letter prefixes (و ف ب ل ك), up
  to two of them, so "وبالتقشف" finds "التقشف"; the hit leaves the prefixes out.
- At each place the longest form wins; hits never overlap.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from coprod.plain.glossary import Term
from coprod.plain.scripts import is_han, is_word_char

# Dropped before matching: Latin accents (Romanian is often typed without them), Arabic
# harakat, hamza marks and tatweel, soft hyphens and zero-width joiners.
_IGNORED = re.compile(
    "[\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u00ad\u200c\u200d]"
)
# Letters typed both ways: Arabic and Urdu yeh, kaf and heh; curly apostrophes; hyphens.
_SAME = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "ه": "ہ", "’": "'", "‘": "'", "ʼ": "'", "‐": "-"}
)
# One-letter prefixes a word may carry, as folded (so kaf is "ک").
_PREFIXES = {"ar": "وفبلک"}


@dataclass(frozen=True)
class Hit:
    """A glossary term found in a text: `text[start:end]`, its key and plain alternative."""

    start: int
    end: int
    text: str
    key: str
    plain: str | None


def find_jargon(text: str, terms: Iterable[Term], lang: str) -> list[Hit]:
    """Return the glossary terms in `text`, in order, with plain words in `lang`."""
    folded, origin = _fold(text)
    candidates = []
    for rank, term in enumerate(terms):
        for form in term.terms.get(lang, ()):
            for start, end in _find(form, folded, _PREFIXES.get(lang, "")):
                last = origin[end - 1] + 1
                # Take in marks that folding dropped, so a final haraka stays with its letter.
                while last < len(text) and not _fold_char(text[last]):
                    last += 1
                candidates.append((origin[start], -last, rank, term))
    hits, taken = [], 0
    for start, negative_end, _, term in sorted(candidates, key=lambda c: c[:3]):
        if start >= taken:
            taken = -negative_end
            hits.append(Hit(start, taken, text[start:taken], term.key, term.plain.get(lang)))
    return hits


def _find(form: str, folded: str, prefixes: str) -> Iterable[tuple[int, int]]:
    """Yield every (start, end) where the form stands as a word in the folded text."""
    compiled = _compile(form)
    if compiled is None:
        return
    pattern, stem = compiled
    found = pattern.search(folded)
    while found:
        start, end = found.span()
        if stem:
            while end < len(folded) and _joined(folded[end - 1], folded[end]):
                end += 1
        if _starts_word(folded, start, prefixes) and not (
            end < len(folded) and _joined(folded[end - 1], folded[end])
        ):
            yield start, end
        # Search again from the next character: a shorter overlapping hit may still count.
        found = pattern.search(folded, start + 1)


def _starts_word(folded: str, start: int, prefixes: str) -> bool:
    """Tell whether a word starts at `start`, perhaps after one or two one-letter prefixes."""
    for _ in range(2):
        if start and folded[start - 1] in prefixes:
            start -= 1
    return not (start and _joined(folded[start - 1], folded[start]))


def _joined(left: str, right: str) -> bool:
    """Tell whether two neighbouring characters belong to the same word."""
    return is_word_char(left) and is_word_char(right) and not (is_han(left) or is_han(right))


@lru_cache(maxsize=4096)
def _compile(form: str) -> tuple[re.Pattern[str], bool] | None:
    """Turn a form into a pattern over folded text, and whether it is a stem ("*")."""
    stem = form.endswith("*")
    words = "".join(map(_fold_char, form.rstrip("*"))).split()
    if not words:
        return None
    return re.compile(r"\s+".join(map(re.escape, words))), stem


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Return what a character matches as: decomposed, case-folded, marks dropped."""
    decomposed = unicodedata.normalize("NFKD", ch)
    return _IGNORED.sub("", decomposed).translate(_SAME).casefold()


def _fold(text: str) -> tuple[str, Sequence[int]]:
    """Fold text for matching, with the index in `text` of each folded character."""
    if text.isascii():
        return text.lower(), range(len(text))
    parts, origin = [], []
    for i, ch in enumerate(text):
        key = _fold_char(ch)
        parts.append(key)
        origin.extend([i] * len(key))
    return "".join(parts), origin
