"""Counting a round with the pure tally core, and storing the result with its inputs' checksum.

A round becomes a pabulib election: its frozen rules and costs, and its anonymised ballots
in a fixed order that says nothing about when they were cast (sorted by receipt hash).
The same election is what the open-data `.pb` download holds, so anyone can recount it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter

from sqlalchemy import select

from coprod import tally
from coprod.extensions import db
from coprod.models import Ballot, BallotChoice, BallotType, Count, Phase, Remedy, Round, User
from coprod.operations import audit
from coprod.operations.ballots import frozen_rules


def project_ids(rnd: Round) -> dict[int, str]:
    """Remedy id -> the project id used in the count (an imported file's own ids)."""
    rows = db.session.execute(
        select(Remedy.id, Remedy.external_id).where(Remedy.round_id == rnd.id)
    ).all()
    return {rid: external or str(rid) for rid, external in rows}


def election_of(rnd: Round) -> tally.Election:
    """The round's frozen rules and its anonymised ballots, as a pabulib election."""
    rules = frozen_rules(rnd)
    ids = project_ids(rnd)
    names = {r.id: str(r.t("title", rnd.content.original_lang) or "") for r in rnd.remedies}
    projects = {
        ids[int(rid)]: tally.Project(id=ids[int(rid)], cost=cost, name=names.get(int(rid), ""))
        for rid, cost in rules["costs"].items()
    }
    rows = db.session.execute(
        select(Ballot.id, BallotChoice.remedy_id, BallotChoice.points)
        .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .where(Ballot.round_id == rnd.id)
        .order_by(Ballot.receipt_hash, BallotChoice.id)
    ).all()
    ballots: dict[int, tuple[list[str], list]] = {}
    for ballot_id, remedy_id, points in rows:
        chosen, given = ballots.setdefault(ballot_id, ([], []))
        chosen.append(ids[remedy_id])
        given.append(points)
    meta = dict(rnd.pb_meta or {})
    vote_type = meta.get("vote_type", "approval")
    votes = [
        tally.Vote(
            voter_id=str(n),
            choices=tuple(chosen),
            points=tuple(given) if vote_type in ("cumulative", "scoring") else None,
        )
        for n, (chosen, given) in enumerate(ballots.values(), start=1)
    ]
    if not rnd.pb_meta:
        meta = {
            "description": rnd.slug,
            "country": "United Kingdom",
            "unit": rnd.area.name if rnd.area else rnd.slug,
            "instance": rnd.slug,
            "vote_type": "approval",
            "rule": rules["tally_rule"],
            "currency": rules["currency"],
        }
        if rules["ballot_type"] == BallotType.KNAPSACK.value:
            meta["max_sum_cost"] = str(rules["budget"])
        elif rules["max_choices"]:
            meta["max_length"] = str(rules["max_choices"])
    meta |= {
        "budget": str(rules["budget"]),
        "num_projects": str(len(projects)),
        "num_votes": str(len(votes)),
    }
    return tally.Election(meta=meta, projects=projects, votes=votes)


def count_round(rnd: Round, *, actor: User | None = None) -> Count:
    """Count a round's ballots under its frozen rule and store the outcome with a checksum."""
    if not rnd.phase.rules_frozen or rnd.phase == Phase.VOTING:
        raise ValueError("a round is counted only after voting has closed")
    rules = frozen_rules(rnd)
    election = election_of(rnd)
    outcome = tally.count(election, rule=rules["tally_rule"], utility=rules["tally_utility"])
    checksum = hashlib.sha256(tally.write_pb(election).encode()).hexdigest()
    remedy_of = {pid: rid for rid, pid in project_ids(rnd).items()}
    funded = set(outcome.selected)
    lucky = sum(1 for v in election.votes if funded.intersection(v.choices))
    votes = Counter(c for v in election.votes for c in v.choices)
    result = Count(
        round_id=rnd.id,
        rule=outcome.rule,
        utility=outcome.utility,
        inputs_sha256=checksum,
        ballots=len(election.votes),
        spent=int(outcome.spent),
        selected=[str(remedy_of[p]) for p in outcome.selected],
        explanations={
            str(remedy_of[p]): dataclasses.asdict(e) | {"votes": votes.get(p, 0)}
            for p, e in outcome.explanations.items()
        },
        summary={"voters_with_a_funded_choice": lucky},
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
