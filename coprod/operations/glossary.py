"""The glossary in the database, seeded from the plain-language core's list."""

import json
from pathlib import Path

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import GlossaryTerm
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


def glossary_terms() -> list[Term]:
    """The glossary's terms, in the plain core's shape, for jargon advice and linking."""
    found = []
    for row in db.session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.key)):
        forms: dict[str, tuple[str, ...]] = {}
        plain: dict[str, str] = {}
        explanation: dict[str, str] = {}
        for lang in row.content.languages():
            t = {f: row.content.text(f, lang) for f in ("term", "variants", "plain", "explanation")}
            if t["term"] and not t["term"].is_fallback:
                extra = (
                    t["variants"].text.splitlines()
                    if t["variants"] and not t["variants"].is_fallback
                    else []
                )
                forms[lang] = (t["term"].text, *extra)
            for field, target in (("plain", plain), ("explanation", explanation)):
                text = t[field]
                if text and not text.is_fallback:
                    target[lang] = text.text
        found.append(Term(key=row.key, terms=forms, plain=plain, explanation=explanation))
    return found
