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

Speed. A voter's budget depends only on which of the funded projects she chose, so voters
are grouped in classes by that set (a bit mask); a project is priced from the histogram
of its supporters over classes, cached by (project, funded set) across rounds and runs.
Rho only grows during a run, so a project's last price is a lower bound and projects
are priced lazily, cheapest bound first (as pabutools and equalshares.net do).

Exactness. Runs use floats with a running bound on their rounding error; a decision whose
margin is within that bound raises `Uncertain` and the run is redone with Fractions.
Ties between projects that no supporter is short for are settled exactly at no cost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import accumulate, compress, count, repeat
from math import floor
from operator import le, mul, sub, truediv

from .model import Number

EPS = 2.0**-50  # allowance per floating operation: 8 times the unit roundoff 2**-53


class Uncertain(Exception):
    """A floating-point decision was too close to call; redo the run exactly."""


@dataclass
class Run:
    """One MES run at a fixed endowment: winners in order, and what each round did."""

    endowment: Number
    winners: list[int] = field(default_factory=list)
    share: dict[int, Number] = field(default_factory=dict)  # t paid by full payers
    # per winner: supporters paying the full share, paying less (all they had), what
    # those paid, and supporters with nothing left
    payers: dict[int, tuple[int, int, Number, int]] = field(default_factory=dict)
    step: dict[int, int] = field(default_factory=dict)  # round in which a project won
    dropped: dict[int, tuple[int, Number]] = field(default_factory=dict)  # round, money left
    # per winner: an upper bound on its rho, and its exact rho when nobody was short
    ceiling: dict[int, tuple[Number, Number | None]] = field(default_factory=dict)
    follows: bool = False  # same outcome as the `base` run, for every endowment in between
    path: list[tuple] = field(default_factory=list)  # every choice the run made; see add1


class Profile:
    """The voters' chosen sets, ready for repeated MES runs."""

    def __init__(
        self, costs: list[Number], chosen: list[list[int]], rank: list[int], by_cost: bool
    ):
        """Costs and tie ranks by project index; chosen: each voter's projects, no repeats."""
        self.cost = costs
        self.float_cost = [float(c) for c in costs]
        self.rank = rank  # tie-break: lower rank wins
        self.by_cost = by_cost  # cost utilities (else approval utilities)
        self.voters = len(chosen)
        self.masks: list[list[int]] = [[] for _ in costs]
        bits = [1 << q for q in range(len(costs))]
        for projects in chosen:
            mask = sum(map(bits.__getitem__, projects))
            for q in projects:
                self.masks[q].append(mask)
        self.support = [len(m) for m in self.masks]
        supported = [q for q, n in enumerate(self.support) if n]
        self.free = sorted((q for q in supported if costs[q] == 0), key=rank.__getitem__)
        self.priced = [q for q in supported if costs[q] > 0]
        self._classes: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
        self._cached = 0
        self._cache_limit = 4 * sum(self.support) + 100_000  # class entries, ~50 bytes each

    def classes(self, q: int, funded: int) -> tuple[list[int], list[int]]:
        """Supporters of q grouped by the funded projects they chose: (class masks, sizes)."""
        key = (q, funded)
        found = self._classes.get(key)
        if found is None:
            counts = Counter(map(funded.__and__, self.masks[q]))
            if self._cached > self._cache_limit:  # keep memory in proportion to ballots
                self._classes.clear()
                self._cached = 0
            found = self._classes[key] = (list(counts), list(counts.values()))
            self._cached += len(counts)
        return found

    def rho(self, q: int, share: Number) -> Number:
        """What a project's share costs its supporters per unit of utility."""
        return share / self.cost[q] if self.by_cost else share


@dataclass
class _Price:
    rho: Number
    err: Number  # |rho - exact rho| <= err
    share: Number
    share_err: Number
    rich: int  # supporters who pay the full share
    empty: int = 0  # supporters with nothing left
    poor: tuple[int, ...] = ()  # classes with something left, who pay all of it
    paid: Number = 0  # what those classes pay
    near: Number | None = None  # if some class is within this of the share, the split is unsure
    flat: bool = False  # nobody is short: the share is cost / supporters, exactly


