"""Was the count fair, and to whom? Figures from an election and its outcome, as data.

Every figure works on which projects each voter chose (as Equal Shares does), whatever
the ballot kind:

- share with a winner: the voters who chose at least one funded project, of all voters;
- satisfaction: for each voter, the cost of the funded projects she chose over the cost
  of all she chose (free projects count as chosen money of 0); its median and how many
  voters fall in each band (`BANDS`), for a small chart;
- the same two by group (area, ballot language, channel, ...), when the caller gives
  each voter's group: no figure is about fewer than `MINIMUM` voters, and small groups
  are shown together so that none can be worked out from the others;
- Extended Justified Representation (EJR), checked exactly where cheap (see `ejr`), and
  Proportional Justified Representation (PJR), which EJR implies (see `pjr`);
- what the other rule would have chosen (greedy beside Equal Shares, or the reverse).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction

from .model import Election, Number, Outcome, plain
from .rules import DEFAULT_RULE, count

MINIMUM = 10  # figures about fewer voters than this are hidden: they could single people out
# Bands of the share of a voter's chosen money that was funded, in percent: (low, high],
# except the first, which is exactly 0, and the last, exactly 100.
BANDS = ((0, 0), (0, 25), (25, 50), (50, 75), (75, 100), (100, 100))
EJR_LIMIT = 200_000  # groups of projects tried before the EJR check gives up (None)
PJR_LIMIT = 20_000  # sets of funded projects tried, per group of projects, for PJR


def _chosen(election: Election) -> list[tuple[str, ...]]:
    """Each voter's chosen projects, once each, only those with positive points."""
    out = []
    for vote in election.votes:
        if vote.points is None:
            out.append(tuple(dict.fromkeys(vote.choices)))
        else:
            total: dict[str, Number] = {}
            for pid, p in zip(vote.choices, vote.points, strict=True):
                total[pid] = total.get(pid, 0) + p
            out.append(tuple(pid for pid, p in total.items() if p > 0))
    return out


def _band(value: Fraction) -> int:
    if value == 0:
        return 0
    if value == 1:
        return len(BANDS) - 1
    return next(i for i, (_, high) in enumerate(BANDS[1:-1], 1) if value * 100 <= high)


