"""Counting rules, named as pabulib names them, and why each project won or lost.

How ballots become utilities:

- approval, choose-1: a voter chose the projects listed; each adds 1 to a project's score.
- cumulative, scoring: a voter chose the projects given positive points; the score adds
  the points (a project listed twice adds both; scoring adds META default_score for each
  voter who did not list it).
- ordinal: a voter chose every project ranked; the score adds Borda points as pabulib's
  score column has them (Krakow): max_length points for the first, one less for each
  next (META max_length, else the number of projects).

Greedy rules rank projects by score (pabulib's score column, or votes when there are no
points), as pabulib's checker does; for approval ballots this is pabutools'
greedy_utilitarian_welfare with Cost_Sat. Equal Shares uses only which projects each
voter chose, as pabutools' Cost_Sat and Cardinality_Sat do (see `coprod.tally.mes`).

Tie-breaks: "pabutools" prefers the lower project id compared as strings ("10" before
"9"), exactly as pabutools' default; "votes" prefers more votes, then lower cost, then the
id; "cost" prefers lower cost, then more votes, then the id (equalshares.net's choice).

Explanation reasons and their `amounts` (money as int when whole, else float):

- "greedy" (funded by a greedy rule): score, cost, left (money left before it); by_points
  (1 when projects were ranked by points, not by how many voters chose them: every greedy
  reason has it then).
- "equal_shares" (funded by Equal Shares): cost, share (what each full payer paid),
  full_payers, partial_payers (supporters who paid all they had left, less than the
  share), partial_paid (what they paid together), empty_payers (supporters who had
  nothing left), effective_votes (cost / share, equalshares.net's effective vote count),
  endowment (each voter's starting money in the run that counted).
- "completion" (funded by add1u's completion, after Equal Shares): votes, cost, left
  (money left before it). A project it could not fit keeps its Equal Shares reason, with
  left_at_end: the money left when its turn in the completion came.
- "no_votes": nobody chose it.
- "below_threshold": score, threshold (META min_project_score_threshold).
- "did_not_fit": cost, left (money left when its turn came).
- "not_reached": cost, left (greedy-no-skip stopped at an earlier project that did not fit).
- the last three also have more_needed when some higher score would have funded it: how
  much more score (votes, or points with by_points) it needed, everything else unchanged.
- "supporters_short": cost, money (what its supporters had left between them in round
  `step`, when Equal Shares dropped it), short (cost - money), endowment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from operator import itemgetter

import numpy as np
from threadpoolctl import threadpool_limits

from . import mes
from .model import Election, Explanation, Number, Outcome, paused_gc, plain, to_number

RULES = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1u",
    "equalshares-comparison",
    "equalshares/add1-comparison",
)
UTILITIES = ("cost", "approval")
TIE_BREAKS = ("pabutools", "votes", "cost")
DEFAULT_RULE = "equalshares/add1"  # of a file with no rule (pabulib's; add1u is ours)


@dataclass
class _Tally:
    """Per-project totals and the distinct ballots (as chosen project indexes), by index.

    Voters who cast the same ballot count once, with a weight: a city's ~10^5 ballots are
    a few thousand distinct ones (Katowice 2023: 39,828 voters, 1,468 distinct ballots).
    """

    ids: list[str]
    cost: list[Number]
    votes: list[int]
    score: list[Number]
    chosen: list[list[int]]  # each distinct ballot's chosen projects
    weight: list[int]  # how many voters cast it
    rank: list[int]

    @property
    def voters(self) -> int:
        return sum(self.weight)


def _tally(election: Election, tie_break: str) -> _Tally:
    ids = list(election.projects)
    index = {pid: i for i, pid in enumerate(ids)}
    cost = [election.projects[pid].cost for pid in ids]
    vote_type = election.vote_type
    distinct = Counter(map(itemgetter(1, 2), election.votes))  # (choices, points): voters
    weight = list(distinct.values())
    chosen = [list(map(index.__getitem__, choices)) for choices, _ in distinct]
    score: list[Number] = [0] * len(ids)
    if vote_type in ("cumulative", "scoring"):
        for i, ((_, points), n) in enumerate(distinct.items()):
            picks, points = chosen[i], points or ()
            for q, p in zip(picks, points, strict=True):
                score[q] += p * n
            if len(set(picks)) < len(picks) or min(points, default=1) <= 0:
                merged = dict.fromkeys(picks, 0)
                for q, p in zip(picks, points, strict=True):
                    merged[q] += p
                chosen[i] = [q for q, p in merged.items() if p > 0]
    elif vote_type == "ordinal":
        max_length = int(election.meta.get("max_length") or len(ids))
        for picks, n in zip(chosen, weight, strict=True):
            for position, q in enumerate(picks):
                score[q] += max(max_length - position, 0) * n
    # Voters choosing each project: every ballot's picks, weighted by its voters (whole
    # numbers far below 2**53, so the float sums are exact).
    length = np.fromiter(map(len, chosen), dtype=np.intp, count=len(chosen))
    picked = np.fromiter(chain.from_iterable(chosen), dtype=np.intp, count=int(length.sum()))
    each = np.repeat(np.asarray(weight, dtype=np.float64), length)
    votes = np.bincount(picked, weights=each, minlength=len(ids)).astype(np.int64).tolist()
    if vote_type in ("approval", "choose-1"):
        score = list(votes)
    if vote_type == "scoring" and election.meta.get("default_score"):
        default = to_number(election.meta["default_score"])
        listed = [0] * len(ids)
        for (choices, _), n in distinct.items():
            for q in set(map(index.__getitem__, choices)):
                listed[q] += n
        voters = len(election.votes)
        score = [s + default * (voters - listed[q]) for q, s in enumerate(score)]
    keys: dict[str, Callable[[int], tuple]] = {
        "pabutools": lambda q: (ids[q],),
        "votes": lambda q: (-votes[q], cost[q], ids[q]),
        "cost": lambda q: (cost[q], -votes[q], ids[q]),
    }
    rank = [0] * len(ids)
    for position, q in enumerate(sorted(range(len(ids)), key=keys[tie_break])):
        rank[q] = position
    return _Tally(ids, cost, votes, score, chosen, weight, rank)


def _greedy(t: _Tally, budget: Number, no_skip: bool, threshold: Number, by: Sequence[Number]):
    """Fund projects by descending `by`; skip those that do not fit (or stop, if no_skip)."""
    selected: list[int] = []
    why: dict[int, tuple[str, dict]] = {}
    left, stopped = budget, False
    for q in sorted(range(len(t.ids)), key=lambda q: (-by[q], t.rank[q])):
        c = t.cost[q]
        if by[q] < threshold:
            why[q] = ("below_threshold", {"score": by[q], "threshold": threshold})
        elif stopped:
            why[q] = ("not_reached", {"cost": c, "left": left})
        elif c <= left:
            why[q] = ("greedy", {"score": by[q], "cost": c, "left": left})
            selected.append(q)
            left -= c
        else:
            why[q] = ("did_not_fit", {"cost": c, "left": left})
            stopped = no_skip
    return selected, why


def _more_needed(
    t: _Tally, budget: Number, no_skip: bool, threshold: Number, by: Sequence[Number], q: int
) -> Number | None:
    """How much more score (votes, or points) project q needed to be funded by the same
    greedy rule, all other ballots as they were; None if no score would do.

    Without q, the greedy order of the others is fixed and the money left before each of
    them only falls along it; q put just before the i-th other project meets exactly that
    money. So the score it needs is that of the last place where it fits: one more than
    the project there (or the same, if q wins the tie-break), and at least the threshold.
    """
    others = sorted((p for p in range(len(t.ids)) if p != q), key=lambda p: (-by[p], t.rank[p]))
    left, last = budget, None
    for p in others:
        if t.cost[q] <= left:
            last = p  # q just before p would fit
        else:
            break  # money left only falls from here
        if by[p] < threshold:
            continue
        if t.cost[p] <= left:
            left -= t.cost[p]
        elif no_skip:
            left = -1  # the count stops here: nothing after p is funded
    if t.cost[q] <= left:
        need: Number = max(threshold, 0)  # it fits after everyone
    elif last is None:
        return None  # it costs more than the money, whatever its score
    else:
        need = by[last] + (0 if t.rank[q] < t.rank[last] else 1)
        need = max(need, threshold)
    return max(need - by[q], 0) or None


def _equal_shares(t: _Tally, budget: Number, add1: bool, by_cost: bool, progress=None):
    profile = mes.Profile(t.cost, t.chosen, t.rank, by_cost, t.weight)
    if add1:
        result, increment = mes.add1(profile, budget, progress)
        details = {"endowment": plain(result.endowment), "increment": increment}
    else:
        result = mes.solve(profile, Fraction(budget, max(t.voters, 1)))
        details = {"endowment": plain(result.endowment)}
    why: dict[int, tuple[str, dict]] = {}
    for q in result.winners:
        share, (full, partial, paid, empty) = result.share[q], result.payers[q]
        amounts: dict[str, object] = {"cost": t.cost[q], "share": share, "full_payers": full}
        amounts |= {"partial_payers": partial, "partial_paid": paid, "empty_payers": empty}
        amounts["effective_votes"] = t.cost[q] / share if share else None
        why[q] = ("equal_shares", amounts | {"endowment": result.endowment})
    for q, (_, money) in result.dropped.items():
        amounts = {"cost": t.cost[q], "money": money, "endowment": result.endowment}
        amounts["short"] = t.cost[q] - money
        why[q] = ("supporters_short", amounts)
    steps = result.step | {q: round_ for q, (round_, _) in result.dropped.items()}
    return result.winners, why, steps, details


def _complete(t: _Tally, budget: Number, selected: list[int], why: dict) -> list[int]:
    """Add1u (equalshares.net's default): after Equal Shares with add1, the money left
    goes to the projects left, most votes first, each that still fits (as greedy)."""
    left = budget - sum(t.cost[q] for q in selected)
    chosen = set(selected)
    rest = sorted(
        (q for q in range(len(t.ids)) if q not in chosen and t.votes[q]),
        key=lambda q: (-t.votes[q], t.rank[q]),
    )
    selected = list(selected)
    for q in rest:
        if t.cost[q] <= left:
            why[q] = ("completion", {"votes": t.votes[q], "cost": t.cost[q], "left": left})
            selected.append(q)
            left -= t.cost[q]
        else:
            reason, amounts = why.get(q, ("supporters_short", {}))
            why[q] = (reason, amounts | {"left_at_end": left})
    return selected


def _preferences(t: _Tally, ours: list[int], greedy: list[int]) -> dict[str, int]:
    """How many voters prefer each outcome: the one funding more of the projects they chose."""
    mine, theirs = set(ours), set(greedy)
    prefer = {"equal_shares_preferred": 0, "greedy_preferred": 0}
    for picks, n in zip(t.chosen, t.weight, strict=True):
        a, b = sum(q in mine for q in picks), sum(q in theirs for q in picks)
        prefer["equal_shares_preferred"] += n * (a > b)
        prefer["greedy_preferred"] += n * (b > a)
    return prefer


def count(
    election: Election,
    rule: str | None = None,
    utility: str = "cost",
    tie_break: str = "pabutools",
    progress: Callable[[float], None] | None = None,
) -> Outcome:
    """Count an election under `rule` (default: the file's own rule if known, else add1).

    `progress`, if given, is told now and then how far the count has gone (0 to 1): for
    add1, the share of the budget its latest outcome spends, the best guess there is.
    """
    if rule is None:
        rule = election.rule if election.rule in RULES else DEFAULT_RULE
    for value, known, what in (
        (rule, RULES, "rule"),
        (utility, UTILITIES, "utility"),
        (tie_break, TIE_BREAKS, "tie_break"),
    ):
        if value not in known:
            raise ValueError(f"unknown {what} {value!r}; known: {', '.join(known)}")
    # A count works on vectors of a few thousand numbers: BLAS threads would only spin.
    with paused_gc(), threadpool_limits(1, user_api="blas"):
        return _count(election, rule, utility, tie_break, progress)


def _count(election: Election, rule: str, utility: str, tie_break: str, progress) -> Outcome:
    t = _tally(election, tie_break)
    budget = election.budget
    steps: dict[int, int] = {}
    details: dict[str, object] = {}
    if rule.startswith("greedy"):
        threshold: Number = 0
        if rule == "greedy-threshold":
            threshold = to_number(election.meta.get("min_project_score_threshold") or "0")
        no_skip = rule == "greedy-no-skip"
        selected, why = _greedy(t, budget, no_skip, threshold, t.score)
        points = election.vote_type not in ("approval", "choose-1")
        for q, (reason, amounts) in why.items():
            if points:  # ranked by points, not by how many people chose it
                amounts["by_points"] = 1
            if reason in ("did_not_fit", "not_reached", "below_threshold"):
                more = _more_needed(t, budget, no_skip, threshold, t.score, q)
                if more is not None:
                    amounts["more_needed"] = more
    else:
        add1 = rule.startswith("equalshares/add1")
        selected, why, steps, details = _equal_shares(t, budget, add1, utility == "cost", progress)
        if rule == "equalshares/add1u":
            selected = _complete(t, budget, selected, why)
            for q in selected:
                if why[q][0] == "completion":
                    steps.pop(q, None)  # its step is its place in the order funded
        if rule.endswith("-comparison"):
            # Pabulib's comparison step: greedy by votes (as its checker ranks them) wins
            # if more voters prefer its outcome than prefer Equal Shares'.
            greedy, greedy_why = _greedy(t, budget, False, 0, t.votes)
            prefer = _preferences(t, selected, greedy)
            details |= {"comparison": prefer, "chose": "equalshares"}
            if prefer["greedy_preferred"] > prefer["equal_shares_preferred"]:
                selected, why, steps = greedy, greedy_why, {}
                details = {"comparison": prefer, "chose": "greedy"}
    position = {q: i + 1 for i, q in enumerate(selected)}
    explanations = {}
    for q, pid in enumerate(t.ids):
        reason, amounts = why.get(q, ("no_votes", {}))
        if t.votes[q] == 0 and q not in position:
            reason, amounts = "no_votes", {}
        amounts = {k: None if v is None else plain(v) for k, v in amounts.items()}
        step = steps.get(q, position.get(q))
        explanations[pid] = Explanation(pid, q in position, step, t.votes[q], reason, amounts)
    spent = sum(t.cost[q] for q in selected)
    selected_ids = [t.ids[q] for q in selected]
    return Outcome(rule, utility, budget, selected_ids, spent, explanations, details)
