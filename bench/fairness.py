"""Fairness figures and "how close" on every shared pabulib file, checked and timed.

    python bench/fairness.py [FILE_STEM ...]

For each file (all of PABULIB_DIR by default): count under its own rule, time the
fairness figures (share with a winner, satisfaction, EJR, the other rule), and check every
"how close" figure by recounting: each losing idea with `more_needed` must be funded with
that much more score and not with one less (approval, choose-1 and cumulative ballots;
ordinal Borda points cannot be added one at a time), and every idea ranked by points
must say so. Prints one line per file; exits 1 if any check fails.
Data: PABULIB_DIR, else shared/pabulib beside the repository.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coprod.tally import Election, count, read_pb  # noqa: E402
from coprod.tally.fairness import fairness  # noqa: E402
from coprod.tally.model import Vote  # noqa: E402

DATA = Path(os.environ.get("PABULIB_DIR") or ROOT.parent / "shared" / "pabulib")
RANKED = ("greedy", "did_not_fit", "not_reached", "below_threshold")


def with_more(e: Election, pid: str, n: int) -> Election:
    """n more score for pid: n new voters choosing only it, or one giving it n points."""
    if e.vote_type == "cumulative":
        extra = [Vote("extra", (pid,), (n,))] if n else []
    else:
        extra = [Vote(f"extra{i}", (pid,)) for i in range(n)]
    return Election(e.meta, e.projects, e.votes + extra)


def check(e: Election) -> tuple[list[str], dict[str, float | int | str]]:
    """Problems found, and figures for the report line."""
    problems = []
    start = time.perf_counter()
    outcome = count(e)
    counted = time.perf_counter() - start
    start = time.perf_counter()
    fair = fairness(e, outcome)
    figured = time.perf_counter() - start
    by_points = e.vote_type not in ("approval", "choose-1")
    checked = 0
    for x in outcome.explanations.values():
        if x.reason in RANKED and bool(x.amounts.get("by_points")) != by_points:
            problems.append(f"{x.project_id}: by_points is wrong")
        n = x.amounts.get("more_needed")
        if n is None or e.vote_type not in ("approval", "choose-1", "cumulative"):
            continue
        if x.project_id not in count(with_more(e, x.project_id, n), outcome.rule).selected:
            problems.append(f"{x.project_id}: not funded with {n} more")
        if x.project_id in count(with_more(e, x.project_id, n - 1), outcome.rule).selected:
            problems.append(f"{x.project_id}: funded with {n - 1} more already")
        checked += 1
    figures = {
        "rule": outcome.rule,
        "count_s": counted,
        "fairness_s": figured,
        "checked": checked,
        "with_winner": fair.get("share_with_a_winner") or 0,
        "median": (fair.get("satisfaction") or {}).get("median", 0),
        "ejr": f"{fair['ejr']['satisfied']}/{fair['ejr']['up_to_one']}",
        "differ": len(fair["other_rule"]["only_ours"]) + len(fair["other_rule"]["only_theirs"]),
    }
    return problems, figures


def main(names: list[str]) -> int:
    files = [DATA / f"{n}.pb" for n in names] if names else sorted(DATA.glob("*.pb"))
    print(f"{'file':<45} {'rule':<18} count_s fair_s checked winner median ejr/up1 differ")
    failed = 0
    for path in files:
        problems, f = check(read_pb(path))
        print(
            f"{path.stem[:45]:<45} {f['rule']:<18} {f['count_s']:7.2f} {f['fairness_s']:6.2f}"
            f" {f['checked']:7} {f['with_winner']:6.0%} {f['median']:6.0%}"
            f" {f['ejr']:>11} {f['differ']:6}"
        )
        for problem in problems:
            print(f"  PROBLEM {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
