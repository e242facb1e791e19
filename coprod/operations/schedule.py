"""Moving rounds on by their dates: each phase opens on its date; voting closes after its last."""

from datetime import date

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import Phase, Round, User
from coprod.operations.phase import ORDER, change_phase

# The phases the dates can reach. Answering (responding) and closing stay with people.
_BY_DATE = (Phase.PROPOSING, Phase.RATING, Phase.VOTING, Phase.COUNTED)


def due_phase(rnd: Round, today: date) -> Phase:
    """The phase a round's dates say it should be in today (never earlier than its own)."""
    opens = {
        Phase.PROPOSING: rnd.proposing_opens,
        Phase.RATING: rnd.rating_opens,
        Phase.VOTING: rnd.voting_opens,
    }
    due = rnd.phase
    for phase, day in opens.items():
        if day is not None and day <= today and ORDER.index(phase) > ORDER.index(due):
            due = phase
    # voting_closes is the last day of voting: the round closes once that day is over.
    # A round that never opened voting is not closed by a date.
    closed = rnd.voting_closes is not None and rnd.voting_closes < today
    if closed and ORDER.index(due) >= ORDER.index(Phase.VOTING):
        due = max(due, Phase.COUNTED, key=ORDER.index)
    return due


def advance_rounds(today: date, *, actor: User | None = None) -> list[tuple[Round, Phase]]:
    """Move every round whose dates have come on, phase by phase (each one in the audit log).

    Returns (round, phase it reached). Running it again the same day changes nothing.
    """
    rounds = db.session.scalars(
        select(Round)
        .where(Round.phase.in_([Phase.DRAFT, *_BY_DATE[:-1]]))
        .order_by(Round.id)
        .with_for_update(of=Round)  # two ticks at once: the second waits, then finds nothing to do
    ).all()
    moved = []
    for rnd in rounds:
        due = due_phase(rnd, today)
        if due == rnd.phase:
            continue
        for phase in ORDER[ORDER.index(rnd.phase) + 1 : ORDER.index(due) + 1]:
            change_phase(rnd, phase, actor=actor)
        moved.append((rnd, due))
    return moved
