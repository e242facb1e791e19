"""Glossary terms: the words the jargon finder looks for, with plain words for each language."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any


@dataclass(frozen=True)
class Term:
    """One glossary entry; every mapping is keyed by language code (en, ur, zh_Hans...)."""

    key: str
    # The surface forms to find, headword first. Forms match whole words only (`jargon`);
    # one ending in "*" matches any ending, for languages that inflect nouns:
    # "interesariusz*" finds "interesariuszy".
    terms: Mapping[str, tuple[str, ...]]
    plain: Mapping[str, str]
    explanation: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Term":
        """Build a term from its JSON shape (lists of forms become tuples)."""
        return cls(
            key=data["key"],
            terms={lang: tuple(forms) for lang, forms in data["terms"].items()},
            plain=dict(data.get("plain", {})),
            explanation=dict(data.get("explanation", {})),
        )


def load_seed() -> list[Term]:
    """Return the glossary shipped with the package, from `glossary_seed.json`."""
    return list(_seed())


@cache
def _seed() -> tuple[Term, ...]:
    text = files(__package__).joinpath("glossary_seed.json").read_text("utf-8")
    return tuple(Term.from_dict(item) for item in json.loads(text))