def run(profile: Profile, endowment: Number, exact: bool = False, base: Run | None = None) -> Run:
    """One MES run with every voter starting at `endowment`; exact=True uses Fractions.

    With a `base` run at a lower endowment, also check whether every endowment in between
    has the base's outcome (`follows`; see `add1`): this run must fund the same projects
    in the same order, and at each round every other project must cost more per unit of
    utility, or be unaffordable, here than the base's winner of that round cost there.
    """
    out = Run(endowment)
    x = Fraction(endowment) if exact else float(endowment)
    costs = profile.cost if exact else profile.float_cost
    eps = 0 if exact else EPS
    err = eps * x  # bound on the rounding error of every class budget
    zero = 0 * x
    budget = {0: x}  # positive class budgets; a class not listed has nothing left
    funded = 0  # mask of the projects bought so far (free ones cost nobody anything)
    support, rank = profile.support, profile.rank
    for q in profile.free:
        out.winners.append(q)
        out.step[q], out.share[q], out.ceiling[q] = len(out.winners), zero, (zero, zero)
        out.payers[q] = (support[q], 0, zero, 0)
    remaining = set(profile.priced)
    low = {}  # a lower bound on each project's rho
    for q in remaining:  # at best, all supporters pay an equal share
        rho = profile.rho(q, Fraction(costs[q], support[q]) if exact else costs[q] / support[q])
        low[q] = rho - 2 * eps * rho
    source = dict.fromkeys(remaining, (0, ()))  # the round and poor classes behind `low`
    follows = base is not None
    signed = True  # False once rounding blurred which classes pay all they have
    round_ = len(out.winners)
    while remaining:
        round_ += 1
        target = None  # while following the base: its winner this round, and that one's rho
        if follows and len(base.winners) > len(out.winners):
            target = base.winners[len(out.winners)]
            ceiling = base.ceiling[target]
        priced: dict[int, tuple[_Price, list, list, list]] = {}
        best_q, best, drops = -1, None, []
        for q in sorted(remaining, key=low.__getitem__):
            beaten = best is not None and low[q] > best.rho + best.err
            if beaten and (target is None or low[q] > ceiling[0]):
                break
            keys, counts = profile.classes(q, funded)
            budgets = list(map(budget.get, keys, repeat(zero)))
            price = _price(profile, q, costs[q], budgets, counts, keys, err, eps)
            if not isinstance(price, _Price):
                remaining.discard(q)
                drops.append(q)
                out.dropped[q] = (round_, price)
                continue
            priced[q] = (price, keys, counts, budgets)
            low[q], source[q] = price.rho - price.err, (round_, price.poor)
            if best is None or (price.rho, rank[q]) < (best.rho, rank[best_q]):
                best, best_q = price, q
        if best is None:
            follows = follows and len(base.winners) == len(out.winners)
            out.path.append(tuple(sorted(drops)))
            break
        w = best_q if exact else _settle(profile, best_q, priced, low, remaining)
        if follows:
            follows = w == target and all(
                _costlier(profile, q, priced[q][0], low[q], ceiling, target, exact)
                for q in priced
                if q != w
            )
        price, keys, counts, budgets = priced[w]
        t, bit = price.share, 1 << w
        paying = compress(keys, budgets)  # classes with money left
        left = map(t.__rsub__, compress(budgets, budgets))
        budget.update(zip(map(bit.__or__, paying), left, strict=True))
        for k in price.poor:
            del budget[k | bit]
        err += price.share_err + eps * x
        if price.near is not None:
            # Some class holds about the share: whichever way it falls, t and what that
            # class keeps move by at most `near`; count that as error.
            for k in [k | bit for k in compress(keys, budgets)]:
                if budget.get(k, x) <= zero:
                    del budget[k]
            err += price.near
            signed = False
        remaining.discard(w)
        ordered = sorted(remaining)
        others = tuple(zip(ordered, map(source.__getitem__, ordered), strict=True))
        out.path.append((w, tuple(sorted(price.poor)), others, tuple(sorted(drops))))
        out.winners.append(w)
        out.step[w], out.share[w] = round_, t
        out.ceiling[w] = (price.rho + price.err, _exact_rho(profile, w, price, exact))
        partial = support[w] - price.rich - price.empty
        out.payers[w] = (price.rich, partial, price.paid, price.empty)
        funded |= bit
    out.follows = follows
    if not signed:
        out.path.append(object())  # equal to no other run's path
    return out


