"""Sentences, words and English readability scores, for every script the site serves.

Words: a run of letters, digits and combining marks, joined across an apostrophe or hyphen
("don't", "co-production", "hay'ad"). Chinese is written without spaces, so each Han
character counts as one word; this holds in every language, so Chinese quoted in other text
counts the same way. Scores: Flesch reading ease and Flesch-Kincaid grade, with a syllable counter
that estimates English spelling; they mean nothing for other languages.
"""

import re
import unicodedata
from collections.abc import Sequence

from coprod.plain.scripts import is_han, is_word_char

# Ends that always close a sentence: Urdu/Arabic, danda (Bengali, Gurmukhi, Devanagari), CJK.
_HARD_ENDS = "۔؟।॥。！？｡"
# Ends that close a sentence only before a space or the end, so "3.5" and "e.g.x" hold.
_SOFT_ENDS = ".!?…"
_CLOSERS = "\"'”’»›)]}」』）】"
# People press Enter for list items and headings, which rarely end in a full stop.
_LINE_BREAKS = "\n\r\u2028\u2029"
_END = re.compile(
    f"[{re.escape(_HARD_ENDS + _SOFT_ENDS)}]+[{re.escape(_CLOSERS)}]*|[{_LINE_BREAKS}]"
)
_OPENERS = "\"'“‘«‹([{"
# Short pieces joined by dots: "e.g", "i.e", "a.m", Polish "m.in".
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_ABBREVIATIONS = {
    "en": {"mr", "mrs", "ms", "mx", "dr", "prof", "rev", "st", "cllr", "vs", "approx", "dept"},
    "pl": {"np", "tzn", "tj", "ul", "nr", "godz", "mgr", "inż", "wg", "pkt", "zob", "św", "r"},
    "ro": {"dl", "dna", "dra", "dnul", "nr", "str", "ex", "pag", "prof", "dr"},
    "cy": {"mr", "mrs", "ms", "mx", "dr", "parch", "cyng", "st", "tud"},
}
# "etc." is left out on purpose: it ends sentences more often than not.

# Characters that join the letters on either side into one word: apostrophes, hyphens, the
# soft hyphen, and the zero-width (non-)joiners used inside Urdu and Bengali words.
_JOINERS = frozenset("'’-‐‑\u00ad\u200c\u200d")


def sentences(text: str, lang: str) -> list[str]:
    """Split text into sentences, keeping each one's closing punctuation."""
    found, start = [], 0
    for end in _END.finditer(text):
        if end.group() in _LINE_BREAKS or _ends_sentence(text, end, lang):
            found.append(text[start : end.end()])
            start = end.end()
    found.append(text[start:])
    # A piece without a letter ("1." of a numbered list, "!!!") is not a sentence.
    return [s.strip() for s in found if any(ch.isalpha() for ch in s)]


def _ends_sentence(text: str, end: re.Match[str], lang: str) -> bool:
    """Tell whether punctuation ends a sentence, not a number or an abbreviation."""
    if any(ch in _HARD_ENDS for ch in end.group()):
        return True
    after = text[end.end() : end.end() + 1]
    if after and not (after.isspace() or is_han(after)):
        return False
    if end.group().rstrip(_CLOSERS) != ".":
        return True
    head = text[max(0, end.start() - 30) : end.start()]
    token = head.split()[-1].lstrip(_OPENERS) if head and not head[-1].isspace() else ""
    abbreviations = _ABBREVIATIONS.get(lang, _ABBREVIATIONS["en"])
    return not (token.casefold() in abbreviations or _DOTTED.fullmatch(token))


def words(text: str, lang: str) -> list[str]:
    """Split text into words; each Han character is one word (see the module docstring)."""
    # `lang` keeps the signature in line with `sentences`: the rules go by script, not language.
    found, i, n = [], 0, len(text)
    while i < n:
        if is_han(text[i]):
            found.append(text[i])
            i += 1
            continue
        if unicodedata.category(text[i])[0] not in "LN":
            i += 1
            continue
        j = i + 1
        while j < n and not is_han(text[j]):
            if is_word_char(text[j]):
                j += 1
            elif j + 1 < n and _joins(text[j - 1], text[j], text[j + 1]):
                j += 2
            else:
                break
        found.append(text[i:j])
        i = j
    return found


