"""The jargon finder: whole words, longest first, in every script the site serves."""

import pytest

from coprod.plain import Term, find_jargon, load_seed

SEED = load_seed()


def keys(text: str, lang: str, terms: list[Term] = SEED) -> list[str]:
    return [hit.key for hit in find_jargon(text, terms, lang)]


def test_hits_carry_position_matched_text_key_and_plain_words() -> None:
    text = "Ask the Stakeholders first."
    [hit] = find_jargon(text, SEED, "en")
    assert text[hit.start : hit.end] == hit.text == "Stakeholders"
    assert (hit.key, hit.plain) == ("stakeholder", "everyone involved")


def test_only_listed_forms_match_whole_words() -> None:
    only_singular = [Term("commissioner", {"en": ("commissioner",)}, {"en": "buyer"})]
    assert keys("Ask the commissioner.", "en", only_singular) == ["commissioner"]
    assert keys("Ask the commissioners.", "en", only_singular) == []
    assert keys("Ask the commissioners.", "en") == ["commissioner"]  # the seed lists plurals
    assert keys("Recommissioning and commissionings", "en") == []


def test_longest_form_wins_and_hits_never_overlap() -> None:
    text = "Her Education, Health and Care Plan replaced the care plan."
    hits = find_jargon(text, SEED, "en")
    assert [(h.text, h.key) for h in hits] == [
        ("Education, Health and Care Plan", "ehcp"),
        ("care plan", "care-plan"),
    ]


def test_case_line_breaks_and_curly_apostrophes_do_not_hide_a_term() -> None:
    assert keys("CITIZENS’ VOICE and the business\n  case", "en") == [
        "citizen-voice",
        "business-case",
    ]


def test_a_form_ending_in_a_star_matches_any_ending() -> None:
    assert keys("Rozmawialiśmy z interesariuszami o koprodukcji.", "pl") == [
        "stakeholder",
        "co-production",
    ]


def test_romanian_typed_without_diacritics_still_matches() -> None:
    assert keys("Coproductia si masuri de austeritate", "ro") == ["co-production", "austerity"]


@pytest.mark.parametrize(
    ("lang", "text", "key", "plain"),
    [
        ("ur", "ہمیں اسٹیک ہولڈرز سے بات کرنی ہے۔", "stakeholder", "سب متعلقہ لوگ"),
        ("ar", "نحتاج إلى دعم أصحاب المصلحة.", "stakeholder", "كل من يعنيهم الأمر"),
        (
            "bn",
            "ক্লাবের কমিশনারের সাথে কথা হয়েছে।",
            "commissioner",
            "যিনি ঠিক করেন কোন সেবার জন্য টাকা দেওয়া হবে",
        ),
        ("pa", "ਸਾਡੀ ਰਸੀਦ ਕਿੱਥੇ ਹੈ?", "receipt", "ਸਬੂਤ ਕਿ ਤੁਹਾਡੀ ਵੋਟ ਗਿਣੀ ਗਈ"),
        ("pa_Arab", "ساڈی رسید کتھے اے؟", "receipt", "ایس گل دا ثبوت کہ تہاڈا ووٹ گنیا گیا"),
        ("zh_Hans", "我们和利益相关者一起开会。", "stakeholder", "所有相关的人"),
        ("zh_Hant", "我們和持份者一起開會。", "stakeholder", "所有相關的人"),
        ("cy", "Ble mae fy nerbynneb?", "receipt", "prawf bod eich pleidlais wedi'i chyfrif"),
    ],
)
def test_terms_are_flagged_in_the_texts_own_language(
    lang: str, text: str, key: str, plain: str
) -> None:
    first = find_jargon(text, SEED, lang)[0]
    assert (first.key, first.plain) == (key, plain)
    assert first.text in text


def test_arabic_marks_and_missing_hamza_still_match() -> None:
    # Vowel marks are optional in Arabic writing, and the hamza is often left off.
    assert keys("في ظل التقشُّف وفي ظل الانتاج المشترك", "ar") == ["austerity", "co-production"]


def test_arabic_one_letter_prefixes_are_left_out_of_the_hit() -> None:
    hits = find_jargon("والتقشف وبالإنتاج المشترك", SEED, "ar")
    assert [(h.text, h.key) for h in hits] == [
        ("التقشف", "austerity"),
        ("الإنتاج المشترك", "co-production"),
    ]
    assert keys("ومالتقشف", "ar") == []  # a longer word, not a prefix


def test_a_vowel_sign_after_a_form_means_a_longer_word() -> None:
    bengali = [Term("commission", {"bn": ("কমিশন",)}, {"bn": "দায়িত্ব"})]
    assert keys("কমিশন বসেছে।", "bn", bengali) == ["commission"]
    assert keys("কমিশনার বসেছেন।", "bn", bengali) == []


def test_chinese_needs_no_word_boundaries_but_latin_inside_chinese_does() -> None:
    assert keys("这是护理计划和EHCP。", "zh_Hans") == ["care-plan", "ehcp"]
    assert keys("这是EHCPX。", "zh_Hans") == []


def test_forms_are_looked_for_in_the_texts_language_only() -> None:
    assert keys("stakeholders", "ar") == ["stakeholder"]  # listed for Arabic too
    assert keys("اسٹیک ہولڈرز", "en") == []
    assert keys("stakeholders", "xx") == []
