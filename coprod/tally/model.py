"""The data a count works on (an election) and what it returns (an outcome)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import NamedTuple

Number = int | Fraction

VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal", "scoring")


def to_number(text: str) -> Number:
    """Parse a decimal like '120', '1200.50' or '-3' exactly; raise ValueError otherwise."""
    try:
        return int(text)
    except ValueError:
        pass
    if "/" in text:  # Fraction would take '1/3'; pabulib numbers are decimals
        raise ValueError(text)
    value = Fraction(text)  # takes '12.5' and '1e3'; refuses '12,5', 'nan', ''
    return value.numerator if value.denominator == 1 else value


def plain(value: Number | float) -> int | float:
    """A number as an int when whole, else a float: data for JSON and templates."""
    return int(value) if value == int(value) else float(value)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building ~10^5 containers without cycles.

    Otherwise it rescans the growing heap again and again: this halves parsing time.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class Project:
    """A project that can be funded: its id, its cost, and any other columns of the file."""

    id: str
    cost: Number
    name: str = ""
    fields: dict[str, str | None] = field(default_factory=dict)


class Vote(NamedTuple):
    """One ballot: chosen project ids (ranked first to last for ordinal ballots) and points.

    A named tuple, not a dataclass: files hold ~10^5 of them and this builds 5x faster.
    """

    voter_id: str
    choices: tuple[str, ...]
    points: tuple[Number, ...] | None = None
    fields: Mapping[str, str | None] = MappingProxyType({})


@dataclass(frozen=True)
class Election:
    """META key/values, projects by id (in file order) and the ballots of one election."""

    meta: dict[str, str]
    projects: dict[str, Project]
    votes: list[Vote]

    @classmethod
    def build(
        cls,
        budget: Number,
        costs: Mapping[str, Number],
        ballots: Mapping[str, Sequence[str]] | Iterable[Sequence[str]],
        vote_type: str = "approval",
        **meta: str,
    ) -> Election:
        """Election(budget, {project_id: cost}, {voter_id: [project ids]} or [[ids], ...])."""
        pairs = ballots.items() if isinstance(ballots, Mapping) else enumerate(ballots, 1)
        votes = [Vote(str(voter), tuple(map(str, chosen))) for voter, chosen in pairs]
        projects = {str(pid): Project(str(pid), cost) for pid, cost in costs.items()}
        header = {
            "budget": str(budget),
            "vote_type": vote_type,
            "num_projects": str(len(projects)),
            "num_votes": str(len(votes)),
        }
        return cls({**header, **meta}, projects, votes)

    @property
    def budget(self) -> Number:
        """The money to share out (META budget)."""
        return to_number(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        """approval, choose-1, cumulative, ordinal or scoring (META vote_type)."""
        return self.meta.get("vote_type", "approval")

    @property
    def rule(self) -> str | None:
        """The rule the file says the city used (META rule), if any."""
        return self.meta.get("rule")


@dataclass(frozen=True)
class Explanation:
    """Why a project was or was not funded, as data: see `coprod.tally.rules` for the codes."""

    project_id: str
    funded: bool
    step: int | None
    votes: int
    reason: str
    amounts: dict[str, object]


@dataclass(frozen=True)
class Outcome:
    """The result of a count: projects in the order chosen, money spent, and explanations."""

    rule: str
    utility: str
    budget: Number
    selected: list[str]
    spent: Number
    explanations: dict[str, Explanation]
    details: dict[str, object] = field(default_factory=dict)
