"""The Method of Equal Shares (MES) and its add1 completion, exact where it decides.

Every voter starts with the same endowment x. Each round, every remaining project q
supported by voters S_q is priced: its share t_q is the least t with
sum over S_q of min(budget_i, t) >= cost_q, i.e. supporters split the cost equally,
those who cannot pay t paying all they have. The project with the least rho_q wins:
rho_q = t_q / cost_q with cost utilities (a voter gains the cost of a funded project she
chose; this is pabutools' Cost_Sat and equalshares.net's "effective vote count"
cost_q / t_q) or rho_q = t_q with approval utilities (one per funded project; pabutools'
Cardinality_Sat). Its supporters pay min(budget_i, t_q). Projects their supporters can no
longer afford drop out; the count ends when none is left. Ties go to the lowest `rank`.

Speed. Voters who cast the same ballot always hold the same money, so they are one *kind*
with a size, and a run keeps one budget per kind in a numpy array. For any set P of a
project's supporters, t_P = (cost - what P holds) / (supporters outside P) is at most the
share (those outside P pay at most the share, and those in P at most all they hold), with
equality for the set that really pays all it has. So pricing is a few masked sums
(Newton's method from below, no sort), and a lower bound costs one dot product, using
the set that paid all it had the last time the project was priced. Rho only grows
during a run, so projects are priced lazily, cheapest bound first (as pabutools and
equalshares.net do), and a project whose bound is already beaten is not priced further.

Exactness. Runs use floats with a running bound on their rounding error; a decision whose
margin is within that bound raises `Uncertain`, and the run does that round again in exact
rationals, from budgets made exact by paying again for the winners so far, then goes on
in floats (each budget rounded once). Exact arithmetic is the same code on numpy arrays
of Python objects: gmpy2's mpq, fifteen times faster than Fractions; what a run returns
is in Fractions. A whole run in rationals (`exact=True`) is the reference. Ties between
projects that no supporter is short for are settled exactly at no cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain
from math import floor

import numpy as np
from gmpy2 import mpq

from .model import Number

# The count runs in floats first and in Fractions only where floats cannot decide.
Amount = Number | float

EPS = 2.0**-50  # allowance per floating operation: 8 times the unit roundoff 2**-53


class Uncertain(Exception):
    """A floating-point decision was too close to call; redo the run exactly."""


@dataclass
class Run:
    """One MES run at a fixed endowment: winners in order, and what each round did."""

    endowment: Amount
    winners: list[int] = field(default_factory=list)
    share: dict[int, Amount] = field(default_factory=dict)  # t paid by full payers
    # per winner: supporters paying the full share, paying less (all they had), what
    # those paid, and supporters with nothing left
    payers: dict[int, tuple[int, int, Amount, int]] = field(default_factory=dict)
    step: dict[int, int] = field(default_factory=dict)  # round in which a project won
    dropped: dict[int, tuple[int, Amount]] = field(default_factory=dict)  # round, money left
    # per winner: an upper bound on its rho, and its exact rho when nobody was short
    ceiling: dict[int, tuple[Amount, Amount | None]] = field(default_factory=dict)
    follows: bool = False  # same outcome as the `base` run, for every endowment in between


class Profile:
    """The voters' chosen sets, ready for repeated MES runs."""

    def __init__(
        self,
        costs: Sequence[Number],
        chosen: Sequence[Collection[int]],
        rank: list[int],
        by_cost: bool,
        weight: list[int] | None = None,
    ):
        """Costs and tie ranks by project index; chosen: each ballot's projects, no repeats.

        `weight`: how many voters cast each ballot (default one each).
        """
        self.cost = costs
        self.float_cost = [float(c) for c in costs]
        self.rank = rank  # tie-break: lower rank wins
        self.by_cost = by_cost  # cost utilities (else approval utilities)
        if weight is None:  # one ballot per voter: those who chose the same set are a kind
            kinds = Counter(map(frozenset, chosen))
            chosen, weight = list(kinds), list(kinds.values())
        # Each ballot, with its number of voters, is a kind: they hold the same money all
        # along. (_tally's distinct ballots may repeat a set in another order; that only
        # costs time.)
        self.voters = sum(weight)
        self.kinds = len(chosen)
        # Which kinds chose each project, in kind order: every (project, kind) pair, sorted
        # by project (stably, so kinds stay in order) and cut where the project changes.
        length = np.fromiter(map(len, chosen), dtype=np.intp, count=len(chosen))
        project = np.fromiter(chain.from_iterable(chosen), dtype=np.intp, count=length.sum())
        kind = np.repeat(np.arange(len(chosen), dtype=np.intp), length)
        # (a stable sort of 16-bit keys is a radix sort: twenty times faster than of 64-bit)
        key = project.astype(np.uint16) if len(costs) <= 2**16 else project
        by_project = kind[np.argsort(key, kind="stable")]
        cuts = np.cumsum(np.bincount(project, minlength=len(costs)))[:-1]
        self.members = np.split(by_project, cuts) if costs else []  # kinds choosing q
        size = np.asarray(weight, dtype=np.float64)
        self.sizes = [size[m] for m in self.members]  # and how many voters each
        self.support = [int(s.sum()) for s in self.sizes]  # exact: whole numbers < 2**53
        self._exact_sizes: list[np.ndarray] | None = None
        self._exact_cost: list | None = None
        self._rows = [np.empty((3, len(m))) for m in self.members]  # see `gather`
        for rows, sizes in zip(self._rows, self.sizes, strict=True):
            rows[2] = sizes
        supported = [q for q, n in enumerate(self.support) if n]
        self.free = sorted((q for q in supported if costs[q] == 0), key=rank.__getitem__)
        self.priced = [q for q in supported if costs[q] > 0]

    def exact_cost(self) -> list:
        """The costs as exact rationals, for exact runs."""
        if self._exact_cost is None:
            self._exact_cost = [mpq(c.numerator, c.denominator) for c in map(Fraction, self.cost)]
        return self._exact_cost

    def exact_sizes(self) -> list[np.ndarray]:
        """The kinds' sizes as Python ints, for runs in Fractions."""
        if self._exact_sizes is None:
            self._exact_sizes = [np.array(s.astype(int).tolist(), dtype=object) for s in self.sizes]
        return self._exact_sizes

    def gather(self, q: int, budget: np.ndarray) -> np.ndarray:
        """Rows for pricing q: its supporter kinds' budgets, room for what they hold, sizes.

        Float runs reuse one array per project, so a pricing allocates nothing.
        """
        if budget.dtype == object:
            rows = np.empty((3, len(self.members[q])), dtype=object)
            rows[0], rows[2] = budget[self.members[q]], self.exact_sizes()[q]
            return rows
        rows = self._rows[q]
        np.take(budget, self.members[q], out=rows[0], mode="clip")  # unbuffered
        return rows

    def rho(self, q: int, share: Amount) -> Amount:
        """What a project's share costs its supporters per unit of utility."""
        return share / self.cost[q] if self.by_cost else share


