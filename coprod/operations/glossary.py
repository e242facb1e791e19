"""The glossary in the database, seeded from the plain-language core's list."""

import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import and_, select

from coprod.extensions import db
from coprod.models import ContentText, GlossaryTerm
from coprod.operations.content import new_content
from coprod.plain import Term

SEED = Path(__file__).resolve().parent.parent / "plain" / "glossary_seed.json"


def load_seed() -> int:
    """Add the seeded terms that are not in the glossary yet; return how many were added
    (the caller commits)."""
    known = set(db.session.scalars(select(GlossaryTerm.key)))
    added = 0
    for entry in json.loads(SEED.read_text(encoding="utf-8")):
        if entry["key"] in known:
            continue
        fields = {
            "term": {lang: forms[0] for lang, forms in entry["terms"].items()},
            "variants": {lang: "\n".join(forms[1:]) for lang, forms in entry["terms"].items()},
            "plain": entry["plain"],
            "explanation": entry["explanation"],
        }
        db.session.add(GlossaryTerm(key=entry["key"], content=new_content("en", fields)))
        added += 1
    db.session.flush()
    return added


def glossary_terms(langs: Iterable[str] | None = None) -> list[Term]:
    """The glossary's terms, in the plain core's shape, for jargon advice and linking: with
    their words in `langs` only (a page needs its reader's language and its text's), or in
    every language when `langs` is None. One query of plain rows, no objects."""
    wanted = and_(ContentText.content_id == GlossaryTerm.content_id, ContentText.body != "")
    if langs is not None:
        wanted = and_(wanted, ContentText.lang.in_(set(langs)))
    rows = db.session.execute(
        select(GlossaryTerm.key, ContentText.field, ContentText.lang, ContentText.body)
        .outerjoin(ContentText, wanted)
        .order_by(GlossaryTerm.key)
    )
    texts: dict[str, dict[tuple[str, str], str]] = {}
    for key, field, lang, body in rows:
        found = texts.setdefault(key, {})
        if field is not None:
            found[field, lang] = body
    terms = []
    for key, found in texts.items():
        langs_written = {lang for _field, lang in found}
        terms.append(
            Term(
                key=key,
                terms={
                    lang: (found["term", lang], *found.get(("variants", lang), "").splitlines())
                    for lang in langs_written
                    if ("term", lang) in found
                },
                plain={
                    lang: found["plain", lang] for lang in langs_written if ("plain", lang) in found
                },
                explanation={
                    lang: found["explanation", lang]
                    for lang in langs_written
                    if ("explanation", lang) in found
                },
            )
        )
    return terms
