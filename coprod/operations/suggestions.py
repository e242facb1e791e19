"""Citizens' better wordings for the interface: suggesting, deciding, exporting."""

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import TranslationSuggestion, User
from coprod.operations import audit

VERDICTS = ("accepted", "declined")


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
    suggestion.status = verdict
    audit.record(
        f"translation_{verdict}", actor=actor, lang=suggestion.lang, msgid=suggestion.msgid
    )
    db.session.flush()


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
