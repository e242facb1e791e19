"""The audit log: every staff action and phase change, in one place."""

from coprod.extensions import db
from coprod.models import AuditEvent, Remedy, Round, User


def record(
    action: str,
    *,
    actor: User | None = None,
    round: Round | None = None,
    remedy: Remedy | None = None,
    **detail: object,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        round_id=round.id if round else (remedy.round_id if remedy else None),
        remedy_id=remedy.id if remedy else None,
        detail=detail,
    )
    db.session.add(event)
    return event
