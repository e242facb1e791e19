"""Reading theme counts collated elsewhere (e.g. from care plans): theme, area, count.

No personal data may come in: a file with any column but theme, area and count (and an
optional source), or any cell that looks like it is about one person (an email address,
a phone or NHS number, a date of birth, a count of one), is refused as a whole, with the
line and the reason. Imports nothing from Flask.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

COLUMNS = ("theme", "area", "count")
OPTIONAL = ("source",)
MAX_ROWS = 5000

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DIGITS = re.compile(r"(?:\d[\s-]?){9,}")  # NHS numbers (10 digits), phone numbers
_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")


@dataclass(frozen=True)
class Row:
    theme: str
    area: str
    count: int
    source: str = ""
    line: int = 0


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str  # a key: see REASONS in the routes
    detail: str = ""


class Refused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


def read(data: bytes) -> list[Row]:
    """Every row of the file, or Refused with every problem found (the line, the reason)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused([Problem(1, "not_utf8")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise Refused([Problem(1, "empty")]) from None
    except csv.Error:
        raise Refused([Problem(1, "not_csv")]) from None
    problems = []
    extra = [h for h in header if h not in COLUMNS + OPTIONAL]
    if extra:
        problems.append(Problem(1, "personal_column", ", ".join(extra)))
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        problems.append(Problem(1, "missing_column", ", ".join(missing)))
    if problems:
        raise Refused(problems)
    rows = []
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(Problem(line, "wrong_cells"))
                continue
            row = dict(zip(header, (c.strip() for c in cells), strict=True))
            words = [v for k, v in row.items() if k != "count"]
            if any(_EMAIL.search(c) or _DIGITS.search(c) or _DATE.search(c) for c in words):
                problems.append(Problem(line, "personal_cell"))
                continue
            if not row["theme"]:
                problems.append(Problem(line, "no_theme"))
                continue
            if not (row["count"].isascii() and row["count"].isdigit()) or len(row["count"]) > 9:
                problems.append(Problem(line, "bad_count", row["count"]))
                continue
            count = int(row["count"])
            if count == 1:
                problems.append(Problem(line, "one_person"))
                continue
            rows.append(Row(row["theme"], row["area"], count, row.get("source", ""), line))
            if len(rows) > MAX_ROWS:
                problems.append(Problem(line, "too_many"))
                break
    except csv.Error:
        problems.append(Problem(reader.line_num, "not_csv"))
    if problems:
        raise Refused(problems)
    return rows
