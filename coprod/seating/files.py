"""Reading the CSV files organisers bring: refused with the line number and the reason."""

import csv
import io
from collections.abc import Iterable

# What each refusal key says in English (the command line's words). The web pages say the
# same in the person's language: see coprod/panels/messages.py. Parameters are %(name)s.
ENGLISH = {
    "empty": "the file is empty",
    "not_csv": "not a CSV file (%(detail)s)",
    "no_column": "the header has no column called %(name)s",
    "same_column": "two columns have the same name",
    "wrong_cells": "this line has %(cells)s cells but the header has %(columns)s",
    "empty_cell": "the %(name)s cell is empty",
    "not_csv_line": "not a CSV line (%(detail)s)",
    "not_whole": "%(name)s must be a whole number, not %(value)s",
    "id_twice": "the id %(value)s is used twice",
    "no_volunteers": "the file has no volunteers",
    "min_over_max": "min (%(least)s) is more than max (%(most)s)",
    "quota_twice": "%(feature)s = %(value)s is given twice",
    "no_quotas": "the file has no quotas",
    "yes_or_no": "needs_interpreter must be yes or no, not %(value)s",
    "nobody": "the file has nobody in it",
}


class FileRefused(ValueError):
    """A file that cannot be used: `line` is 1 for the header, `key` says what is wrong (one
    of ENGLISH's keys) and `params` the details; `reason` is the English sentence."""

    def __init__(self, line: int, key: str, **params: object) -> None:
        self.line, self.key, self.params = line, key, params
        super().__init__(f"line {line}: {self.reason}")

    @property
    def reason(self) -> str:
        return ENGLISH[self.key] % self.params


def read_rows(text: str, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for each row of a CSV file with a header line; keys lower-case.

    Every column in `required` must be in the header and filled in on every row; blank
    lines are skipped; a row with more or fewer cells than the header is refused.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise FileRefused(1, "empty") from None
    except csv.Error as error:
        raise FileRefused(1, "not_csv", detail=str(error)) from None
    required = list(required)
    names = [h.strip().lower() for h in header]
    for name in required:
        if name not in names:
            raise FileRefused(1, "no_column", name=repr(name))
    if len(set(names)) != len(names):
        raise FileRefused(1, "same_column")
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(names):
                raise FileRefused(line, "wrong_cells", cells=len(cells), columns=len(names))
            row = {n: c.strip() for n, c in zip(names, cells, strict=True)}
            for name in required:
                if not row[name]:
                    raise FileRefused(line, "empty_cell", name=repr(name))
            rows.append((line, row))
    except csv.Error as error:
        raise FileRefused(reader.line_num, "not_csv_line", detail=str(error)) from None
    return rows


def whole_number(text: str, line: int, what: str) -> int:
    """A whole number of at least 0 from a cell, or the file is refused at `line`."""
    if not text.isdigit():
        raise FileRefused(line, "not_whole", name=what, value=repr(text))
    return int(text)
