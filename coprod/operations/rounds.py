"""Changing a round's budget, rules and costs, which freeze once voting opens."""

from coprod.extensions import db
from coprod.models import Remedy, Round, User
from coprod.operations import audit

RULE_FIELDS = (
    "budget",
    "currency",
    "ballot_type",
    "min_spend_percent",
    "min_choices",
    "max_choices",
    "tally_rule",
    "tally_utility",
)


class RulesFrozen(Exception):
    """The budget, costs, rules and remedies cannot change once voting has opened."""


def update_rules(
    rnd: Round, changes: dict, *, costs: dict[int, int] | None = None, actor: User | None = None
) -> None:
    """Change rule fields and remedy costs together, or refuse (and log) once frozen.

    Writes are flushed, not committed: the caller commits, also after a refusal if the
    refusal's audit event is to be kept.
    """
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not a rule: {', '.join(sorted(unknown))}")
    if rnd.phase.rules_frozen:
        audit.record(
            "rules_change_refused",
            actor=actor,
            round=rnd,
            changes={k: str(v) for k, v in changes.items()},
            costs={str(k): v for k, v in (costs or {}).items()},
        )
        db.session.flush()
        raise RulesFrozen("voting has opened, so the budget, costs and rules are fixed")
    for field, value in changes.items():
        setattr(rnd, field, value)
    for remedy_id, cost in (costs or {}).items():
        remedy = db.session.get(Remedy, remedy_id)
        if remedy is None or remedy.round_id != rnd.id:
            raise ValueError(f"remedy {remedy_id} is not in this round")
        remedy.cost = cost
    audit.record(
        "rules_changed", actor=actor, round=rnd, changes={k: str(v) for k, v in changes.items()}
    )
    db.session.flush()
