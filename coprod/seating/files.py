"""Reading the CSV files organisers bring: refused with the line number and the reason."""

import csv
import io
from collections.abc import Iterable


class FileRefused(ValueError):
    """A file that cannot be used: `line` is 1 for the header, `reason` says what is wrong."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def read_rows(text: str, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for each row of a CSV file with a header line; keys lower-case.

    Every column in `required` must be in the header and filled in on every row; blank
    lines are skipped; a row with more or fewer cells than the header is refused.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise FileRefused(1, "the file is empty") from None
    except csv.Error as error:
        raise FileRefused(1, f"not a CSV file ({error})") from None
    required = list(required)
    names = [h.strip().lower() for h in header]
    for name in required:
        if name not in names:
            raise FileRefused(1, f"the header has no column called {name!r}")
    if len(set(names)) != len(names):
        raise FileRefused(1, "two columns have the same name")
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(names):
                raise FileRefused(
                    line, f"this line has {len(cells)} cells but the header has {len(names)}"
                )
            row = {n: c.strip() for n, c in zip(names, cells, strict=True)}
            for name in required:
                if not row[name]:
                    raise FileRefused(line, f"the {name!r} cell is empty")
            rows.append((line, row))
    except csv.Error as error:
        raise FileRefused(reader.line_num, f"not a CSV line ({error})") from None
    return rows


def whole_number(text: str, line: int, what: str) -> int:
    """A whole number of at least 0 from a cell, or the file is refused at `line`."""
    if not text.isdigit():
        raise FileRefused(line, f"{what} must be a whole number, not {text!r}")
    return int(text)
