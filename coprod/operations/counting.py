"""Counting a round with the pure tally core, and storing the result with its inputs' checksum.

A round becomes a pabulib election: its frozen rules and costs, and its anonymised ballots
in a fixed order that says nothing about when they were cast (sorted by receipt hash).
The same election is what the open-data `.pb` download holds, so anyone can recount it.

Everything the results pages show that needs a pass over the ballots (votes per remedy, the
share of voters with a funded choice, turnout by day, area, language and channel) is worked
out here, once, and stored with the count. A page then reads one small row, however many
ballots the round has; a recount stores new figures, and the pages follow the latest count.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Callable
from itertools import groupby
from operator import itemgetter
from typing import cast

from sqlalchemy import func, select

from coprod import pots, tally
from coprod.extensions import db
from coprod.models import (
    Area,
    AuditEvent,
    Ballot,
    BallotChoice,
    BallotType,
    Channel,
    Count,
    Phase,
    Pot,
    Remedy,
    Round,
    User,
)
from coprod.operations import audit
from coprod.operations.ballots import frozen_rules, pot_costs
from coprod.operations.phase import change_phase
from coprod.tally import fairness


def project_ids(rnd: Round) -> dict[int, str]:
    """Remedy id -> the project id used in the count (an imported file's own ids)."""
    rows = db.session.execute(
        select(Remedy.id, Remedy.external_id).where(Remedy.round_id == rnd.id)
    ).all()
    return {rid: external or str(rid) for rid, external in rows}


def _pot_rules(rules: dict, pot: Pot | None) -> dict:
    """The rules of one pot: its budget and only its remedies (the round's, without pots)."""
    if pot is None:
        return rules
    budget = next(p["budget"] for p in rules["pots"] if p["id"] == str(pot.id))
    return rules | {"budget": budget, "costs": pot_costs(rules, str(pot.id))}


def election_of(rnd: Round, pot: Pot | None = None) -> tally.Election:
    """The round's frozen rules and its anonymised ballots, as a pabulib election.

    In a round with pots, one pot's: its budget, its remedies, and the ballots that chose
    something in it (only those choices), as Warsaw publishes a file per district.
    """
    return election_and_groups(rnd, pot)[0]


def election_and_groups(
    rnd: Round, pot: Pot | None = None
) -> tuple[tally.Election, dict[str, list[str | None]]]:
    """`election_of`, and each voter's area (its id), ballot language and channel, in the
    election's order: for the fairness figures only, never in the open-data files (with
    them a ballot could be traced to a person)."""
    rules = _pot_rules(frozen_rules(rnd), pot)
    ids = project_ids(rnd)
    names = {r.id: str(r.t("title", rnd.content.original_lang) or "") for r in rnd.remedies}
    projects = {
        ids[int(rid)]: tally.Project(id=ids[int(rid)], cost=cost, name=names.get(int(rid), ""))
        for rid, cost in rules["costs"].items()
    }
    # Plain rows from the connection, not ORM rows: a city round has ~300,000 of them.
    query = (
        select(
            Ballot.id,
            BallotChoice.remedy_id,
            BallotChoice.points,
            Ballot.area_id,
            Ballot.lang,
            Ballot.channel,
        )
        .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .where(Ballot.round_id == rnd.id)
        .order_by(Ballot.receipt_hash, BallotChoice.id)
    )
    if pot is not None:
        query = query.where(BallotChoice.remedy_id.in_([int(r) for r in rules["costs"]]))
    rows = db.session.connection().execute(query).all()
    meta = dict(rnd.pb_meta or {})
    with_points = meta.get("vote_type", "approval") in ("cumulative", "scoring")
    votes = []
    groups: dict[str, list[str | None]] = {"area": [], "language": [], "channel": []}
    # Rows come ballot by ballot (ordered by receipt hash, which is unique in a round).
    for n, (_, group) in enumerate(groupby(rows, key=itemgetter(0)), start=1):
        chosen = list(group)
        area_id, lang, channel = chosen[0][3:6]
        groups["area"].append(str(area_id) if area_id is not None else None)
        groups["language"].append(lang)
        groups["channel"].append(Channel(channel).value if channel else None)
        votes.append(
            tally.Vote(
                voter_id=str(n),
                choices=tuple(ids[row[1]] for row in chosen),
                # points rounds are imported, and the file gave points to every choice
                points=cast("tuple[int, ...]", tuple(row[2] for row in chosen))
                if with_points
                else None,
            )
        )
    if not rnd.pb_meta:
        meta = {
            "description": rnd.slug,
            "country": "United Kingdom",
            "unit": _unit(rnd, pot),
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
    return tally.Election(meta=meta, projects=projects, votes=votes), groups


def _unit(rnd: Round, pot: Pot | None) -> str:
    """What a .pb file's `unit` says: the round's place, or the pot's area."""
    if pot is not None and pot.area is not None:
        return pot.area.name
    return rnd.area.name if rnd.area else rnd.slug


def pot_slug(pot: Pot) -> str:
    """A pot's name in a file name: its area's slug, or "whole" for the whole place."""
    return pot.area.slug if pot.area is not None else "whole"


def turnout_tallies(rnd: Round, remedy_ids: list[int] | None = None) -> dict[str, list[list]]:
    """Ballots by day, area, language and channel, from one grouped pass over the ballots.

    Pairs of [key, ballots], ready for JSON (an unknown area stays None, not "null").
    With `remedy_ids` (a pot's), only the ballots that chose at least one of them.
    """
    query = select(Ballot.cast_on, Ballot.area_id, Ballot.lang, Ballot.channel, func.count())
    query = query.where(Ballot.round_id == rnd.id)
    if remedy_ids is not None:
        chose = select(BallotChoice.id).where(
            BallotChoice.ballot_id == Ballot.id, BallotChoice.remedy_id.in_(remedy_ids)
        )
        query = query.where(chose.exists())
    rows = db.session.execute(
        query.group_by(Ballot.cast_on, Ballot.area_id, Ballot.lang, Ballot.channel)
    )
    days: Counter[str] = Counter()
    areas: Counter[int | None] = Counter()
    languages: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    for day, area, lang, channel, n in rows:
        days[day.isoformat()] += n
        areas[area] += n
        languages[lang] += n
        channels[Channel(channel).value] += n
    return {
        "days": [[k, n] for k, n in sorted(days.items())],
        "areas": [[k, n] for k, n in areas.items()],
        "languages": [[k, n] for k, n in sorted(languages.items())],
        "channels": [[k, n] for k, n in sorted(channels.items())],
    }


def count_round(
    rnd: Round, *, actor: User | None = None, progress: Callable[[float], None] | None = None
) -> Count:
    """Count a round's ballots under its frozen rule and store the outcome with a checksum
    (the caller commits). A round with pots is counted pot by pot (`count_pots`); this
    returns the first pot's count (a round without pots has only one)."""
    return count_pots(rnd, actor=actor, progress=progress)[0]


def count_pots(
    rnd: Round, *, actor: User | None = None, progress: Callable[[float], None] | None = None
) -> list[Count]:
    """Count each pot of a round (a round without pots is one) and store one Count per pot,
    each with its own inputs' checksum; one audit event says the round was counted.

    `progress` is told how far the whole count has gone, from 0 to 1: reading the
    ballots is the first tenth of each pot, the count the next eight, the fairness figures
    the last; it never goes back."""
    if not rnd.phase.rules_frozen or rnd.phase == Phase.VOTING:
        raise ValueError("a round is counted only after voting has closed")
    counted_before = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.round_id == rnd.id, AuditEvent.action == "round_counted"
        )
    )
    todo = pots.in_order(rnd) if rnd.pots else [None]
    counts = []
    furthest = [0.0]  # add1's guess can fall back: what is said never does
    for i, pot in enumerate(todo):

        def told(done: float, i: int = i) -> None:
            furthest[0] = max(furthest[0], (i + done) / len(todo))
            if progress is not None:
                progress(furthest[0])

        counts.append(_count_pot(rnd, pot, told))
    if not counted_before:  # followers hear "funded" once, not at every recount
        from coprod.following.operations import tell_round

        tell_round(rnd, "funded", [int(i) for c in counts for i in c.selected])
    checksums = [c.inputs_sha256 for c in counts]
    audit.record(
        "round_counted",
        actor=actor,
        round=rnd,
        rule=counts[0].rule,
        sha256=checksums[0] if len(checksums) == 1 else checksums,
    )
    db.session.flush()
    return counts


