"""Counting a city: a synthetic election of 1,000,000 ballots and 300 ideas, counted with
Equal Shares and add1, with the time and the peak memory of the whole process.

    python bench/city.py [--voters 1000000] [--projects 300] [--seed 1] [--rule RULE]

Ballots are approval ballots of 1 to 5 ideas, drawn with a popularity that falls off as
in real cities (a few ideas chosen by many, most by few), and half the voters vote in
one of 20 districts, choosing mostly that district's ideas; costs run from 1% to 15% of
the budget's per-idea share. Targets (issue 19): under 30 s and 2 GB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coprod.tally import Election, count  # noqa: E402
from coprod.tally.model import Vote  # noqa: E402


def generate(voters: int, projects: int, seed: int = 1) -> Election:
    """A synthetic approval election; the same arguments give the same election."""
    rng = np.random.default_rng(seed)
    ids = [str(p + 1) for p in range(projects)]
    popularity = 1 / np.arange(1, projects + 1) ** 0.8
    popularity /= popularity.sum()
    districts = 20
    district_of = rng.integers(0, districts, projects)
    budget = 30 * voters  # 30 a voter, as a small city's budget per resident
    costs = rng.integers(budget // 300, budget // 25, projects)
    sizes = rng.integers(1, 6, voters)
    local = rng.random(voters) < 0.5
    home = rng.integers(0, districts, voters)
    choices = rng.choice(projects, size=(voters, 5), p=popularity)
    by_district = [np.flatnonzero(district_of == d) for d in range(districts)]
    votes = []
    for v in range(voters):
        picks = choices[v, : sizes[v]]
        if local[v] and len(by_district[home[v]]):
            mine = by_district[home[v]]
            picks = np.concatenate([picks[:1], mine[picks[1:] % len(mine)]])
        votes.append(Vote(str(v), tuple(ids[p] for p in dict.fromkeys(picks.tolist()))))
    meta = {"budget": str(budget), "vote_type": "approval", "num_votes": str(voters)}
    meta["num_projects"] = str(projects)
    projects_ = Election.build(budget, dict(zip(ids, costs.tolist(), strict=True)), []).projects
    return Election(meta, projects_, votes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rule", default="equalshares/add1")
    args = parser.parse_args()
    start = time.perf_counter()
    election = generate(args.voters, args.projects, args.seed)
    made = time.perf_counter() - start
    start = time.perf_counter()
    outcome = count(election, args.rule)
    counted = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.voters:,} ballots, {args.projects} ideas: generated in {made:.1f} s; "
        f"{args.rule} counted in {counted:.1f} s (increment {outcome.details.get('increment')}, "
        f"{len(outcome.selected)} funded, {outcome.spent:,} of {election.budget:,}); "
        f"peak memory of the process {peak:,.0f} MB"
    )


if __name__ == "__main__":
    main()