@dataclass
class _Price:
    rho: Amount
    err: Amount  # |rho - exact rho| <= err
    share: Amount
    share_err: Amount
    payers: int  # supporters who pay the full share
    poor: np.ndarray | None = None  # by kind: true if it pays all it has (or has nothing)
    mask: np.ndarray | None = None  # the same as 0 and 1, in the type of the budgets
    paid: Amount = 0  # what the poor pay
    near: Amount | None = None  # if some kind is within this of the share, the split is unsure
    flat: bool = False  # nobody is short: the share is cost / supporters, exactly


def run(profile: Profile, endowment: Amount, exact: bool = False, base: Run | None = None) -> Run:
    """One MES run with every voter starting at `endowment`; exact=True uses Fractions.

    With a `base` run at a lower endowment, also check whether every endowment in between
    has the base's outcome (`follows`; see `add1`): this run must fund the same projects
    in the same order, and at each round every other project must cost more per unit of
    utility, or be unaffordable, here than the base's winner of that round cost there.
    """
    out = Run(endowment)
    x = mpq(endowment) if exact else float(endowment)
    costs = profile.exact_cost() if exact else profile.float_cost
    sizes = profile.exact_sizes() if exact else profile.sizes
    eps = 0 if exact else EPS
    err = eps * x  # bound on the rounding error of every kind's budget
    zero = 0 * x
    budget = np.full(profile.kinds, x, dtype=object if exact else np.float64)
    support, rank, members = profile.support, profile.rank, profile.members
    exact_now = exact  # a float run does a round exactly when floats cannot decide it
    for q in profile.free:
        out.winners.append(q)
        out.step[q], out.share[q], out.ceiling[q] = len(out.winners), zero, (zero, zero)
        out.payers[q] = (support[q], 0, zero, 0)
    remaining = set(profile.priced)
    low = {}  # a lower bound on each project's rho
    for q in remaining:  # at best, all supporters pay an equal share
        even = costs[q] / support[q]
        rho = profile.rho(q, even)
        low[q] = rho - 2 * eps * rho
    # by project: `poor` and payers, when it was last priced
    last: dict[int, tuple[np.ndarray | None, int]] = {}
    follows = base is not None
    round_ = len(out.winners)
    while remaining:
        round_ += 1
        try:
            target = None  # while following the base: its winner this round, and that one's rho
            if base is not None and follows and len(base.winners) > len(out.winners):
                target = base.winners[len(out.winners)]
                ceiling = base.ceiling[target]
            priced: dict[int, tuple[_Price, np.ndarray]] = {}  # with its rows
            best_q, best = -1, None
            cut = None  # a project whose rho is surely above this loses the round
            for q in sorted(remaining, key=low.__getitem__):
                if cut is not None and low[q] > cut:
                    break
                rows = profile.gather(q, budget)
                held = cut is not None and q in last
                # first a bound from the kinds that paid all they had last time
                if held and cut is not None:
                    np.multiply(rows[0], rows[2], out=rows[1])
                    bound = _bound(profile, q, costs[q], rows, last[q], err, eps)
                    if bound > cut:
                        low[q] = bound
                        continue
                price = _price(profile, q, costs[q], rows, held, last.get(q), err, eps)
                if not isinstance(price, _Price):
                    remaining.discard(q)
                    out.dropped[q] = (round_, price)
                    continue
                priced[q] = (price, rows)  # rows[0] stays q's until q is gathered again
                low[q] = price.rho - price.err
                if price.poor is not None:
                    last[q] = (price.mask, price.payers)
                if best is None or (price.rho, rank[q]) < (best.rho, rank[best_q]):
                    best, best_q = price, q
                    cut = best.rho + best.err
                    if target is not None:
                        cut = max(cut, ceiling[0])
            if best is None:
                follows = base is not None and follows and len(base.winners) == len(out.winners)
                break
            w = best_q if exact_now else _settle(profile, best_q, priced, low, remaining)
            if follows:
                follows = w == target and all(
                    _costlier(profile, q, priced[q][0], low[q], ceiling, target, exact_now)
                    for q in priced
                    if q != w
                )
            price, rows = priced[w]
            budgets = rows[0]
            t = price.share
            left = budgets - t  # who had money pays the share
            if price.poor is not None:
                np.putmask(left, price.poor, zero)  # or all they had
            err += price.share_err + eps * x
            if price.near is not None:
                # Some kind holds about the share: whichever way it falls, t and what that
                # kind keeps move by at most `near`; count that as error.
                np.maximum(left, zero, out=left)
                err += price.near
            budget[members[w]] = left
            remaining.discard(w)
            out.winners.append(w)
            out.step[w], out.share[w] = round_, t
            out.ceiling[w] = (price.rho + price.err, _exact_rho(profile, w, price, exact_now))
            empty = int(sizes[w] @ (budgets <= zero).astype(sizes[w].dtype))
            out.payers[w] = (price.payers, support[w] - price.payers - empty, price.paid, empty)
        except Uncertain:
            if exact_now:
                raise
            # Too close for floats: redo this round exactly, from budgets made exact by
            # paying again, in rationals, the winners so far; then go on in floats.
            x, eps, err, zero = mpq(endowment), 0, 0, mpq(0)
            costs, sizes = profile.exact_cost(), profile.exact_sizes()
            budget = _exact_budgets(profile, x, out.winners)
            last, exact_now, round_ = {}, True, round_ - 1
            continue
        if exact_now and not exact:  # back to floats: each budget rounded once
            x, costs, sizes, eps, zero = (
                float(endowment),
                profile.float_cost,
                profile.sizes,
                EPS,
                0.0,
            )
            err, last, exact_now = eps * x, {}, False
            budget = np.fromiter(map(float, budget), dtype=np.float64, count=len(budget))
    out.follows = follows
    return _as_fractions(out)


