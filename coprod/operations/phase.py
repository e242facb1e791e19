"""Moving a round from one phase to the next, freezing its rules when voting opens, and
opening voting again on the day it was closed by hand, while no count has been made."""

from datetime import date

from sqlalchemy import exists, select

from coprod.extensions import db
from coprod.models import AuditEvent, Count, Phase, Round, User
from coprod.operations import audit
from coprod.operations.ballots import rules_of

ORDER = list(Phase)


class PhaseError(Exception):
    """A phase change that is not allowed; `reason` names why, for a translated message."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


def change_phase(
    rnd: Round, to: Phase, *, actor: User | None = None, closed_on: date | None = None
) -> None:
    """Move a round forward one or more phases; rules freeze as voting opens (the caller
    commits). `closed_on`: the council's date when voting is closed by hand (see
    `close_voting`), kept in the audit event."""
    if ORDER.index(to) <= ORDER.index(rnd.phase):
        raise PhaseError(f"a round cannot go back from {rnd.phase.value} to {to.value}")
    if to.rules_frozen and rnd.frozen_rules is None:
        rnd.frozen_rules = rules_of(rnd)
    event = audit.record(
        "phase_changed", actor=actor, round=rnd, before=rnd.phase.value, after=to.value
    )
    if closed_on is not None:
        event.detail = event.detail | {"closed_on": closed_on.isoformat()}
    rnd.phase = to
    db.session.flush()
    if to == Phase.VOTING:
        from coprod.council.data import invite_order
        from coprod.following.operations import invite_rank, tell_round

        # The invitations to vote go lowest-turnout areas and languages first, as letters do.
        tell_round(rnd, "vote", rank=invite_rank(invite_order(rnd).order))


def close_voting(rnd: Round, *, today: date, actor: User | None = None) -> None:
    """Close voting by hand, without counting: the count comes at the end of `today` (the
    council's date), or sooner when an organiser asks, so until then it can be undone."""
    if rnd.phase != Phase.VOTING:
        raise PhaseError("only a round that is voting can be closed", "not_voting")
    change_phase(rnd, Phase.COUNTED, actor=actor, closed_on=today)


def _last_close(rnd: Round) -> AuditEvent | None:
    """The event of the round's latest move to counted (voting closing)."""
    return db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.round_id == rnd.id,
            AuditEvent.action == "phase_changed",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


def _count_started(rnd: Round, after_event: int) -> bool:
    """A count is stored, or one was queued after the given event."""
    stored = db.session.scalar(select(exists().where(Count.round_id == rnd.id)))
    queued = db.session.scalar(
        select(
            exists().where(
                AuditEvent.round_id == rnd.id,
                AuditEvent.action.in_(["count_queued", "round_counted"]),
                AuditEvent.id > after_event,
            )
        )
    )
    return bool(stored or queued)


def waiting_to_count(rnd: Round) -> bool:
    """Voting has closed and no count has been made or started yet."""
    if rnd.phase != Phase.COUNTED:
        return False
    close = _last_close(rnd)
    return not _count_started(rnd, close.id if close else 0)


def closed_on(rnd: Round) -> date | None:
    """The council's date on which voting was closed by hand (None if closed by its date)."""
    close = _last_close(rnd)
    if close is None or (close.detail or {}).get("after") != Phase.COUNTED.value:
        return None
    day = (close.detail or {}).get("closed_on")
    return date.fromisoformat(day) if isinstance(day, str) else None


def can_reopen(rnd: Round, today: date) -> bool:
    """True while voting, closed by hand today, can still be opened again."""
    try:
        check_reopen(rnd, today)
    except PhaseError:
        return False
    return True


def move_on(rnd: Round, *, seen: Phase, to: Phase, today: date, actor: User | None = None) -> None:
    """An organiser's confirmed step from the phase they saw (`seen`) to `to`: closing voting
    by hand when `to` is "counted", else changing the phase (the caller commits).

    The round's row is held and its phase read again first, so when two organisers confirm
    the same step at once, one step is taken and one event recorded; the other gets
    PhaseError("moved")."""
    lock(rnd)
    if rnd.phase != seen:
        raise PhaseError("the round has already moved on", "moved")
    if to == Phase.COUNTED:
        close_voting(rnd, today=today, actor=actor)
    else:
        change_phase(rnd, to, actor=actor)


def check_reopen(rnd: Round, today: date) -> None:
    """Raise PhaseError (with its reason) unless voting can be opened again today."""
    if rnd.phase != Phase.COUNTED:
        raise PhaseError("voting is not closed", "not_closed")
    if not waiting_to_count(rnd):
        raise PhaseError("the votes have been counted", "counted")
    if closed_on(rnd) != today:
        raise PhaseError("voting can be opened again only on the day it closed", "too_late")


def lock(rnd: Round) -> None:
    """Hold the round's row until the caller's transaction ends, and read its phase again:
    opening voting again and counting wait for each other, so no count is made of a round
    that is taking votes again, and no round reopens once its count is in."""
    db.session.refresh(rnd, attribute_names=["phase"], with_for_update=True)


def reopen_voting(rnd: Round, *, today: date, actor: User | None = None) -> None:
    """Open voting again on the day it was closed by hand, while no count exists; every
    ballot already cast stays (the caller commits)."""
    lock(rnd)
    check_reopen(rnd, today)
    audit.record("voting_reopened", actor=actor, round=rnd, before=rnd.phase.value, after="voting")
    rnd.phase = Phase.VOTING
    db.session.flush()


def rounds_to_count(today: date) -> list[Round]:
    """Rounds closed by hand before `today` whose count has not been made or started."""
    waiting = db.session.scalars(
        select(Round)
        .where(Round.phase == Phase.COUNTED, ~exists().where(Count.round_id == Round.id))
        .order_by(Round.id)
        .with_for_update(of=Round)  # two ticks at once: the second waits, then finds them counted
    ).all()
    due = []
    for rnd in waiting:
        day = closed_on(rnd)
        if waiting_to_count(rnd) and (day is None or day < today):
            due.append(rnd)
    return due