def _count_pot(rnd: Round, pot: Pot | None, told: Callable[[float], None]) -> Count:
    rules = frozen_rules(rnd)
    told(0)
    election, groups = election_and_groups(rnd, pot)
    told(0.1)
    outcome = tally.count(
        election,
        rule=rules["tally_rule"],
        utility=rules["tally_utility"],
        progress=lambda done: told(0.1 + 0.8 * done),
    )
    told(0.9)
    remedy_of = {pid: rid for rid, pid in project_ids(rnd).items()}
    fair = fairness.fairness(election, outcome, groups)
    told(1)
    other = cast(dict, fair["other_rule"])
    for key in ("selected", "only_ours", "only_theirs"):  # as remedy ids, like `selected`
        other[key] = [str(remedy_of[p]) for p in other[key]]
    checksum = hashlib.sha256(tally.write_pb(election).encode()).hexdigest()
    funded = set(outcome.selected)
    lucky = sum(1 for v in election.votes if funded.intersection(v.choices))
    votes = Counter(c for v in election.votes for c in v.choices)
    in_pot = [int(r) for r in _pot_rules(rules, pot)["costs"]] if pot is not None else None
    result = Count(
        round_id=rnd.id,
        pot_id=pot.id if pot is not None else None,
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
        summary={
            "voters_with_a_funded_choice": lucky,
            "turnout": turnout_tallies(rnd, in_pot),
            "fairness": fair,
        },
    )
    db.session.add(result)
    return result


