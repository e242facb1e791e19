"""Citizens' better wordings for the interface: suggesting, deciding, using, exporting.

An accepted wording is used at once: each request reads the accepted wordings of its
language from the database (`accepted_wordings`, through `coprod.i18n`), on top of the
compiled catalogues. Exporting them into the catalogues is only for translators' files.
"""

import re
from collections import Counter

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import TranslationSuggestion, User
from coprod.operations import audit

VERDICTS = ("accepted", "declined")
# Used on the site: accepted, and accepted then written into the catalogues.
IN_USE = ("accepted", "exported")
# The parts of a string the site fills in or reads as markup: placeholders (%(name)s, %d,
# %%), tags, and any other angle bracket. A wording must keep exactly these.
_PARTS = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|<[^<>]*>|[<>]")


class WordingDoesNotFit(ValueError):
    """An accepted wording would lose or add a placeholder or a piece of markup."""


def fits(msgid: str, wording: str) -> bool:
    """Tell whether a wording keeps the string's placeholders and markup, no more, no less."""
    # Anything else could break the page (a missing value) or put a citizen's markup into it.
    return Counter(_PARTS.findall(msgid)) == Counter(_PARTS.findall(wording))


def suggest(lang: str, msgid: str, suggestion: str, page: str) -> TranslationSuggestion:
    """Keep a citizen's wording of one string, for organisers to review (the caller commits)."""
    found = TranslationSuggestion(lang=lang, msgid=msgid, suggestion=suggestion.strip(), page=page)
    db.session.add(found)
    db.session.flush()
    return found


def decide(suggestion: TranslationSuggestion, verdict: str, *, actor: User) -> None:
    """Accept or decline a suggestion, with its audit event (the caller commits)."""
    if verdict not in VERDICTS:
        raise ValueError(f"not a verdict: {verdict}")
    if verdict == "accepted" and not fits(suggestion.msgid, suggestion.suggestion):
        raise WordingDoesNotFit(suggestion.msgid)
    suggestion.status = verdict
    audit.record(
        f"translation_{verdict}", actor=actor, lang=suggestion.lang, msgid=suggestion.msgid
    )
    db.session.flush()


def accepted_wordings(lang: str) -> dict[str, str]:
    """The wordings in use for one language, by msgid; the latest accepted one wins."""
    rows = db.session.execute(
        select(TranslationSuggestion.msgid, TranslationSuggestion.suggestion)
        .where(TranslationSuggestion.lang == lang, TranslationSuggestion.status.in_(IN_USE))
        .order_by(TranslationSuggestion.id)
    )
    # Checked again here: rows accepted before the check existed must not break a page.
    return {msgid: wording for msgid, wording in rows if fits(msgid, wording)}


def waiting_to_export() -> list[TranslationSuggestion]:
    """The accepted suggestions not yet written into the catalogues."""
    return list(
        db.session.scalars(
            select(TranslationSuggestion).where(TranslationSuggestion.status == "accepted")
        )
    )


def mark_exported(written: list[TranslationSuggestion]) -> None:
    """Note that these suggestions are now in the catalogues (the caller commits)."""
    for s in written:
        s.status = "exported"
    db.session.flush()