def _price(profile, q, c, budgets, counts, keys, err, eps) -> _Price | Number:
    """Price project q from its supporters' class budgets, or return their money if short."""
    n = profile.support[q]
    t = c / n if eps else Fraction(c, n)
    live = list(compress(range(len(budgets)), budgets))  # classes with money left
    if len(live) == len(budgets) and min(budgets) >= t + err + 2 * eps * t:
        rho = profile.rho(q, t)  # nobody is short, so t = c / n exactly
        return _Price(rho, 2 * eps * rho, t, 2 * eps * t, n, flat=True)
    # Voters with nothing left pay nothing; of the others, only those below twice the
    # equal share are likely to be short: sort those first, and all if that was wrong.
    zero = 0 * t
    rich = sum(map(counts.__getitem__, live))
    limit = 2 * t
    for short in (map(limit.__gt__, map(budgets.__getitem__, live)), repeat(True)):
        order = sorted(compress(live, short), key=budgets.__getitem__)
        values = list(map(budgets.__getitem__, order))
        sizes = list(map(counts.__getitem__, order))
        # If the first j classes of `order` pay all they have, the others pay
        # (c - paid[j]) / payers[j] each; the split is the first j where they can.
        paid = list(accumulate(map(mul, values, sizes), initial=zero))
        payers = list(accumulate(sizes, sub, initial=rich))
        shares = map(truediv, map(sub, repeat(c), paid[:-1]), payers[:-1])
        split = next(compress(count(), map(le, shares, values)), len(order))
        if split == len(live):  # all together they cannot pay
            return _short(q, c, paid[-1], n, err, eps, len(budgets))
        t = (c - paid[split]) / payers[split]
        if split < len(order) or t <= limit:
            break
    poor = tuple(map(keys.__getitem__, order[:split]))
    paid, payers = paid[split], payers[split]
    t_err = ((n - payers) * err + eps * (c + paid) * (split + 3)) / payers + eps * t
    rho = profile.rho(q, t)
    price = _Price(rho, profile.rho(q, t_err) + eps * rho, t, t_err, payers, n - rich, poor, paid)
    if eps:
        gap = err + t_err
        below = values[split - 1] if split else -gap
        above = (
            values[split]
            if split < len(order)
            else min(compress(budgets, map(limit.__le__, budgets)), default=t + 2 * gap)
        )
        if t - below <= gap or above - t <= gap:
            # Close to the edge: check the project is affordable at all.
            _short(q, c, sum(map(mul, budgets, counts)), n, err, eps, len(budgets))
            widen = n * gap / payers
            price.near, price.share_err = gap + widen, t_err + widen
            price.err += profile.rho(q, widen)
    return price


def _short(q, c, money, n, err, eps, terms) -> Number:
    """Return the supporters' money if surely short of the cost c; raise if too close."""
    margin = n * err + eps * money * (terms + 2)
    if c - margin <= money < c + margin:
        raise Uncertain(f"whether project {q} is affordable")
    return money


def _exact_rho(profile: Profile, q: int, price: _Price, exact: bool) -> Number | None:
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


def solve(profile: Profile, endowment: Number, base: Run | None = None) -> Run:
    """A run with floats, redone with Fractions if rounding could have decided anything."""
    try:
        return run(profile, endowment, base=base)
    except Uncertain:
        return run(profile, endowment, exact=True, base=base)


def spent(profile: Profile, result: Run) -> Number:
    """Total cost of a run's winners."""
    return sum(profile.cost[w] for w in result.winners)


def add1(profile: Profile, budget: Number) -> tuple[Run, int]:
    """MES with add1 completion, as pabulib's checker defines it; returns (run, increment).

    Run 0 gives each voter budget/n; run k >= 1 gives floor(budget/n) + k. Runs go on
    while their outcome costs at most the budget; the result is the last run that fits
    before the first that does not. (pabutools stops instead at the first exhaustive
    outcome.) If a run funds every supported project the result cannot grow: stop there.

    Skipping runs: the outcome only changes at some increments, and a run at b can show
    that every endowment between a and b has the outcome of the run at a, in two ways.

    1. Same path. A run's outcome rests on comparisons between prices and budgets that
       are affine in the endowment x as long as the run keeps to one path (same winners,
       same classes paying all they have, the same price bounds behind each decision).
       If the runs at a and b record equal `path`s, each comparison holds at both ends,
       hence at every x in between, and so does the outcome.
    2. Margins. Suppose the run at b funds the same projects in the same order, and at
       each round every other project q is unaffordable at b or has rho_q(b) > rho_w(a),
       w being the round's winner. With more money every budget is at least as high
       along that order (shares only shrink as budgets grow, and what a voter keeps,
       max(budget - share, 0), only grows), so rho only falls and money only grows: for
       a <= x <= b, rho_w(x) <= rho_w(a) < rho_q(b) <= rho_q(x), and unaffordable at b
       is unaffordable at x. `run(base=...)` checks this as it goes (`follows`).

    After each run that holds, the stride doubles, and after one that does not, it halves:
    a long stretch of one outcome (budgets in forints) costs a few runs, and where the
    outcome changes every increment or two (Warszawa) this is stepping one by one.
    Bisection over "fits the budget" would not be valid: outcomes are not monotone in
    the endowment.
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
        if result.follows or result.path == current.path:  # k..probe: the same outcome
            k, current, stride = probe, result, stride * 2
        elif probe > k + 1:  # the stretch ends before the probe: look halfway
            ahead[probe], stride = result, max((probe - k) // 2, 1)
        elif spent(profile, result) > budget:
            return current, k
        else:
            k, current, stride = probe, result, 1
        ahead = {key: later for key, later in ahead.items() if key > k}
    return current, k