def close_and_count(rnd: Round, *, actor: User | None = None) -> Count:
    """Close voting and count, as one piece of work: the phase moves to counted, the count
    (one per pot) is stored, and both are audited; the caller commits once. If the count
    fails, the caller's rollback leaves the round voting, with no count and no audit event
    of either.
    """
    change_phase(rnd, Phase.COUNTED, actor=actor)
    return count_round(rnd, actor=actor)


def latest_count(rnd: Round) -> Count | None:
    """The most recent count of a round, if it has been counted."""
    return db.session.scalar(
        select(Count).where(Count.round_id == rnd.id).order_by(Count.id.desc()).limit(1)
    )


def turnout_of(rnd: Round, count: Count | None) -> dict[str, list[list]]:
    """Turnout as the latest count stored it; counted live while voting is open.

    Ballots cannot change once voting has closed, so a count's figures stay true until
    the next count replaces them. A count stored without them (an older or transferred
    one) falls back to counting live.
    """
    stored = (count.summary or {}).get("turnout") if count is not None else None
    return stored if stored is not None else turnout_tallies(rnd)


def latest_counts(rnd: Round) -> list[Count]:
    """The latest count of each pot, in the pots' order; a round without pots: its latest
    count, if it has one."""
    if not rnd.pots:
        latest = latest_count(rnd)
        return [latest] if latest is not None else []
    found: dict[int | None, Count] = {}
    for c in db.session.scalars(
        select(Count).where(Count.round_id == rnd.id).order_by(Count.id.desc())
    ):
        found.setdefault(c.pot_id, c)
    return [found[p.id] for p in pots.in_order(rnd) if p.id in found]


