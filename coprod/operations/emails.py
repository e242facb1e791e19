"""Emails the mail server refused: what the sending job records, and what organisers see."""

from email.message import EmailMessage
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select

from coprod.extensions import db
from coprod.models import UnsentEmail, User, utcnow
from coprod.operations import audit


def failed(job_id: str, message: EmailMessage, error: Exception, *, final: bool) -> UnsentEmail:
    """Note one failed try of a sending job (`final`: the job will not try again)."""
    row = db.session.scalar(select(UnsentEmail).where(UnsentEmail.job_id == job_id))
    if row is None:
        row = UnsentEmail(
            job_id=job_id,
            address=str(message["To"])[:254],
            subject=str(message["Subject"])[:300],
            attempts=0,
        )
        db.session.add(row)
    row.attempts += 1
    row.last_failed_at = utcnow()
    row.error = f"{type(error).__name__}: {error}"[:300]
    row.gave_up = final
    db.session.flush()
    return row


def sent(job_id: str) -> None:
    """A retry got through: the email is no longer a worry."""
    db.session.execute(delete(UnsentEmail).where(UnsentEmail.job_id == job_id))


def unsent() -> tuple[list[UnsentEmail], list[UnsentEmail]]:
    """Emails still being retried, and emails given up on (newest first)."""
    rows = db.session.scalars(
        select(UnsentEmail).order_by(UnsentEmail.last_failed_at.desc()).limit(200)
    ).all()
    return [r for r in rows if not r.gave_up], [r for r in rows if r.gave_up]


def clear_given_up(actor: User) -> int:
    """An organiser has reached these people another way: forget the emails given up on."""
    # a DELETE's result is a CursorResult, which has the rowcount
    result = cast(
        CursorResult[Any], db.session.execute(delete(UnsentEmail).where(UnsentEmail.gave_up))
    )
    cleared = result.rowcount
    audit.record("unsent_emails_cleared", actor=actor, emails=cleared)
    return cleared
