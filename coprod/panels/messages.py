"""The reasons a file, a draw or a seating was refused, in the person's language.

The seating core (coprod/seating) imports nothing from Flask: it gives a key and its
parameters (FileRefused.key/params, DrawFailed.problems, SeatingFailed.key/params) with
English words for the command line; these are the same sentences for the web pages, keyed
the same way.
"""

from flask_babel import lazy_gettext as _l

from coprod.seating.files import FileRefused
from coprod.seating.tables import SeatingFailed

FILE_REFUSED = {
    # i18n: why a CSV file (volunteers, quotas, people at a workshop) was refused.
    "empty": _l("the file is empty"),
    "not_csv": _l("it is not a CSV file (%(detail)s)"),
    "no_column": _l("the first line has no column called %(name)s"),
    "same_column": _l("two columns have the same name"),
    "wrong_cells": _l("cells on this line: %(cells)s; on the first line: %(columns)s"),
    "empty_cell": _l("the %(name)s cell is empty"),
    "not_csv_line": _l("this line could not be read as CSV (%(detail)s)"),
    "not_whole": _l("%(name)s must be a whole number, not %(value)s"),
    "id_twice": _l("the id %(value)s is used twice"),
    "no_volunteers": _l("the file has no volunteers"),
    "min_over_max": _l("min (%(least)s) is more than max (%(most)s)"),
    "quota_twice": _l("%(feature)s = %(value)s is given twice"),
    "no_quotas": _l("the file has no quotas"),
    "yes_or_no": _l("needs_interpreter must be yes or no, not %(value)s"),
    "nobody": _l("the file has nobody in it"),
}

DRAW_PROBLEMS = {
    # i18n: why no citizens' panel can be drawn from these volunteers and quotas.
    "too_few": _l("there are too few volunteers (%(volunteers)s) for a panel of %(size)s"),
    "sums": _l("the %(feature)s quotas add up to %(least)s-%(most)s, not %(size)s"),
    "short": _l("%(feature)s = %(value)s needs %(least)s but only %(have)s volunteered"),
    "no_quota": _l("volunteer %(id)s has a %(feature)s with no quota"),
    "none_found": _l(
        "the lottery found no panel that meets every quota. Try quotas with more room "
        "between the least and the most, or more volunteers"
    ),
    "method": _l("there is no way of drawing called %(method)s"),
    "seed": _l("the lottery number must be 1 or more"),
    "error": _l("something went wrong on our side; please try again"),
}

SEATING = {
    # i18n: why the people at a workshop cannot be seated at mixed tables.
    "no_interpreter": _l("nobody interprets %(language)s"),
    "no_language": _l("someone needs an interpreter but their language is not given"),
    "too_many_need": _l("too many people need %(language)s for the interpreters"),
    "no_table": _l("there must be at least one table and one session"),
    "same_id": _l("two people have the same id"),
    "no_fit": _l("the groups with interpreters do not fit at the tables"),
}


def seating(failed: SeatingFailed) -> str:
    """Why a room cannot be seated, in the person's language."""
    return str(SEATING[failed.key]) % failed.params


def refused(problem: FileRefused) -> str:
    """A refused file's reason in the person's language."""
    return str(FILE_REFUSED[problem.key]) % problem.params


def draw_problems(problems: list) -> str:
    """Why a draw failed, in the person's language: each (key, parameters) pair, joined."""
    said = []
    for key, params in problems:
        message = DRAW_PROBLEMS.get(key, DRAW_PROBLEMS["error"])
        said.append(str(message) % dict(params))
    return "; ".join(said)
