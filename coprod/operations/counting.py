"""Counting a round with the pure tally core, and storing the result with its inputs' checksum."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from coprod import tally
from coprod.extensions import db
from coprod.models import Ballot, BallotType, Count, Round, User
from coprod.operations import audit
from coprod.operations.ballots import frozen_rules


def election_of(rnd: Round) -> tally.Election:
    """The round's frozen rules and its anonymised ballots, as a pabulib election."""
    rules = frozen_rules(rnd)
    ballots = db.session.scalars(
        select(Ballot).where(Ballot.round_id == rnd.id).order_by(Ballot.id)
    ).all()
    meta = {
        "description": rnd.slug,
        "country": "United Kingdom",
        "unit": rnd.area.name if rnd.area else rnd.slug,
        "instance": rnd.slug,
        "num_projects": str(len(rules["costs"])),
        "num_votes": str(len(ballots)),
        "budget": str(rules["budget"]),
        "vote_type": "approval",
        "rule": rules["tally_rule"],
        "currency": rules["currency"],
    }
    if rules["ballot_type"] == BallotType.KNAPSACK.value:
        meta["max_sum_cost"] = str(rules["budget"])
    elif rules["max_choices"]:
        meta["max_length"] = str(rules["max_choices"])
    projects = {
        pid: tally.Project(id=pid, cost=cost, name=pid) for pid, cost in rules["costs"].items()
    }
    votes = [
        tally.Vote(voter_id=str(i), choices=tuple(str(c.remedy_id) for c in b.choices))
        for i, b in enumerate(ballots, start=1)
    ]
    return tally.Election(meta=meta, projects=projects, votes=votes)


def count_round(rnd: Round, *, actor: User | None = None) -> Count:
    """Count a round's ballots under its frozen rule and store the outcome."""
    rules = frozen_rules(rnd)
    election = election_of(rnd)
    outcome = tally.count(election, rule=rules["tally_rule"], utility=rules["tally_utility"])
    checksum = hashlib.sha256(tally.write_pb(election).encode()).hexdigest()
    result = Count(
        round_id=rnd.id,
        rule=outcome.rule,
        utility=outcome.utility,
        inputs_sha256=checksum,
        ballots=len(election.votes),
        spent=int(outcome.spent),
        selected=list(outcome.selected),
        explanations={pid: tally.explanation_data(e) for pid, e in outcome.explanations.items()},
    )
    db.session.add(result)
    audit.record("round_counted", actor=actor, round=rnd, rule=outcome.rule, sha256=checksum)
    db.session.commit()
    return result


def latest_count(rnd: Round) -> Count | None:
    """The most recent count of a round, if it has been counted."""
    return db.session.scalar(
        select(Count).where(Count.round_id == rnd.id).order_by(Count.id.desc()).limit(1)
    )
