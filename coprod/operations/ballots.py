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
    """The round's ballot rules and the published remedies' costs, as plain data."""
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
        "costs": {str(r.id): r.cost for r in rnd.remedies if r.status == RemedyStatus.PUBLISHED},
    }


def check(rules: dict, choices: list[str]) -> list[Problem]:
    """Every way the chosen remedies break the round's rules (empty when the ballot is fine)."""
    costs = rules["costs"]
    problems = []
    unknown = [c for c in choices if c not in costs]
    if unknown:
        problems.append(Problem("unknown_remedy", {"ids": unknown}))
    if len(set(choices)) != len(choices):
        problems.append(Problem("duplicate"))
    chosen = {c for c in choices if c in costs}
    spent = sum(costs[c] for c in chosen)
    n = len(chosen)
    if n == 0:
        problems.append(Problem("empty"))
    if rules["max_choices"] is not None and n > rules["max_choices"]:
        problems.append(Problem("too_many", {"max": rules["max_choices"], "n": n}))
    if n and n < rules["min_choices"]:
        problems.append(Problem("too_few", {"min": rules["min_choices"], "n": n}))
    if rules["ballot_type"] == BallotType.KNAPSACK.value:
        if spent > rules["budget"]:
            problems.append(Problem("over_budget", {"spent": spent, "budget": rules["budget"]}))
        floor = rules["budget"] * rules["min_spend_percent"] // 100
        if n and spent < floor:
            problems.append(Problem("under_min_spend", {"spent": spent, "minimum": floor}))
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
    problems = check(rules or frozen_rules(rnd), choices)
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
