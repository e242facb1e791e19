"""The glossary in the database, seeded from the plain-language core's list."""

import json
from pathlib import Path

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import GlossaryTerm
from coprod.operations.content import new_content

SEED = Path(__file__).resolve().parent.parent / "plain" / "glossary_seed.json"


def load_seed() -> int:
    """Add the seeded terms that are not in the glossary yet; return how many were added."""
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
    db.session.commit()
    return added