def _exact_budgets(profile: Profile, x, winners: list[int]) -> np.ndarray:
    """Every kind's budget, in rationals, after the winners so far paid (as `run` pays)."""
    budget = np.full(profile.kinds, x, dtype=object)
    costs = profile.exact_cost()
    for w in winners:
        if not costs[w]:
            continue  # free: nobody pays
        rows = profile.gather(w, budget)
        price = _price(profile, w, costs[w], rows, False, None, 0, 0)
        if not isinstance(price, _Price):  # it was funded, so this cannot happen: but if
            raise Uncertain(f"whether project {w} was affordable")  # so, a whole exact run
        left = rows[0] - price.share
        if price.poor is not None:
            np.putmask(left, price.poor, mpq(0))
        budget[profile.members[w]] = left
    return budget


_MPQ = type(mpq(0))


def _as_fractions(out: Run) -> Run:
    """A run's exact numbers as Fractions (the rest of the count knows Fractions)."""

    def f(value):
        if isinstance(value, _MPQ):
            return Fraction(int(value.numerator), int(value.denominator))
        return value

    out.endowment = f(out.endowment)
    out.share = {q: f(t) for q, t in out.share.items()}
    out.payers = {q: (a, b, f(paid), c) for q, (a, b, paid, c) in out.payers.items()}
    out.dropped = {q: (r, f(money)) for q, (r, money) in out.dropped.items()}
    out.ceiling = {q: (f(up), f(rho)) for q, (up, rho) in out.ceiling.items()}
    return out