def _median(values: list[Fraction]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _figures(shares: list[Fraction], winners: list[bool]) -> dict[str, object]:
    """The two figures about a set of voters, or only `hidden` when they are too few."""
    n = len(shares)
    if n < MINIMUM:
        return {"hidden": True, "share_with_a_winner": None, "satisfaction": None}
    bands = Counter(map(_band, shares))
    return {
        "hidden": False,
        "voters": n,
        "with_a_winner": sum(winners),
        "share_with_a_winner": round(sum(winners) / n, 4),
        "satisfaction": {
            "median": round(float(_median(shares)), 4),
            "bands": [
                {"low": low, "high": high, "voters": bands.get(i, 0)}
                for i, (low, high) in enumerate(BANDS)
            ],
        },
    }


def satisfaction(
    election: Election,
    selected: Sequence[str],
    groups: Mapping[str, Sequence[str | None]] | None = None,
) -> dict[str, object]:
    """Share with a winner and satisfaction, for all voters and for each group.

    `groups`: by dimension (say "area"), each voter's group in `election.votes` order
    (None when unknown). Voters who chose nothing are left out. See `_by_group` for how
    small groups are kept from being singled out.
    """
    funded = set(selected)
    cost = {pid: p.cost for pid, p in election.projects.items()}
    shares: list[Fraction] = []
    winners: list[bool] = []
    kept: list[int] = []  # the index of each voter counted
    for i, picks in enumerate(_chosen(election)):
        if not picks:
            continue
        whole = sum(cost[p] for p in picks)
        got = sum(cost[p] for p in picks if p in funded)
        won = any(p in funded for p in picks)
        shares.append(Fraction(got, whole) if whole else Fraction(int(won)))
        winners.append(won)
        kept.append(i)
    out = _figures(shares, winners)
    by: dict[str, list[dict[str, object]]] = {}
    if out["hidden"]:
        groups = {}  # too few voters for any figure
    for dimension, of_voter in (groups or {}).items():
        split: dict[str | None, tuple[list[Fraction], list[bool]]] = {}
        for share, won, i in zip(shares, winners, kept, strict=True):
            mine = split.setdefault(of_voter[i], ([], []))
            mine[0].append(share)
            mine[1].append(won)
        if len(split) > 1:  # one group only would repeat the figures for everyone
            by[dimension] = _by_group(split)
    out["by"] = by
    return out


def _by_group(split: dict[str | None, tuple[list[Fraction], list[bool]]]) -> list[dict]:
    """A row per group of at least `MINIMUM` voters (None: not known), and one for the
    smaller groups together, made up to `MINIMUM` voters with the smallest others.

    Hiding only the small groups would not do: everyone's figures minus the shown groups'
    would give theirs. So every voter is in a row of at least `MINIMUM` voters.
    """
    size = {key: len(shares) for key, (shares, _) in split.items()}
    order = sorted(split, key=lambda key: (size[key], str(key)))
    together = [key for key in order if size[key] < MINIMUM]
    shown = [key for key in order if size[key] >= MINIMUM]
    while together and sum(size[k] for k in together) < MINIMUM and shown:
        together.append(shown.pop(0))
    rows: list[dict] = [{"group": key} | _figures(*split[key]) for key in sorted(shown, key=str)]
    if together:
        merged: tuple[list[Fraction], list[bool]] = ([], [])
        for key in together:
            merged[0].extend(split[key][0])
            merged[1].extend(split[key][1])
        rows.append({"group": None, "together": sorted(together, key=str)} | _figures(*merged))
    return rows


def ejr(election: Election, selected: Sequence[str], utility: str = "cost") -> dict[str, object]:
    """Does the outcome satisfy Extended Justified Representation (and up to one project)?

    A group of voters who all chose every project in a set T, and are enough to pay for T
    with their equal part of the budget (|group| / n * budget >= cost(T)), must have one
    member who already gains as much as T would give her (cost utilities: the cost of her
    funded choices; approval utilities: how many of them are funded). "Up to one project"
    asks only that funding one more project of T would give some member more than T
    (pabutools' EJR up to one project; Equal Shares always satisfies it).

    For a set T, the group to look at is every voter who chose all of T and is not yet
    satisfied: T breaks EJR if they are enough. Adding projects to T only raises its cost
    and shrinks who chose it all, so the sets worth trying grow from smaller ones; the
    search stops after `EJR_LIMIT` sets, and then says None (not checked).
    """
    ids = list(election.projects)
    index = {pid: q for q, pid in enumerate(ids)}
    cost = [election.projects[pid].cost for pid in ids]
    value = cost if utility == "cost" else [1] * len(ids)
    funded = {index[p] for p in selected}
    ballots = Counter(frozenset(index[p] for p in picks) for picks in _chosen(election))
    n, budget = sum(ballots.values()), election.budget
    kinds = [(sorted(b), w, sum(value[q] for q in b if q in funded)) for b, w in ballots.items()]
    chose: list[set[int]] = [set() for _ in ids]  # kinds that chose each project
    for k, (picks, _, _) in enumerate(kinds):
        for q in picks:
            chose[q].add(k)
    result: dict[str, object | None] = {"utility": utility, "satisfied": True, "up_to_one": True}
    tried = 0

    def enough(members: set[int], total: Number) -> bool:
        return sum(kinds[k][1] for k in members) * budget >= total * n

    # depth-first over sets T in increasing project order, carrying who chose all of T
    stack: list[tuple[int, set[int], Number, Number, tuple[int, ...]]] = [
        (q, chose[q], cost[q], value[q], (q,)) for q in reversed(range(len(ids)))
    ]
    while stack:
        last, members, total, gain, group = stack.pop()
        if not enough(members, total):
            continue
        tried += 1
        if tried > EJR_LIMIT:
            return {"utility": utility, "satisfied": None, "up_to_one": None}
        short = {k for k in members if kinds[k][2] < gain}
        if result["satisfied"] and short and enough(short, total):
            result["satisfied"] = False
        if result["up_to_one"] and short:
            missing = [value[q] for q in group if q not in funded]
            top = max(missing, default=0)
            if enough({k for k in short if kinds[k][2] + top <= gain}, total):
                result["up_to_one"] = False
        if not result["satisfied"] and not result["up_to_one"]:
            break
        for q in reversed(range(last + 1, len(ids))):
            stack.append((q, members & chose[q], total + cost[q], gain + value[q], (*group, q)))
    return result


def pjr(
    election: Election, selected: Sequence[str], utility: str = "cost", implied: bool = False
) -> dict[str, object]:
    """Does the outcome satisfy Proportional Justified Representation (and up to one project)?

    As for EJR (see `ejr`), a group of voters who all chose a set T and are enough to pay
    for it; PJR asks less: that the funded projects chosen by *any* of them give as much
    as T (pabutools' is_PJR_approval; "up to one": with T's best unfunded project added).
    EJR implies PJR, so `implied` (EJR holds, up to one as well) settles it at no cost.

    Otherwise, for each T with enough voters: a violating group is some of them whose
    funded choices all lie in a set W of funded projects worth less than T. Each member's
    funded choices are one such set, and W can be taken as a union of them; the unions are
    tried, smallest first, up to `PJR_LIMIT` per T, and past either limit the answer is
    None (not checked).
    """
    if implied:
        return {"utility": utility, "satisfied": True, "up_to_one": True}
    ids = list(election.projects)
    index = {pid: q for q, pid in enumerate(ids)}
    cost = [election.projects[pid].cost for pid in ids]
    value = cost if utility == "cost" else [1] * len(ids)
    funded = {index[p] for p in selected}
    ballots = Counter(frozenset(index[p] for p in picks) for picks in _chosen(election))
    n, budget = sum(ballots.values()), election.budget
    kinds = [(b, w, frozenset(b & funded)) for b, w in ballots.items()]
    chose: list[set[int]] = [set() for _ in ids]
    for k, (picks, _, _) in enumerate(kinds):
        for q in picks:
            chose[q].add(k)
    result: dict[str, object | None] = {"utility": utility, "satisfied": True, "up_to_one": True}

    def enough(members, total: Number) -> bool:
        return sum(kinds[k][1] for k in members) * budget >= total * n

    def worth(projects) -> Number:
        return sum(value[q] for q in projects)

    def violated(members: set[int], total: Number, below: Number) -> bool | None:
        """Is there a set W of funded projects worth less than `below` such that the
        members whose funded choices lie in W are enough to pay `total`?"""
        sets = sorted({kinds[k][2] for k in members if worth(kinds[k][2]) < below}, key=worth)
        seen: set[frozenset[int]] = set()
        todo: list[frozenset[int]] = [frozenset()]
        while todo:
            w = todo.pop()
            if w in seen:
                continue
            seen.add(w)
            if len(seen) > PJR_LIMIT:
                return None
            if enough([k for k in members if kinds[k][2] <= w], total):
                return True
            todo.extend(w | f for f in sets if not f <= w and worth(w | f) < below)
        return False

    tried = 0
    stack: list[tuple[int, set[int], Number, Number, tuple[int, ...]]] = [
        (q, chose[q], cost[q], value[q], (q,)) for q in reversed(range(len(ids)))
    ]
    while stack:
        last, members, total, gain, group = stack.pop()
        if not enough(members, total):
            continue
        tried += 1
        if tried > EJR_LIMIT:
            return {"utility": utility, "satisfied": None, "up_to_one": None}
        top = max((value[q] for q in group if q not in funded), default=0)
        for key, below in (("satisfied", gain), ("up_to_one", gain - top)):
            if result[key] and below > 0:
                found = violated(members, total, below)
                if found is None:
                    return {"utility": utility, "satisfied": None, "up_to_one": None}
                if found:
                    result[key] = False
        if not result["satisfied"] and not result["up_to_one"]:
            break
        for q in reversed(range(last + 1, len(ids))):
            stack.append((q, members & chose[q], total + cost[q], gain + value[q], (*group, q)))
    return result


def other_rule(election: Election, outcome: Outcome, tie_break: str = "pabutools") -> dict:
    """The outcome of the other rule: greedy beside Equal Shares, or Equal Shares (with
    add1) beside greedy; and the projects only one of the two funds."""
    # a comparison rule that chose greedy's outcome is set beside Equal Shares'
    shares = outcome.rule.startswith("equalshares") and outcome.details.get("chose") != "greedy"
    rule = "greedy" if shares else DEFAULT_RULE
    other = count(election, rule, outcome.utility, tie_break)
    ours, theirs = set(outcome.selected), set(other.selected)
    return {
        "rule": rule,
        "selected": other.selected,
        "spent": plain(other.spent),
        "only_ours": [p for p in outcome.selected if p not in theirs],
        "only_theirs": [p for p in other.selected if p not in ours],
    }


def fairness(
    election: Election,
    outcome: Outcome,
    groups: Mapping[str, Sequence[str | None]] | None = None,
    tie_break: str = "pabutools",
) -> dict[str, object]:
    """Every fairness figure of a count, as plain data for JSON."""
    checked = ejr(election, outcome.selected, outcome.utility)
    implied = bool(checked["satisfied"] and checked["up_to_one"])
    return satisfaction(election, outcome.selected, groups) | {
        "ejr": checked,
        "pjr": pjr(election, outcome.selected, outcome.utility, implied),
        "other_rule": other_rule(election, outcome, tie_break),
    }
