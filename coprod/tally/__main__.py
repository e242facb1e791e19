"""python -m coprod.tally FILE.pb [--rule RULE] [--utility cost|approval] [--json]"""

from __future__ import annotations

import argparse
import json
import sys

from . import RULES, TIE_BREAKS, UTILITIES, PabulibError, count, describe, read_pb
from .model import plain


def main(argv: list[str] | None = None) -> int:
    """Count a pabulib file and print the outcome; exit 2 if the file is malformed."""
    parser = argparse.ArgumentParser(prog="python -m coprod.tally", description=__doc__)
    parser.add_argument("file", help="a pabulib .pb file")
    parser.add_argument("--rule", choices=RULES, help="default: the file's rule, else add1")
    parser.add_argument("--utility", choices=UTILITIES, default="cost")
    parser.add_argument("--tie-break", choices=TIE_BREAKS, default="pabutools")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        election = read_pb(args.file)
    except (PabulibError, OSError) as error:
        print(error, file=sys.stderr)
        return 2
    except UnicodeDecodeError as error:
        where = f"byte {error.start + 1:,} cannot be read as UTF-8"
        print(f"{args.file}: not UTF-8 text ({where})", file=sys.stderr)
        return 2
    outcome = count(election, args.rule, args.utility, args.tie_break)
    if args.json:
        summary = {
            "rule": outcome.rule,
            "selected": outcome.selected,
            "spent": plain(outcome.spent),
            "budget": plain(outcome.budget),
        }
        print(json.dumps(summary))
        return 0
    spent, budget = plain(outcome.spent), plain(outcome.budget)
    rule = outcome.rule
    if rule.startswith("equalshares"):
        rule += f" ({outcome.utility} utilities)"
    print(f"{rule}: spent {spent:,} of {budget:,}")
    width = max(len(pid) for pid in election.projects) if election.projects else 2
    for pid, expl in outcome.explanations.items():
        mark = "+" if expl.funded else "-"
        cost = plain(election.projects[pid].cost)
        print(f"{mark} {pid:<{width}} {cost:>14,} {expl.votes:>8,}  {describe(expl)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
