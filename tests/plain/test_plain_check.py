"""`check`: the advice a proposal writer sees before submitting, for any text at all."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from coprod.plain import Advice, LongSentence, Reading, Verdict, check, load_seed
from coprod.plain.__main__ import main

SEED = load_seed()
LONG_JARGON = (
    "The commissioning of co-production initiatives by statutory agencies under austerity "
    "requires a robust business case aligned with the outcomes framework and meaningful "
    "engagement of every stakeholder."
)


def test_a_long_jargon_heavy_sentence_is_hard_and_names_plain_alternatives() -> None:
    advice = check(LONG_JARGON, "en", SEED)
    assert advice.verdict == Verdict.HARD == "hard"
    assert advice.reading_ease is not None and advice.reading_ease < 30
    assert advice.grade is not None and advice.grade > 16
    assert advice.reading == Reading.VERY_HARD
    assert advice.long_sentences == (LongSentence(LONG_JARGON, 26),)
    assert {(h.text, h.plain) for h in advice.jargon} >= {
        ("co-production", "working together as equals"),
        ("stakeholder", "everyone involved"),
        ("austerity", "big cuts to public spending"),
    }


def test_a_short_plain_sentence_is_clear() -> None:
    advice = check("We want a bench in the park.", "en", SEED)
    assert advice.verdict == Verdict.CLEAR
    assert advice.reading_ease is not None and advice.reading_ease > 80
    assert (advice.long_sentences, advice.jargon) == ((), ())
    assert (advice.sentence_count, advice.word_count) == (1, 7)


def test_management_words_are_flagged_with_plain_words_without_a_glossary() -> None:
    text = (
        "We will leverage synergies, operationalise the deliverables and facilitate "
        "meetings that are facilitated and operationalized."
    )
    found = [(h.text, h.plain) for h in check(text, "en", []).jargon]
    assert found == [
        ("leverage", "use"),
        ("synergies", "working well together"),
        ("operationalise", "put into practice"),
        ("deliverables", "what we will do"),
        ("facilitate", "help, or run"),
        ("facilitated", "help, or run"),
        ("operationalized", "put into practice"),
    ]
    # Only whole words: "leverages" is one, "Synergy" any case, "facile" is not a form.
    assert [h.key for h in check("It leverages Synergy; a facile task.", "en", []).jargon] == [
        "leverage",
        "synergies",
    ]


def test_one_term_in_a_plain_sentence_could_be_simpler() -> None:
    assert check("We will ask the stakeholders.", "en", SEED).verdict == Verdict.COULD_BE_SIMPLER


def test_urdu_advice_flags_the_term_in_urdu_without_english_scores() -> None:
    advice = check("ہمیں اسٹیک ہولڈرز کے ساتھ مل کر کام کرنا ہے۔", "ur", SEED)
    assert (advice.reading_ease, advice.grade) == (None, None)
    assert [(h.key, h.plain) for h in advice.jargon] == [("stakeholder", "سب متعلقہ لوگ")]
    assert advice.verdict == Verdict.COULD_BE_SIMPLER


def test_arabic_advice_flags_terms_in_arabic() -> None:
    advice = check("نحتاج إلى دعم أصحاب المصلحة في ظل التقشف.", "ar", SEED)
    assert [(h.key, h.plain) for h in advice.jargon] == [
        ("stakeholder", "كل من يعنيهم الأمر"),
        ("austerity", "تخفيضات كبيرة في الإنفاق العام"),
    ]
    assert advice.verdict == Verdict.COULD_BE_SIMPLER
    # A third term in so few words makes it hard going.
    assert check("التقشف والإنتاج المشترك مع أصحاب المصلحة.", "ar", SEED).verdict == Verdict.HARD


def test_the_sentence_limit_counts_words_and_can_be_changed() -> None:
    sentence = " ".join(["word"] * 21) + "."
    assert check(sentence, "so", []).long_sentences == (LongSentence(sentence, 21),)
    assert check(sentence, "so", [], max_sentence_words=25).long_sentences == ()


def test_chinese_sentences_are_measured_in_characters_with_a_longer_limit() -> None:
    twenty_five = "我们" * 12 + "好。"
    advice = check(twenty_five, "zh_Hans", [])
    assert advice.word_count == 25
    assert advice.long_sentences == ()
    assert check("我们" * 16 + "。", "zh_Hans", []).long_sentences[0].word_count == 32


def test_very_long_sentences_are_hard_even_without_jargon() -> None:
    assert check(" ".join(["word"] * 41) + ".", "pl", []).verdict == Verdict.HARD


def test_empty_text_gets_clear_advice_with_nothing_to_report() -> None:
    assert check("", "en", SEED) == Advice(Verdict.CLEAR, None, None, None, 0, 0, (), ())


HOSTILE = ["\x00", "\u202e", "\u202d", "\u200f", "\u2066", "\ufeff", "\u0301", "\u0651", "\u200d"]
PIECES = st.one_of(
    st.text(),
    st.sampled_from(HOSTILE + ["🙂", "👨‍👩‍👧", "۔", "।", "。", " e.g. ", "3.5", "ß", "½", "\n"]),
    st.sampled_from([t.terms[lang][0] for t in SEED for lang in t.terms]),
)
LANGS = st.sampled_from(
    [
        "en",
        "ur",
        "pa",
        "pa_Arab",
        "bn",
        "ar",
        "pl",
        "ro",
        "cy",
        "so",
        "zh_Hans",
        "zh_Hant",
        "",
        "xx",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join), LANGS)
def test_check_never_raises(text: str, lang: str) -> None:
    advice = check(text, lang, SEED)
    assert advice.verdict in set(Verdict)
    assert all(text[h.start : h.end] == h.text for h in advice.jargon)


def test_check_copes_with_ten_kilobytes_of_hostile_text() -> None:
    text = ("".join(HOSTILE) + "🙂 co-production۔ الإنتاج المشترك 共同生产 " * 200)[:10_000]
    for lang in ("en", "ar", "zh_Hans"):
        assert check(text, lang, SEED).jargon


def test_the_command_line_prints_the_advice_as_json(tmp_path, capsys) -> None:
    path = tmp_path / "remedy.txt"
    path.write_text("ہمیں اسٹیک ہولڈرز سے بات کرنی ہے۔", "utf-8")
    main([str(path), "--lang", "ur"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["verdict"] == "could_be_simpler"
    assert printed["jargon"][0]["plain"] == "سب متعلقہ لوگ"
