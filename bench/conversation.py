"""Benchmark opinion grouping: 10,000 people x 1,000 statements (the issue's target: < 5 s).

    python bench/conversation.py [--people 10000] [--statements 1000] [--each 60]

Makes a conversation with three hidden opinion groups: each person marks `each` statements
(drawn at random, as Pol.is shows them), agreeing with the chance their group has for that
statement, sometimes passing. Times `grouping.group` on the marks as triples, end to end
(building the sparse matrix, PCA, k-means for k = 2..5 and the silhouette), and checks
that the groups found are the hidden ones (most people land with their own group).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coprod.conversation import grouping  # noqa: E402


def make_marks(people: int, statements: int, each: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    hidden = rng.integers(0, 3, size=people)
    chance = rng.uniform(0.05, 0.95, size=(3, statements))  # each group's chance to agree
    marks = []
    each = min(each, statements)
    for person in range(people):
        shown = rng.choice(statements, size=each, replace=False)
        roll = rng.random(each)
        passed = rng.random(each) < 0.1
        agree = roll < chance[hidden[person], shown]
        values = np.where(passed, 0, np.where(agree, 1, -1))
        marks.extend(zip([person] * each, shown.tolist(), values.tolist(), strict=True))
    return marks, hidden


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=1_000)
    parser.add_argument("--each", type=int, default=60, help="statements each person marks")
    args = parser.parse_args()
    marks, hidden = make_marks(args.people, args.statements, args.each)
    start = time.perf_counter()
    found = grouping.group(marks, min_marks=min(grouping.MIN_MARKS, args.each))
    took = time.perf_counter() - start
    of = found.group_of()
    matched = 0
    for g in range(len(found.groups)):
        members = [p for p, mine in of.items() if mine == g]
        matched += int(np.bincount(hidden[members], minlength=3).max()) if members else 0
    share = matched / max(len(of), 1)
    print(
        f"{args.people} people x {args.statements} statements, {len(marks)} marks: "
        f"{len(found.groups)} groups, {len(found.left_out)} left out, "
        f"{share:.0%} with their hidden group, in {took:.2f} s"
    )
    if len(found.groups) < 2:
        sys.exit("found fewer than two groups")


if __name__ == "__main__":
    main()
