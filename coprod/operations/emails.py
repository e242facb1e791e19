"""Messages that could not be sent: what the sending jobs record, what organisers see, and
sending a message again."""

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from coprod.extensions import db
from coprod.models import UnsentEmail, User, utcnow
from coprod.operations import audit


def failed(job_id: str, message: EmailMessage, error: Exception, *, final: bool) -> UnsentEmail:
    """Note one failed try of a sending job (`final`: the job will not try again)."""
    return _note_failure(
        job_id,
        error,
        final=final,
        address=str(message["To"])[:254],
        subject=str(message["Subject"])[:300],
    )


def _note_failure(job_id: str, error: Exception, *, final: bool, **first: Any) -> UnsentEmail:
    """One more failed try of the job's message; `first` describes it when it is new."""
    row = db.session.scalar(select(UnsentEmail).where(UnsentEmail.job_id == job_id))
    if row is None:
        row = UnsentEmail(job_id=job_id, attempts=0, **first)
        db.session.add(row)
    row.attempts += 1
    row.last_failed_at = utcnow()
    row.error = f"{type(error).__name__}: {error}"[:300]
    row.why = why(error)
    row.gave_up = final
    db.session.flush()
    return row


def why(error: Exception) -> str:
    """Why a message did not go, in one word organisers' pages put in plain words:
    "refused" (the service or mail server said no: a wrong address, key or template),
    "unreachable" (it could not be reached, or failed on its side), "no_sms" (text messages
    need GOV.UK Notify), or "other"."""
    status = getattr(getattr(error, "response", None), "status_code", None) or getattr(
        error, "status_code", None
    )
    if isinstance(status, int):
        return "refused" if 400 <= status < 500 else "unreachable"
    if isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
        return "refused"
    if isinstance(error, OSError):  # includes timeouts and refused connections
        return "unreachable"
    if isinstance(error, RuntimeError) and "Notify" in str(error):
        return "no_sms"
    return "other"


def message_failed(
    job_id: str,
    channel: str,
    address: str,
    subject: str,
    body: str,
    unfollow: str,
    error: Exception,
    *,
    final: bool,
) -> UnsentEmail:
    """Note one failed try of a message to a follower or supporter, with its words, so an
    organiser can send it again once the job stops trying."""
    return _note_failure(
        job_id,
        error,
        final=final,
        address=address[:254],
        subject=subject[:300],
        channel=channel,
        body=body,
        unfollow=unfollow[:500],
    )


@dataclass(frozen=True)
class GivenUp:
    """One message the jobs gave up on: to how many people, why, and whether it can go again."""

    first_id: int
    subject: str
    people: int
    why: str
    can_send_again: bool


def given_up_by_message() -> list[GivenUp]:
    """Messages given up on, one line per message (its subject) and reason, most people first."""
    rows = db.session.execute(
        select(
            func.min(UnsentEmail.id),
            UnsentEmail.subject,
            func.count(UnsentEmail.id),
            UnsentEmail.why,
            func.max(func.length(UnsentEmail.body)),
        )
        .where(UnsentEmail.gave_up.is_(True))
        .group_by(UnsentEmail.subject, UnsentEmail.why)
        .order_by(func.count(UnsentEmail.id).desc(), UnsentEmail.subject)
    )
    return [GivenUp(i, subject, n, why, bool(words)) for i, subject, n, why, words in rows]


def send_again(
    row: UnsentEmail, actor: User, send: Callable[[str, str, str, str, str], None]
) -> int:
    """Send a given-up message again to everyone it failed for (the rows with its subject and
    words); how many. Each goes by a new job, which records its own failure if it fails."""
    same = db.session.scalars(
        select(UnsentEmail).where(
            UnsentEmail.gave_up.is_(True),
            UnsentEmail.subject == row.subject,
            UnsentEmail.body != "",
        )
    ).all()
    for each in same:
        send(each.channel, each.address, each.subject, each.body, each.unfollow)
        db.session.delete(each)
    audit.record("unsent_message_sent_again", actor=actor, people=len(same))
    db.session.flush()
    return len(same)


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
