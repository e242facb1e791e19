"""Pure statistics for the council's dashboard: ratings, turnout, who is missing, priorities.

Plain Python on plain data, no Flask and no database, so it is fast to test on its own.
The choices, written down once:

- Mean rating and its 95% confidence interval. The interval is Student's t interval,
  mean ± t(0.975, n−1) · s / √n, with s the sample standard deviation. Scores are whole
  numbers from 1 to 5, not a bell curve, but for a mean of five-point answers the t
  interval is the usual choice and is close from about ten answers on; with fewer it is
  wide, which is the honest message. With fewer than two answers there is no interval.
  The ends are clipped to the scale, 1 to 5, since no mean can lie outside it.
- Under-represented: a group (a language, an area) whose share of ballots is less than
  half (`UNDER_FACTOR`) of its share of the population. Only named once at least
  `MIN_BALLOTS` ballots are in, because with fewer any gap may be chance.
- Ratings with a voter code decide. Ratings made without a code ("indicative", open to
  anyone) are kept apart; an item uses them only when it has no code ratings at all,
  and is then marked as such.
- Priorities (the top-5 report): first the remedies the count funded, in the order the
  count chose them; then every other published remedy and every barrier of the round
  together, highest mean rating first. Items with code ratings come before items with
  only indicative ratings, which come before unrated items. Ties: more answers first,
  then remedies before barriers, then the older item (lower id).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

SCALE = (1, 2, 3, 4, 5)
UNDER_FACTOR = 0.5
MIN_BALLOTS = 20

# Student's t, two-sided 95% (the 0.975 quantile), for 1 to 30 degrees of freedom.
_T_975 = (
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
    2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
    2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
    2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
)  # fmt: skip
_Z_975 = 1.959963985


def t_975(df: int) -> float:
    """The 0.975 quantile of Student's t with `df` degrees of freedom."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= len(_T_975):
        return _T_975[df - 1]
    return cornish_fisher_975(df)


def cornish_fisher_975(df: int) -> float:
    """t(0.975, df) from its expansion around the normal quantile (Abramowitz-Stegun 26.7.5).

    Used beyond the table, where it is accurate to about 1e-6.
    """
    z, v = _Z_975, float(df)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / v + g2 / v**2 + g3 / v**3 + g4 / v**4


# --- Ratings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """The answers to one question: how many gave each score, their mean and its interval."""

    counts: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    mean: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def n(self) -> int:
        """How many answered."""
        return sum(self.counts)

    def count_of(self, score: int) -> int:
        """How many gave `score` (1 to 5)."""
        return self.counts[score - 1]


EMPTY = Summary()


def summarise_counts(counts: Mapping[int, int]) -> Summary:
    """Summarise answers given as {score: how many} (the shape a GROUP BY returns)."""
    if any(score not in SCALE for score, k in counts.items() if k):
        raise ValueError("scores must be between 1 and 5")
    # SCALE has five scores, so this is the five-count tuple Summary wants
    by_score = cast(tuple[int, int, int, int, int], tuple(int(counts.get(s, 0)) for s in SCALE))
    n = sum(by_score)
    if n == 0:
        return EMPTY
    total = sum(s * k for s, k in zip(SCALE, by_score, strict=True))
    mean = total / n
    if n < 2:
        return Summary(by_score, mean)
    squares = sum(k * (s - mean) ** 2 for s, k in zip(SCALE, by_score, strict=True))
    half = t_975(n - 1) * math.sqrt(squares / (n - 1)) / math.sqrt(n)
    return Summary(by_score, mean, max(SCALE[0], mean - half), min(SCALE[-1], mean + half))


def summarise(scores: Iterable[int]) -> Summary:
    """Summarise a list of scores (1 to 5)."""
    return summarise_counts(Counter(scores))


@dataclass(frozen=True)
class Rated:
    """A barrier or a remedy with its ratings, kept in two piles: with a code, and without."""

    kind: str  # "barrier" or "remedy"
    id: int
    verified: Summary = EMPTY
    indicative: Summary = EMPTY
    funded_at: int | None = None  # its place in the count's choices, 0 first

    @property
    def rating(self) -> Summary:
        """The ratings that speak for it: with a code, else the indicative ones."""
        return self.verified if self.verified.n else self.indicative

    @property
    def only_indicative(self) -> bool:
        """True when every rating it has was made without a code."""
        return not self.verified.n and bool(self.indicative.n)


def _by_rating(item: Rated, summary: Summary, pile: int) -> tuple:
    # pile: 0 code ratings, 1 only indicative ones, 2 none.
    kind_order = 0 if item.kind == "remedy" else 1
    return (pile, -(summary.mean or 0.0), -summary.n, kind_order, item.id)


def rating_order(item: Rated) -> tuple:
    """Sort key: code-rated first, highest mean, most answers, remedies, oldest."""
    if item.verified.n:
        return _by_rating(item, item.verified, 0)
    if item.indicative.n:
        return _by_rating(item, item.indicative, 1)
    return _by_rating(item, EMPTY, 2)


