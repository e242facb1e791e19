"""Casting a ballot: one transaction, one ballot per code, no link from ballot to code."""

import hashlib
import secrets
import typing
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Table, select

from coprod.extensions import db
from coprod.models import Ballot, BallotChoice, BallotType, Channel, Phase, RemedyStatus, Round
from coprod.operations import codes


@dataclass(frozen=True)
class Problem:
    """Why a ballot cannot be cast, as a code and the numbers a message needs."""

    code: str
    params: dict = field(default_factory=dict)


class CastError(Exception):
    """A ballot was refused; `problems` says why."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = list(problems)


def frozen_rules(rnd: Round) -> dict:
    """The rules a ballot is checked against: fixed when voting opens, live before."""
    if rnd.frozen_rules:
        return rnd.frozen_rules
    return rules_of(rnd)


def rules_of(rnd: Round) -> dict:
    """The round's ballot rules and the published remedies' costs, as plain data.

    A round with pots also records each pot (its id, area and budget) and each remedy's
    pot; a published remedy with no pot in such a round is not on the ballot.
    """
    published = [r for r in rnd.remedies if r.status == RemedyStatus.PUBLISHED]
    pots = {}
    if rnd.pots:
        pots = {
            "pots": [{"id": str(p.id), "area_id": p.area_id, "budget": p.budget} for p in rnd.pots],
            "pot_of": {str(r.id): str(r.pot_id) for r in published if r.pot_id is not None},
        }
        published = [r for r in published if r.pot_id is not None]
    return {
        "budget": rnd.budget,
        "currency": rnd.currency,
        "ballot_type": rnd.ballot_type.value,
        "min_spend_percent": rnd.min_spend_percent,
        "min_choices": rnd.min_choices,
        "max_choices": rnd.max_choices,
        "tally_rule": rnd.tally_rule,
        "tally_utility": rnd.tally_utility,
        # JSON keys are strings; remedy ids are kept as strings everywhere in rules.
        "costs": {str(r.id): r.cost for r in published},
    } | pots


def voter_pots(rules: dict, area_id: int | None) -> list[dict]:
    """The pots a voter of `area_id` votes in: their area's, then the whole place's.

    A code with no area (or an area without a pot) votes only in the whole-place pot; in a
    round without a whole-place pot it has none. A round without pots is one pot.
    """
    if "pots" not in rules:
        return [{"id": None, "area_id": None, "budget": rules["budget"]}]
    own = [p for p in rules["pots"] if area_id is not None and p["area_id"] == area_id]
    return own + [p for p in rules["pots"] if p["area_id"] is None]


def pot_costs(rules: dict, pot_id: str | None) -> dict[str, int]:
    """The costs of one pot's remedies (every remedy's, in a round without pots)."""
    if pot_id is None:
        return rules["costs"]
    return {rid: c for rid, c in rules["costs"].items() if rules["pot_of"].get(rid) == pot_id}


def ballot_costs(rules: dict, area_id: int | None) -> dict[str, int]:
    """The remedies a voter of `area_id` may choose, with their costs."""
    if "pots" not in rules:
        return rules["costs"]
    mine = {p["id"] for p in voter_pots(rules, area_id)}
    return {rid: c for rid, c in rules["costs"].items() if rules["pot_of"].get(rid) in mine}


def check(rules: dict, choices: list[str], area_id: int | None = None) -> list[Problem]:
    """Every way the chosen remedies break the round's rules (empty when the ballot is fine).

    In a round with pots each of the voter's pots is checked on its own (its budget, its
    minimum spend, the number of choices in it), and a problem names its pot (`pot`).
    """
    if not voter_pots(rules, area_id):
        return [Problem("no_pot")]
    costs = ballot_costs(rules, area_id)
    problems = []
    unknown = [c for c in choices if c not in costs]
    if unknown:
        problems.append(Problem("unknown_remedy", {"ids": unknown}))
    if len(set(choices)) != len(choices):
        problems.append(Problem("duplicate"))
    chosen = {c for c in choices if c in costs}
    if not chosen:
        problems.append(Problem("empty"))
    for pot in voter_pots(rules, area_id):
        in_pot = pot_costs(rules, pot["id"])
        picked = {c for c in chosen if c in in_pot}
        if pot["id"] is not None and not picked:
            continue  # a voter may leave one of their pots alone
        problems += _check_pot(rules, pot, sum(in_pot[c] for c in picked), len(picked))
    return problems


def _check_pot(rules: dict, pot: dict, spent: int, n: int) -> list[Problem]:
    where = {"pot": pot["id"]} if pot["id"] is not None else {}
    problems = []
    if rules["max_choices"] is not None and n > rules["max_choices"]:
        problems.append(Problem("too_many", {"max": rules["max_choices"], "n": n} | where))
    if n and n < rules["min_choices"]:
        problems.append(Problem("too_few", {"min": rules["min_choices"], "n": n} | where))
    if rules["ballot_type"] == BallotType.KNAPSACK.value:
        budget = pot["budget"]
        if spent > budget:
            problems.append(Problem("over_budget", {"spent": spent, "budget": budget} | where))
        floor = budget * rules["min_spend_percent"] // 100
        if n and spent < floor:
            problems.append(Problem("under_min_spend", {"spent": spent, "minimum": floor} | where))
    return problems


def new_receipt() -> str:
    """A random receipt short enough to write down: XXXXX-XXXXX (48 bits)."""
    raw = "".join(secrets.choice(codes.ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def receipt_hash(receipt: str) -> str:
    """Plain SHA-256 of the normalised receipt, so anyone can check the published list."""
    return hashlib.sha256(codes.normalise(receipt).encode()).hexdigest()


def by_receipt(rnd: Round, receipt: str) -> Ballot | None:
    """The ballot of this round that a receipt (as typed) belongs to, if any."""
    return db.session.scalar(
        select(Ballot).where(
            Ballot.round_id == rnd.id, Ballot.receipt_hash == receipt_hash(receipt)
        )
    )


def cast(
    secret: str,
    rnd: Round,
    typed_code: str,
    choices: list[str],
    *,
    channel: Channel = Channel.ONLINE,
    lang: str = "en",
    today: date | None = None,
    rules: dict | None = None,
) -> str:
    """Check and store one ballot, mark its code used, and return the receipt.

    The code is used first (`codes.use`: the one place the one-ballot rule lives), then the
    ballot and its choices are inserted, all in the caller's transaction, which commits once.
    If anything fails before that commit, the rollback leaves the code unused and no ballot.
    Two casts with one code end in exactly one ballot, on every database, and a cast is
    refused once voting has closed even if `rnd` was loaded before. `rules`: the round's
    `frozen_rules`, if the caller has them.
    """
    if rnd.phase != Phase.VOTING:
        raise CastError(Problem("closed"))
    choices = [str(c) for c in choices]
    rules = rules or frozen_rules(rnd)
    area_id = None
    if "pots" in rules:
        # Which pots the voter may choose in depends on the area on their code.
        found = codes.find(secret, rnd, typed_code)
        if found is None or found.used:
            raise CastError(*_refusal(secret, rnd, typed_code, []))
        area_id = found.area_id
    problems = check(rules, choices, area_id)
    if problems:
        raise CastError(*_refusal(secret, rnd, typed_code, problems))
    code = codes.use(secret, rnd, typed_code)
    if code is None:
        raise CastError(*_refusal(secret, rnd, typed_code, []))
    receipt = new_receipt()
    # Plain INSERTs: the statements the ORM would send, without its unit-of-work
    # bookkeeping, on the busiest write there is. The ballot holds no reference to its code
    # and only the day it was cast.
    ballot_id = db.session.execute(
        _NEW_BALLOT,
        {
            "round_id": rnd.id,
            "receipt_hash": receipt_hash(receipt),
            "cast_on": today or date.today(),
            "channel": channel,
            "lang": lang,
            "area_id": code.area_id,
        },
    ).scalar_one()
    db.session.execute(
        typing.cast(Table, BallotChoice.__table__).insert(),  # a declarative model's is a Table
        [{"ballot_id": ballot_id, "remedy_id": int(c), "points": None} for c in choices],
    )
    return receipt


_NEW_BALLOT = typing.cast(Table, Ballot.__table__).insert().returning(Ballot.__table__.c.id)


def _refusal(secret: str, rnd: Round, typed_code: str, problems: list[Problem]) -> list[Problem]:
    """Why a ballot is refused, as before any writing: the code's problem first, then the rest."""
    if db.session.scalar(select(Round.phase).where(Round.id == rnd.id)) != Phase.VOTING:
        return [Problem("closed")]
    code = codes.find(secret, rnd, typed_code)
    if code is None:
        return [Problem("code_unknown")]
    if code.used or not problems:
        return [Problem("code_used")]
    return problems
