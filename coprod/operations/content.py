"""Creating translatable content, and writing its words in another language."""

from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError

from coprod.extensions import db
from coprod.models import Content, ContentText, User, utcnow

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


def write_text(
    content: Content, field: str, lang: str, body: str, *, reviewed: bool, by: User | None = None
) -> ContentText:
    """Write one field in one language, and flush. When two people translate the same field
    into the same language at the same moment, the later words replace the earlier, as if
    one had come after the other: the table holds one text per field and language, and the
    second insert, refused, becomes an update of the row the first one made."""

    def write() -> ContentText:
        with db.session.begin_nested():
            content.set(field, lang, body, reviewed=reviewed)
            text = next(t for t in content.texts if t.field == field and t.lang == lang)
            if by is not None:
                text.translated_by_id, text.updated_at = by.id, utcnow()
        return text

    try:
        return write()
    except IntegrityError:
        db.session.expire(content, ["texts"])  # read the other person's row, then update it
        return write()
