"""`link_terms`: segments a template escapes and marks up, always joining back to the text."""

from hypothesis import given, settings
from hypothesis import strategies as st

from coprod.plain import Term, link_terms, load_seed

SEED = load_seed()


def test_terms_become_their_own_segments_and_nothing_is_html() -> None:
    text = "<b>Our</b> EHCP & care plans"
    assert link_terms(text, SEED, "en") == [
        ("<b>Our</b> ", None),
        ("EHCP", "ehcp"),
        (" & ", None),
        ("care plans", "care-plan"),
    ]


def test_right_to_left_text_keeps_its_marks_inside_the_term() -> None:
    text = "في ظل التقشُّف."
    assert link_terms(text, SEED, "ar") == [("في ظل ", None), ("التقشُّف", "austerity"), (".", None)]


def test_no_text_no_segments() -> None:
    assert link_terms("", SEED, "en") == []


SEED_FORMS = [form.rstrip("*") for t in SEED for forms in t.terms.values() for form in forms]
TEXT = st.lists(st.one_of(st.text(), st.sampled_from(SEED_FORMS)), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(sorted({lang for t in SEED for lang in t.terms})))
def test_segments_join_back_into_the_original_text(text: str, lang: str) -> None:
    segments = link_terms(text, SEED, lang)
    assert "".join(part for part, _ in segments) == text
    assert all(part for part, _ in segments)


@settings(max_examples=300, deadline=None)
@given(
    st.text(),
    st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=5),
)
def test_any_terms_in_any_text_join_back(text: str, forms: list[str]) -> None:
    terms = [Term(f"t{i}", {"en": (form,)}, {"en": "plain"}) for i, form in enumerate(forms)]
    assert "".join(part for part, _ in link_terms(text + "".join(forms), terms, "en")) == (
        text + "".join(forms)
    )
