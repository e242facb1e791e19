"""Creating translatable content."""

from collections.abc import Mapping

from coprod.models import Content

Texts = Mapping[str, str | Mapping[str, str]]


def new_content(original_lang: str, fields: Texts, *, reviewed: bool = True) -> Content:
    """Make a Content from {field: text} or {field: {lang: text}}; the original is reviewed."""
    content = Content(original_lang=original_lang)
    for field, value in fields.items():
        by_lang = {original_lang: value} if isinstance(value, str) else value
        for lang, body in by_lang.items():
            if body:
                content.set(field, lang, body, reviewed=reviewed or lang == original_lang)
    return content
