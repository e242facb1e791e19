"""Moving a round from one phase to the next, and freezing its rules when voting opens."""

from coprod.extensions import db
from coprod.models import Phase, Round, User
from coprod.operations import audit
from coprod.operations.ballots import rules_of

ORDER = list(Phase)


class PhaseError(Exception):
    """A phase change that is not allowed."""


def change_phase(rnd: Round, to: Phase, *, actor: User | None = None) -> None:
    """Move a round forward one or more phases; rules freeze as voting opens (the caller
    commits)."""
    if ORDER.index(to) <= ORDER.index(rnd.phase):
        raise PhaseError(f"a round cannot go back from {rnd.phase.value} to {to.value}")
    if to.rules_frozen and rnd.frozen_rules is None:
        rnd.frozen_rules = rules_of(rnd)
    audit.record("phase_changed", actor=actor, round=rnd, before=rnd.phase.value, after=to.value)
    rnd.phase = to
    db.session.flush()