def results_data(rnd: Round, result: Count | None = None) -> dict | None:
    """The stored count (the latest, or `result`), remedy by remedy, most votes first
    (None before counting)."""
    if result is None:
        result = latest_count(rnd)
    if result is None:
        return None
    remedies = {r.id: r for r in rnd.remedies}
    ids = project_ids(rnd)
    rows = []
    for rid, expl in result.explanations.items():
        remedy = remedies[int(rid)]
        rows.append({"remedy": remedy, "project_id": ids[remedy.id], "explanation": expl})
    rows.sort(key=lambda row: (-row["explanation"]["votes"], row["remedy"].id))
    data = {
        "count": result,
        "rows": rows,
        "funded": [remedies[int(rid)] for rid in result.selected],
    }
    fair = (result.summary or {}).get("fairness")
    if fair is not None:
        other = fair["other_rule"]
        data["other_rule"] = {
            "rule": other["rule"],
            "only_ours": [remedies[int(r)] for r in other["only_ours"]],
            "only_theirs": [remedies[int(r)] for r in other["only_theirs"]],
        }
        rows = fair["by"].get("area", [])
        keys = [g["group"] for g in rows] + [k for g in rows for k in g.get("together", [])]
        area_ids = {int(k) for k in keys if k is not None}
        found = db.session.execute(select(Area.id, Area.name).where(Area.id.in_(area_ids))).all()
        data["area_names"] = {str(i): name for i, name in found}
    return data


def pot_results(rnd: Round) -> list[dict]:
    """Each counted pot's results (see `results_data`), with its pot, name and budget."""
    by_id = {p.id: p for p in rnd.pots}
    budgets = {p["id"]: p["budget"] for p in frozen_rules(rnd).get("pots", [])}
    sections = []
    for count in latest_counts(rnd):
        pot = by_id[count.pot_id] if count.pot_id is not None else None
        if pot is None:
            continue
        data = results_data(rnd, count)
        assert data is not None  # a count was given
        budget = budgets.get(str(pot.id), pot.budget)
        sections.append(data | {"pot": pot, "name": pots.name(pot), "budget": budget})
    return sections


def results_json(rnd: Round) -> dict:
    """The results as open data (the API's); a round with pots has them pot by pot."""
    if rnd.pots:
        sections = pot_results(rnd)
        if not sections:
            return {"round": rnd.slug, "counted": False}
        return {
            "round": rnd.slug,
            "counted": True,
            "pots": [
                {"pot": str(s["pot"].id), "area": s["pot"].area.slug if s["pot"].area else None}
                | _count_json(s, s["budget"])
                for s in sections
            ],
        }
    data = results_data(rnd)
    if data is None:
        return {"round": rnd.slug, "counted": False}
    return {"round": rnd.slug, "counted": True} | _count_json(data, frozen_rules(rnd)["budget"])


def fairness_of(data: dict) -> dict | None:
    """A count's fairness figures, with remedies named by their project ids (None for a
    count stored before there were any)."""
    fair = (data["count"].summary or {}).get("fairness")
    if fair is None:
        return None
    project = {str(row["remedy"].id): row["project_id"] for row in data["rows"]}
    other = fair["other_rule"]
    named = {
        k: [project.get(r, r) for r in other[k]] for k in ("selected", "only_ours", "only_theirs")
    }
    return fair | {"other_rule": other | named}


def _count_json(data: dict, budget: int) -> dict:
    count = data["count"]
    return {
        "rule": count.rule,
        "utility": count.utility,
        "budget": budget,
        "spent": count.spent,
        "ballots": count.ballots,
        "inputs_sha256": count.inputs_sha256,
        "selected": [row["project_id"] for row in data["rows"] if row["explanation"]["funded"]],
        "remedies": [
            {
                "id": str(row["remedy"].id),
                "project_id": row["project_id"],
                "cost": row["remedy"].cost,
                "votes": row["explanation"]["votes"],
                "funded": row["explanation"]["funded"],
                "reason": row["explanation"]["reason"],
                "amounts": row["explanation"]["amounts"],
            }
            for row in data["rows"]
        ],
        "fairness": fairness_of(data),
    }
