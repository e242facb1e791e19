"""What counts as a letter in each script, shared by word counting and jargon matching."""

import unicodedata


def is_word_char(ch: str) -> bool:
    """Tell whether a character is a letter, digit or combining mark."""
    # Marks count: Indic vowel signs and Arabic harakat sit inside words, and `str.isalnum`
    # (like regex `\w`) would cut Bengali or Gurmukhi words apart at every vowel sign.
    return unicodedata.category(ch)[0] in "LMN"


def is_han(ch: str) -> bool:
    """Tell whether a character is a Chinese (Han) character."""
    return (
        "\u3400" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\U00020000" <= ch <= "\U0003ffff"
    )