def _bound(profile, q, c, rows, last, err, eps) -> Amount:
    """A lower bound on q's rho from the kinds that paid all they had when last priced."""
    n = profile.support[q]
    mask, payers = last
    paid = _number(rows[1] @ mask)
    t = (c - paid) / payers
    t_err = _share_err(c, t, n, payers, paid, len(mask), err, eps)
    rho = profile.rho(q, t)
    return rho - profile.rho(q, t_err) - eps * rho


def _price(profile, q, c, rows, held, last, err, eps) -> _Price | Amount:
    """Price project q from its supporters' budgets by kind, or return their money if short.

    `rows` are from `Profile.gather`, with what each kind holds filled in if `held`.
    Start from the kinds that paid all they had when q was last priced (any set gives a
    share at most the true one), or from the equal share c / n. While some kinds hold less
    than t, they pay all they have and the others split the rest: t = (c - what they
    pay) / the others. t only grows, and so does the set paying all it has; when that set
    stops growing, t is the share.
    """
    n = profile.support[q]
    budgets = rows[0]
    if last is None:
        t = c / n
        if budgets.min() >= t + err + 2 * eps * t:
            rho = profile.rho(q, t)  # nobody is short, so t = c / n exactly
            return _Price(rho, 2 * eps * rho, t, 2 * eps * t, n, flat=True)
        poor = budgets < t
    else:
        poor = last[0] > 0
    if not held:
        np.multiply(budgets, rows[2], out=rows[1])
    money = _short(q, c, rows[1], n, err, eps)
    if money < c:
        return money
    found = np.count_nonzero(poor)
    while True:
        mask = poor.astype(rows.dtype)
        paid, removed = rows[1:] @ mask  # what the poor hold, and how many they are
        payers = n - int(removed)
        if payers <= 0:  # cannot happen: they can pay c, so someone holds more than t
            raise Uncertain(f"the share of project {q}")
        paid = _number(paid)
        t = (c - paid) / payers
        more = budgets < t
        if eps:
            more |= poor  # in exact arithmetic it is a superset already
        now = np.count_nonzero(more)
        if now == found:
            break
        poor, found = more, now
    t_err = _share_err(c, t, n, payers, paid, len(budgets), err, eps)
    rho = profile.rho(q, t)
    price = _Price(rho, profile.rho(q, t_err) + eps * rho, t, t_err, payers, poor, mask, paid)
    if eps:
        # The split is sure if the kinds paying all they have are exactly those below
        # t - gap, and none is within gap of t (poor holds every kind below t).
        gap = err + t_err
        surely_poor = np.count_nonzero(budgets < t - gap)
        if surely_poor < found or np.count_nonzero(budgets <= t + gap) > found:
            # Some kind holds about the share: it may pay all it has or the share.
            widen = n * gap / payers
            price.near, price.share_err = gap + widen, t_err + widen
            price.err += profile.rho(q, widen)
    return price