def rank_priorities(items: Iterable[Rated]) -> list[Rated]:
    """The round's priorities in order: funded remedies as chosen, then by rating."""

    def key(item: Rated) -> tuple:
        if item.funded_at is not None:
            return (0, item.funded_at)
        return (1, *rating_order(item))

    return sorted(items, key=key)


# --- Turnout ------------------------------------------------------------------------------


def per_day(
    counts: Mapping[date, int], first: date | None = None, last: date | None = None
) -> list[tuple[date, int]]:
    """Ballots on each day from `first` to `last`, with the quiet days as 0.

    The range always stretches to cover every day that has ballots.
    """
    days = [d for d in (first, last, *counts) if d is not None]
    if not days:
        return []
    start, end = min(days), max(days)
    return [
        (start + timedelta(n), int(counts.get(start + timedelta(n), 0)))
        for n in range((end - start).days + 1)
    ]


@dataclass(frozen=True)
class Share:
    """One group's part of the ballots, set against its part of the population."""

    key: str
    ballots: int
    ballot_share: float
    population: int | None = None
    population_share: float | None = None
    under: bool = False

    @property
    def ratio(self) -> float | None:
        """Share of ballots over share of population (1 means as many as expected)."""
        if not self.population_share:
            return None
        return self.ballot_share / self.population_share


def shares(
    ballots: Mapping[str, int],
    population: Mapping[str, int] | None = None,
    total_population: int | None = None,
) -> list[Share]:
    """Each group's share of ballots and of the population, naming the under-represented.

    Groups in the population with no ballots are listed too (with 0): they are the ones
    most missing. The population share is out of `total_population` when it is given and
    not smaller than the groups' sum (the groups may not cover everyone), else the sum.
    """
    population = {k: v for k, v in (population or {}).items() if v is not None and v >= 0}
    cast = sum(ballots.values())
    people = max(total_population or 0, sum(population.values()))
    rows = []
    for key in sorted(set(ballots) | set(population)):
        n = int(ballots.get(key, 0))
        ballot_share = n / cast if cast else 0.0
        pop = population.get(key)
        pop_share = pop / people if pop is not None and people else None
        under = bool(cast >= MIN_BALLOTS and pop_share and ballot_share < UNDER_FACTOR * pop_share)
        rows.append(Share(key, n, ballot_share, pop, pop_share, under))
    rows.sort(key=lambda s: (-s.ballots, -(s.population or 0), s.key))
    return rows


@dataclass(frozen=True)
class Gap:
    """One area or language: how it took part in an earlier round and in this one."""

    kind: str  # "area" or "language"
    key: str
    before: Share | None
    after: Share | None

    @property
    def closing(self) -> bool | None:
        """Whether its share of ballots came nearer its share of the people (None: unknown)."""
        if self.before is None or self.after is None:
            return None
        if self.before.ratio is None or self.after.ratio is None:
            return None
        return abs(1 - self.after.ratio) < abs(1 - self.before.ratio)


def invite_first(
    before: Mapping[str, Sequence[Share]], after: Mapping[str, Sequence[Share]]
) -> list[Gap]:
    """Areas and languages in the order to invite them: lowest turnout first.

    `before` and `after` map "area" and "language" to the shares of an earlier round and of
    this one. Turnout is the earlier round's share of ballots over share of the people; a
    group whose population is not known cannot be placed and comes last.
    """
    gaps = []
    for kind in ("area", "language"):
        then = {s.key: s for s in before.get(kind, ())}
        now = {s.key: s for s in after.get(kind, ())}
        gaps += [Gap(kind, key, then.get(key), now.get(key)) for key in then | now]

    def key(gap: Gap) -> tuple:
        ratio = gap.before.ratio if gap.before is not None else None
        return (ratio is None, ratio or 0.0, gap.kind, gap.key)

    return sorted(gaps, key=key)


# --- Themes across rounds -----------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """A barrier that came up in several rounds, with how it was rated in each."""

    barrier_id: int
    rounds: list[tuple[int, Rated]] = field(default_factory=list)  # (round id, its ratings)


def themes(
    appearances: Mapping[int, Sequence[int]],
    counts: Mapping[tuple[int, int, bool], Mapping[int, int]],
) -> list[Theme]:
    """Barriers found in two or more rounds, each with its ratings round by round.

    `appearances` maps a barrier to its rounds (in the order to show them); `counts` maps
    (barrier, round, indicative) to {score: how many}.
    """
    found = []
    for barrier_id, round_ids in appearances.items():
        if len(round_ids) < 2:
            continue
        per_round = [
            (
                round_id,
                Rated(
                    "barrier",
                    barrier_id,
                    summarise_counts(counts.get((barrier_id, round_id, False), {})),
                    summarise_counts(counts.get((barrier_id, round_id, True), {})),
                ),
            )
            for round_id in round_ids
        ]
        found.append(Theme(barrier_id, per_round))
    found.sort(key=lambda t: (-len(t.rounds), t.barrier_id))
    return found