def _joins(before: str, mark: str, after: str) -> bool:
    if mark in ".," and before.isdigit() and after.isdigit():  # 3.5, 1,000
        return True
    return mark in _JOINERS and is_word_char(after) and not is_han(after)


# Words the rules below get wrong that proposals use often.
_KNOWN_SYLLABLES = {
    "anyone": 3,
    "area": 3,
    "areas": 3,
    "business": 2,
    "businesses": 3,
    "create": 2,
    "created": 3,
    "creates": 2,
    "creating": 3,
    "framework": 2,
    "frameworks": 2,
    "idea": 3,
    "ideas": 3,
    "maybe": 2,
    "science": 2,
    "someone": 2,
    "something": 2,
    "sometimes": 2,
    "stakeholder": 3,
    "stakeholders": 3,
}
# Suffixes that keep their own syllable after a silent e: "lovely", "careful", "statement".
_SUFFIXES = ("ment", "ments", "ness", "less", "ful", "ly")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
# A final e, es or ed that is silent: "make", "makes", "worked"...
_SILENT_END = re.compile(r"[^aeiouy](?:e|es|ed)$")
# ...but not in "table", "centres", "places", "changes", "wanted", "needed".
_VOICED_END = re.compile(r"[^aeiouy][lr](?:e|es|ed)$|(?:[sxzcg]|ch|sh)es$|[td]ed$")
# Vowel pairs said as two syllables: "media", "radio", "medium", "actual", "quiet",
# "audience", "being"; not "social", "nation", "equal", "ancient".
_SPLIT_VOWELS = re.compile(
    r"(?<![ctsgl])ia|(?<![ctsxg])io(?!n)|iu|(?<![qg])ua|ie(?=st$|rs?$|t)|(?<![ct])ien|[aeiou]ing$"
)


def syllables(word: str) -> int:
    """Estimate the syllables in an English word; at least 1, adding up hyphenated parts."""
    plain = unicodedata.normalize("NFKD", word).lower()
    return max(1, sum(_syllables(part) for part in re.split(r"[^a-z]+", plain) if part))


def _syllables(word: str) -> int:
    if word in _KNOWN_SYLLABLES:
        return _KNOWN_SYLLABLES[word]
    if len(word) <= 3:
        return 1 if _VOWEL_GROUP.search(word) else 0
    count = 0
    while suffix := next((s for s in _SUFFIXES if _strips(word, s)), None):
        word, count = word[: -len(suffix)], count + 1
    # A y before a vowel is a consonant: "young", "player", "beyond".
    word = re.sub(r"y(?=[aeiou])", "_", word)
    groups = len(_VOWEL_GROUP.findall(word))
    if groups > 1 and _SILENT_END.search(word) and not _VOICED_END.search(word):
        groups -= 1
    return count + groups + len(_SPLIT_VOWELS.findall(word))


def _strips(word: str, suffix: str) -> bool:
    return word.endswith(suffix) and bool(_VOWEL_GROUP.search(word[: -len(suffix)]))


def flesch(text: str) -> tuple[float, float] | None:
    """Return (Flesch reading ease, Flesch-Kincaid grade) of English text, None without words."""
    return scores([words(s, "en") for s in sentences(text, "en")])


def scores(sentence_words: Sequence[Sequence[str]]) -> tuple[float, float] | None:
    """Return (reading ease, grade) from the words of each sentence, None without words."""
    counted = [ws for ws in sentence_words if ws]
    word_count = sum(map(len, counted))
    if not word_count:
        return None
    per_sentence = word_count / len(counted)
    per_word = sum(syllables(w) for ws in counted for w in ws) / word_count
    ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
    return round(ease, 1), round(grade, 1)
