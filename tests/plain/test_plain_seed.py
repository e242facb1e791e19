"""The seeded glossary: every term, in every language, found where it is written."""

import json
import unicodedata
from importlib.resources import files

import pytest

from coprod.plain import Term, find_jargon, load_seed

SEED = load_seed()
LANGS = ["en", "ur", "pa", "pa_Arab", "bn", "ar", "pl", "ro", "cy", "so", "zh_Hans", "zh_Hant"]
WORKSHOP = [
    "co-production",
    "commissioning",
    "commissioner",
    "ehcp",
    "outcomes-framework",
    "business-case",
    "participatory-budgeting",
    "stakeholder",
    "citizen-voice",
    "status-quo",
    "statutory-agencies",
    "austerity",
    "person-centred",
    "community-mapping",
    "care-plan",
    "method-of-equal-shares",
    "ballot",
    "voter-code",
    "receipt",
]
# A plain sentence with a slot for the term, in each language.
SAMPLE = {
    "en": "We talked about {} at the meeting.",
    "ur": "ہم نے میٹنگ میں {} کے بارے میں بات کی۔",
    "pa": "ਅਸੀਂ ਮੀਟਿੰਗ ਵਿੱਚ {} ਬਾਰੇ ਗੱਲ ਕੀਤੀ।",
    "pa_Arab": "اسیں میٹنگ وچ {} بارے گل کیتی۔",
    "bn": "আমরা সভায় {} নিয়ে কথা বলেছি।",
    "ar": "تحدثنا في الاجتماع عن {} اليوم.",
    "pl": "Temat spotkania: {}.",
    "ro": "Tema întâlnirii: {}.",
    "cy": "Pwnc y cyfarfod: {}.",
    "so": "Shirka waxaan kaga hadalnay: {}.",
    "zh_Hans": "我们在会上讨论了{}。",
    "zh_Hant": "我們在會上討論了{}。",
}
# The script each language's plain words and explanations are written in.
SCRIPT = {
    "ur": "ARABIC",
    "ar": "ARABIC",
    "pa": "GURMUKHI",
    "pa_Arab": "ARABIC",
    "bn": "BENGALI",
    "zh_Hans": "CJK",
    "zh_Hant": "CJK",
    "en": "LATIN",
    "pl": "LATIN",
    "ro": "LATIN",
    "cy": "LATIN",
    "so": "LATIN",
}
CASES = [(term, lang) for term in SEED for lang in LANGS]
IDS = [f"{term.key}-{lang}" for term, lang in CASES]


def test_the_seed_has_the_workshop_terms_under_unique_keys() -> None:
    found = [term.key for term in SEED]
    assert len(found) == len(set(found))
    assert set(WORKSHOP) <= set(found)


def test_the_seed_is_a_list_of_plain_json_objects() -> None:
    data = json.loads(files("coprod.plain").joinpath("glossary_seed.json").read_text("utf-8"))
    assert [Term.from_dict(item) for item in data] == SEED
    assert all(set(item) == {"key", "terms", "plain", "explanation"} for item in data)


@pytest.mark.parametrize(("term", "lang"), CASES, ids=IDS)
def test_every_language_has_forms_plain_words_and_an_explanation(term: Term, lang: str) -> None:
    forms = term.terms[lang]
    assert forms and all(form.strip() for form in forms)
    assert not forms[0].endswith("*"), "the headword is shown as written"
    assert term.plain[lang].strip() and term.explanation[lang].strip()
    assert all(unicodedata.is_normalized("NFC", text) for text in (*forms, term.plain[lang]))


@pytest.mark.parametrize(("term", "lang"), CASES, ids=IDS)
def test_the_headword_is_found_in_a_sample_sentence(term: Term, lang: str) -> None:
    headword = term.terms[lang][0]
    hits = find_jargon(SAMPLE[lang].format(headword), SEED, lang)
    assert [(hit.key, hit.text) for hit in hits] == [(term.key, headword)]


@pytest.mark.parametrize(("term", "lang"), CASES, ids=IDS)
def test_plain_words_and_explanations_use_no_other_jargon(term: Term, lang: str) -> None:
    assert find_jargon(term.plain[lang], SEED, lang) == []
    assert {hit.key for hit in find_jargon(term.explanation[lang], SEED, lang)} <= {term.key}


@pytest.mark.parametrize(("term", "lang"), CASES, ids=IDS)
def test_plain_words_are_in_the_languages_own_script(term: Term, lang: str) -> None:
    for text in (term.plain[lang], term.explanation[lang]):
        letters = [ch for ch in text if ch.isalpha()]
        own = [ch for ch in letters if unicodedata.name(ch, "").startswith(SCRIPT[lang])]
        # A few borrowed Latin letters are fine: "NHS" in Punjabi.
        assert len(own) >= 0.9 * len(letters), text


@pytest.mark.parametrize(("term", "lang"), CASES, ids=IDS)
def test_every_form_finds_its_own_term_and_no_other(term: Term, lang: str) -> None:
    for form in term.terms[lang]:
        written = form.rstrip("*")
        assert [(hit.key, hit.text) for hit in find_jargon(written, SEED, lang)] == [
            (term.key, written)
        ]