def _short(q, c, money, n, err, eps) -> Amount:
    """Return what the supporters hold together; raise if too close to c to tell."""
    total = _number(money.sum())
    margin = n * err + _sum_err(total, len(money), eps)
    if c - margin <= total < c + margin:
        raise Uncertain(f"whether project {q} is affordable")
    return total


def _number(value) -> Amount:
    """A numpy float as a Python float; Fractions (and ints) as they are."""
    return float(value) if isinstance(value, np.floating) else value


def _share_err(c, t, n, payers, paid, terms, err, eps) -> Amount:
    """A bound on the error of t = (c - paid) / payers, computed with floats.

    The n - payers supporters who pay all they hold carry their budgets' error into
    `paid`, a dot product of `terms` rounded products; c - paid and the division round once.
    """
    return ((n - payers) * err + eps * c + _sum_err(paid, terms, eps)) / payers + eps * t


def _sum_err(total: Amount, terms: int, eps: float) -> Amount:
    """A bound on the rounding error of a dot product of `terms` terms, in any order."""
    return eps * total * (terms + 8) / 8  # u * total per operation, eps being 8 u


def _exact_rho(profile: Profile, q: int, price: _Price, exact: bool) -> Amount | None:
    """The exact rho of a priced project, when it comes free (exact runs, or nobody short)."""
    if exact:
        return price.rho
    return profile.rho(q, Fraction(profile.cost[q], profile.support[q])) if price.flat else None


def _costlier(profile, q, price, low, ceiling, w, exact) -> bool:
    """Is q's rho here surely above the ceiling of w's rho in the base run (ties by rank)?"""
    if low > ceiling[0]:
        return True
    mine = _exact_rho(profile, q, price, exact)
    return (
        mine is not None
        and ceiling[1] is not None
        and (mine > ceiling[1] or (mine == ceiling[1] and profile.rank[w] < profile.rank[q]))
    )


def _settle(profile, w, priced, low, remaining) -> int:
    """Make sure w beats every project whose bound comes within rounding error of it."""
    best = priced[w][0]
    close = [q for q in remaining if q != w and low[q] <= best.rho + best.err]
    if not close:
        return w
    rivals = [w, *close]
    if all(q in priced and priced[q][0].flat for q in rivals):
        exact = {q: _exact_rho(profile, q, priced[q][0], False) for q in rivals}
        return min(rivals, key=lambda q: (exact[q], profile.rank[q]))
    raise Uncertain(f"projects {w} and {close[0]} are too close to call")


