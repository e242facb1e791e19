"""Reading interface strings from the catalogues, and writing accepted suggestions back."""

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po, write_po
from markupsafe import Markup

SHARED = ("templates/base.html", "templates/macros.html", "templates/forms.html")
# Where the page puts a name, a number or a link, the picker shows this instead.
FILLED_IN = "…"
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")


def po_path(translations: str, lang: str) -> Path:
    """The catalogue file of one language."""
    return Path(translations) / lang / "LC_MESSAGES" / "messages.po"


@cache
def _strings_by_file(pot: str, mtime: float) -> dict[str, list[str]]:
    with open(pot, "rb") as f:
        catalog = read_po(f)
    by_file: dict[str, list[str]] = {}
    for message in catalog:
        # not pluralizable: a plural message's id is a tuple (babel's pluralizable test)
        if message.id and isinstance(message.id, str):
            for filename, _line in message.locations:
                by_file.setdefault(filename, []).append(message.id)
    return by_file


def as_seen(text: str) -> str:
    """A string as a reader sees it on the page: markup read as text, filled-in parts marked."""
    # Tags go first, so a placeholder inside a link's address goes with them.
    shown = Markup(text).striptags()
    return _PLACEHOLDER.sub(FILLED_IN, shown).replace("%%", "%")


def page_strings(translations: str, template: str | None) -> list[str]:
    """Interface strings shown by a page template and by the layout around it."""
    pot = Path(translations) / "messages.pot"
    if not pot.exists():
        return []
    by_file = _strings_by_file(str(pot), pot.stat().st_mtime)
    files = ([f"templates/{template}"] if template else []) + list(SHARED)
    seen: dict[str, None] = {}
    for name in files:
        for msgid in by_file.get(name, []):
            seen.setdefault(msgid)
    return list(seen)


def apply_suggestions(translations: str, lang: str, wordings: dict[str, str]) -> int:
    """Write accepted wordings into a language's catalogue; return how many were changed."""
    path = po_path(translations, lang)
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    changed = 0
    for msgid, text in wordings.items():
        message = catalog.get(msgid)
        if message is not None and message.string != text:
            message.string, message.flags = text, message.flags - {"fuzzy"}
            changed += 1
    with path.open("wb") as f:
        write_po(f, catalog, width=0, sort_by_file=True)
    return changed
