"""Sentences, words and English scores, as a proposal writer would see them counted."""

import pytest

from coprod.plain import flesch, sentences, syllables, words

LONG_JARGON = (
    "The commissioning of co-production initiatives by statutory agencies under austerity "
    "requires a robust business case aligned with the outcomes framework and meaningful "
    "engagement of every stakeholder."
)


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("the", 1),
        ("make", 1),
        ("makes", 1),
        ("worked", 1),
        ("voice", 1),
        ("young", 1),
        ("table", 2),
        ("people", 2),
        ("money", 2),
        ("wanted", 2),
        ("places", 2),
        ("centre", 2),
        ("centred", 2),
        ("lovely", 2),
        ("careful", 2),
        ("being", 2),
        ("player", 2),
        ("ballot", 2),
        ("receipt", 2),
        ("equal", 2),
        ("business", 2),
        ("framework", 2),
        ("library", 3),
        ("media", 3),
        ("actual", 3),
        ("various", 3),
        ("stakeholder", 3),
        ("management", 3),
        ("carefully", 3),
        ("community", 4),
        ("commissioning", 4),
        ("austerity", 4),
        ("statutory", 4),
        ("situation", 4),
        ("individual", 5),
        ("organisation", 5),
        ("participatory", 6),
    ],
)
def test_syllables_of_known_words(word: str, count: int) -> None:
    assert syllables(word) == count


def test_syllables_add_up_hyphenated_parts_and_never_drop_below_one() -> None:
    assert syllables("co-production") == 4
    assert syllables("Person-Centred") == 4
    assert syllables("don't") == 1
    assert syllables("2017") == 1
    assert syllables("") == 1


def test_english_sentences_keep_decimals_abbreviations_and_quotes_together() -> None:
    text = (
        'It costs £3.50 a week, e.g. for tea. Mr. Khan agreed! Did he? "Yes." (We think so.) Next'
    )
    assert sentences(text, "en") == [
        "It costs £3.50 a week, e.g. for tea.",
        "Mr. Khan agreed!",
        "Did he?",
        '"Yes."',
        "(We think so.)",
        "Next",
    ]


def test_line_breaks_end_list_items_and_bare_numbers_are_not_sentences() -> None:
    text = "Our plan:\n1. Buy paint\n2. Paint the hall.\n\nDone!!! Really?!"
    assert sentences(text, "en") == [
        "Our plan:",
        "Buy paint",
        "Paint the hall.",
        "Done!!!",
        "Really?!",
    ]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "ur",
            "ہمیں ایک پارک چاہیے۔ کیا آپ مدد کریں گے؟ شکریہ، دوستو۔",
            ["ہمیں ایک پارک چاہیے۔", "کیا آپ مدد کریں گے؟", "شکریہ، دوستو۔"],
        ),
        (
            "ar",
            "نحتاج إلى حديقة. هل ستساعدون؟ شكرا، يا أصدقاء",
            ["نحتاج إلى حديقة.", "هل ستساعدون؟", "شكرا، يا أصدقاء"],
        ),
        (
            "bn",
            "আমাদের একটি পার্ক দরকার। আপনি কি সাহায্য করবেন? ধন্যবাদ।",
            ["আমাদের একটি পার্ক দরকার।", "আপনি কি সাহায্য করবেন?", "ধন্যবাদ।"],
        ),
        (
            "pa",
            "ਸਾਨੂੰ ਇੱਕ ਪਾਰਕ ਚਾਹੀਦਾ ਹੈ। ਕੀ ਤੁਸੀਂ ਮਦਦ ਕਰੋਗੇ? ਧੰਨਵਾਦ॥",
            ["ਸਾਨੂੰ ਇੱਕ ਪਾਰਕ ਚਾਹੀਦਾ ਹੈ।", "ਕੀ ਤੁਸੀਂ ਮਦਦ ਕਰੋਗੇ?", "ਧੰਨਵਾਦ॥"],
        ),
        (
            "zh_Hans",
            "我们需要一个公园。你会帮忙吗？谢谢！价格是3.5镑。",
            ["我们需要一个公园。", "你会帮忙吗？", "谢谢！", "价格是3.5镑。"],
        ),
        (
            "pl",
            "Potrzebujemy np. ławki przy ul. Długiej. W 2017 r. było gorzej. Dziękujemy.",
            ["Potrzebujemy np. ławki przy ul. Długiej.", "W 2017 r. było gorzej.", "Dziękujemy."],
        ),
        (
            "ro",
            "Avem nevoie de ex. o bancă. Dl. Popescu a spus da.",
            ["Avem nevoie de ex. o bancă.", "Dl. Popescu a spus da."],
        ),
        (
            "cy",
            "Siaradodd y Cyng. Jones a'r Parch. Huws. Mae angen mainc, e.e. wrth y siop. Diolch.",
            [
                "Siaradodd y Cyng. Jones a'r Parch. Huws.",
                "Mae angen mainc, e.e. wrth y siop.",
                "Diolch.",
            ],
        ),
    ],
)
def test_sentences_end_where_each_script_ends_them(
    lang: str, text: str, expected: list[str]
) -> None:
    assert sentences(text, lang) == expected


def test_an_urdu_full_stop_ends_a_sentence_even_without_a_space() -> None:
    assert sentences("پہلا جملہ۔دوسرا جملہ", "ur") == ["پہلا جملہ۔", "دوسرا جملہ"]


def test_words_keep_contractions_hyphens_and_numbers_whole() -> None:
    assert words("Don't split co-production, hay'ad or 3.5 and 1,000!", "en") == [
        "Don't",
        "split",
        "co-production",
        "hay'ad",
        "or",
        "3.5",
        "and",
        "1,000",
    ]


def test_indic_vowel_signs_stay_inside_their_words() -> None:
    assert words("ਸਾਨੂੰ ਇੱਕ ਪਾਰਕ ਚਾਹੀਦਾ ਹੈ", "pa") == ["ਸਾਨੂੰ", "ਇੱਕ", "ਪਾਰਕ", "ਚਾਹੀਦਾ", "ਹੈ"]
    assert len(words("আমাদের একটি পার্ক দরকার।", "bn")) == 4


def test_chinese_counts_each_han_character_as_a_word() -> None:
    assert words("我们需要EHCP计划。", "zh_Hans") == ["我", "们", "需", "要", "EHCP", "计", "划"]


def test_emoji_and_joiners_alone_are_not_words() -> None:
    assert words("👨\u200d👩\u200d👧 \u202e \x00", "en") == []


def test_a_short_plain_sentence_reads_easily() -> None:
    ease, grade = flesch("We want a bench in the park. Children can play there.")
    assert ease > 80
    assert grade < 4


def test_a_long_jargon_heavy_sentence_reads_hard() -> None:
    ease, grade = flesch(LONG_JARGON)
    assert ease < 30
    assert grade > 16


def test_no_words_no_scores() -> None:
    assert flesch("") is None
    assert flesch("!!! ...") is None