def solve(profile: Profile, endowment: Amount, base: Run | None = None) -> Run:
    """A run with floats, redone exactly if rounding could have decided anything."""
    try:
        return run(profile, endowment, base=base)
    except Uncertain:
        return run(profile, endowment, exact=True, base=base)


def spent(profile: Profile, result: Run) -> Amount:
    """Total cost of a run's winners."""
    return sum(profile.cost[w] for w in result.winners)


def add1_unit_step(profile: Profile, budget: Number) -> tuple[Run, int]:
    """add1 by its definition, one increment at a time: the reference `add1` must match."""
    n = profile.voters
    if n == 0:
        return Run(Fraction(0)), 0
    start = floor(Fraction(budget, n))
    everything = len(profile.free) + len(profile.priced)
    k, current = 0, solve(profile, Fraction(budget, n))
    while len(current.winners) < everything:
        result = solve(profile, start + k + 1)
        if spent(profile, result) > budget:
            break
        k, current = k + 1, result
    return current, k


def add1(
    profile: Profile, budget: Number, progress: Callable[[float], None] | None = None
) -> tuple[Run, int]:
    """MES with add1 completion, as pabulib's checker defines it; returns (run, increment).

    Run 0 gives each voter budget/n; run k >= 1 gives floor(budget/n) + k. Runs go on
    while their outcome costs at most the budget; the result is the last run that fits
    before the first that does not. (pabutools stops instead at the first exhaustive
    outcome.) If a run funds every supported project the result cannot grow: stop there.
    `add1_unit_step` is this definition, run by run; this gives the same result with
    far fewer runs. `progress` is told the share of the budget each new outcome spends.

    Skipping runs: the outcome only changes at some increments. Suppose the run at b
    funds the same projects as the run at a < b, in the same order, and at each round every
    other project q is unaffordable at b or has rho_q(b) > rho_w(a), w being the round's
    winner. With more money every budget is at least as high along that order (shares
    only shrink as budgets grow, and what a voter keeps, max(budget - share, 0), only
    grows), so rho only falls and money only grows: for a <= x <= b,
    rho_w(x) <= rho_w(a) < rho_q(b) <= rho_q(x), and unaffordable at b is unaffordable at
    x. So every endowment between a and b has a's outcome. `run(base=...)` checks this as
    it goes (`follows`).

    After each run that holds, the stride doubles, and after one that does not, it halves:
    a long stretch of one outcome (budgets in forints) costs a few runs, and where the
    outcome changes every increment or two (Warszawa) this is stepping one by one.
    Bisection over "fits the budget" would not be valid: outcomes are not monotone in
    the endowment. (Guessing the next change from how fast the runner-up's margin falls
    saved 3% of the runs on Budapest 2024: not worth its code.)
    (Taking a probe whose floats cannot decide as not holding, instead of redoing it
    exactly, made Jozsefvaros 2022 forty times slower: its ties are exact, every probe.)
    """
    n = profile.voters
    if n == 0:
        return Run(Fraction(0)), 0
    start = floor(Fraction(budget, n))
    everything = len(profile.free) + len(profile.priced)
    k, current, stride = 0, solve(profile, Fraction(budget, n)), 1
    ahead: dict[int, Run] = {}  # runs past the end of a stretch, to look at again later
    while len(current.winners) < everything:
        probe = min([k + stride, *ahead])
        if probe == k + 1 and probe in ahead:
            result = ahead.pop(probe)
        else:
            result = solve(profile, start + probe, current)
        if result.follows:  # k..probe: the same outcome
            k, current, stride = probe, result, stride * 2
        elif probe > k + 1:  # the stretch ends before the probe: look halfway
            ahead[probe], stride = result, max((probe - k) // 2, 1)
        elif spent(profile, result) > budget:
            return current, k
        else:
            k, current, stride = probe, result, 1
        ahead = {key: later for key, later in ahead.items() if key > k}
        if progress is not None:
            progress(min(float(spent(profile, current)) / float(budget or 1), 1.0))
    return current, k
