"""Vote counting for participatory budgeting: pabulib files, greedy rules and Equal Shares.

numpy and the standard library, and nothing web: `count(Election.build(...))` from the app, or
`python -m coprod.tally FILE.pb` from a shell.
"""

from .explain import describe
from .model import Election, Explanation, Outcome, Project, Vote
from .pabulib import PabulibError, parse_pb, read_pb, write_pb
from .rules import RULES, TIE_BREAKS, UTILITIES, count

__all__ = [
    "RULES",
    "TIE_BREAKS",
    "UTILITIES",
    "Election",
    "Explanation",
    "Outcome",
    "PabulibError",
    "Project",
    "Vote",
    "count",
    "describe",
    "parse_pb",
    "read_pb",
    "write_pb",
]
