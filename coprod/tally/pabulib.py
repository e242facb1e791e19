"""Read and write the pabulib .pb format (pabulib.org/format).

A file has three sections, META, PROJECTS and VOTES, in that order; each is a title line,
a header line and rows of `;`-separated cells with csv-style quoting (`"a;b"`, `""`).
Cells are stripped of surrounding blanks, and a PROJECTS or VOTES cell reading `None` is
kept as None, as pabutools does. Empty lines, CRLF and a UTF-8 BOM are accepted; columns
beyond the known ones are kept in `fields`.

Pabulib's own checker also requires description, country, unit, instance, rule,
date_begin and date_end in META; counting needs none of them, so only budget,
num_projects, num_votes and vote_type are required here.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable
from typing import Any

from .model import VOTE_TYPES, Election, Number, Project, Vote, paused_gc, to_number

REQUIRED_META = ("budget", "num_projects", "num_votes", "vote_type")
POINTS_TYPES = ("cumulative", "scoring")
SECTIONS = ("META", "PROJECTS", "VOTES")
# Numbers beyond these are not a budget, a cost or points but an attack or a broken file;
# refused before they are parsed (a long exponent makes a number of a billion digits) and
# before they reach a database column or a float.
MOST_DIGITS = 18
LONGEST_NUMBER = 40  # characters, with sign, point, blanks and exponent
LONG_EXPONENT = re.compile(r"[eE][+-]?\d{3,}")
# The longest cell of the real files is a few hundred characters; csv itself stops at
# 131,072 (csv.field_size_limit), where it would fail without saying which line.
LONGEST_CELL = 100_000


class PabulibError(ValueError):
    """A malformed .pb file: `line` is 1-based in the file."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def read_pb(source: str | os.PathLike) -> Election:
    """Read a .pb file from a path, or parse .pb text given as a string with line breaks."""
    if isinstance(source, str) and "\n" in source:
        return parse_pb(source)
    with open(source, encoding="utf-8-sig", newline="") as file:
        return parse_pb(file.read())


def _cell(text: str) -> str | None:
    text = text.strip()
    return None if text.lower() == "none" else text


def _ids(cell: str) -> tuple[str, ...]:
    parts = cell.split(",")
    if "" in parts or " " in cell or "\t" in cell:
        return tuple(p.strip() for p in parts if p.strip())
    return tuple(parts)


class _Parser:
    """One pass over the rows; `line` is where the current row starts."""

    def __init__(self, text: str):
        self.reader = csv.reader(
            io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"
        )
        self.line = 0
        self.meta: dict[str, str] = {}
        self.meta_line: dict[str, int] = {}
        self.projects: dict[str, Project] = {}
        self.votes: list[Vote] = []
        self.voters: set[str] = set()

    def fail(self, reason: str, line: int | None = None) -> PabulibError:
        return PabulibError(self.line if line is None else line, reason)

    def parse(self) -> Election:
        end = 0
        section = -1
        section_lines = [0, 0, 0]
        handle: Callable[[list[str], Any], None] | None = None
        header: Any = None
        for row in self.rows():
            self.line = end + 1
            end = self.reader.line_num
            if len(row) <= 1 and (not row or not row[0].strip()):
                continue
            title = row[0].strip().upper() if len(row) == 1 else ""
            if title not in SECTIONS and header is not None:
                assert handle is not None  # a header is only read once a section set handle
                handle(row, header)
            elif title in SECTIONS:
                index = SECTIONS.index(title)
                if index <= section:
                    raise self.fail(f"section {title} appears twice or out of order")
                if index != section + 1:
                    raise self.fail(
                        f"section {title} found, but {SECTIONS[section + 1]} is missing"
                    )
                section, section_lines[index] = index, self.line
                handle, header = (self.meta_row, self.projects_row, self.votes_row)[index], None
                if index == 1:
                    self.check_meta(section_lines[0])
                if index == 2:
                    self.check_count("num_projects", len(self.projects), "PROJECTS rows")
            elif handle is None:
                raise self.fail("data before the META section")
            else:
                header = self.start(section, [cell.strip() for cell in row])
        self.line = end + 1
        if section == 0:
            self.check_meta(section_lines[0])
        if section < 2:
            raise self.fail(f"missing section {SECTIONS[section + 1]}", end + 1)
        if header is None:
            raise self.fail(f"section {SECTIONS[section]} has no header line", end + 1)
        self.check_count("num_votes", len(self.votes), "VOTES rows")
        return Election(self.meta, self.projects, self.votes)

    def rows(self):
        """The csv rows; a row csv cannot read is refused at the line where it starts."""
        too_long = f"a cell is longer than {LONGEST_CELL:,} characters"
        start = 1
        try:
            for row in self.reader:
                if row and max(map(len, row)) > LONGEST_CELL:
                    raise self.fail(too_long, start)
                yield row
                start = self.reader.line_num + 1
        except csv.Error as error:  # csv's own limit: a cell of over 131,072 characters
            reason = too_long if "field limit" in str(error) else f"unreadable row ({error})"
            raise self.fail(reason, start) from None

    def start(self, section: int, header: list[str]):
        """Check a section's header line and return what its rows need to know."""
        if len(set(header)) != len(header):
            raise self.fail(f"{SECTIONS[section]} header repeats a column name")
        if section == 0:
            if [h.lower() for h in header] != ["key", "value"]:
                raise self.fail("the META header must be key;value")
            return header
        required: tuple[str, ...]
        if section == 1:
            required, known = ("project_id", "cost"), ("project_id", "cost", "name")
        else:
            points = self.meta["vote_type"] in POINTS_TYPES
            required = ("voter_id", "vote", "points") if points else ("voter_id", "vote")
            known = ("voter_id", "vote", "points")
        for name in required:
            if name not in header:
                raise self.fail(f"{SECTIONS[section]} header has no {name} column")
        where = {name: header.index(name) for name in known if name in header}
        extra = [(i, name) for i, name in enumerate(header) if name not in where]
        return len(header), where, extra

    def meta_row(self, row: list[str], _header) -> None:
        if len(row) != 2:
            raise self.fail(f"a META row needs 2 columns (key;value), found {len(row)}")
        key, value = row[0].strip(), row[1].strip()
        if key in self.meta:
            raise self.fail(f"META key {key} appears twice")
        self.meta[key] = value
        self.meta_line[key] = self.line

    def check_meta(self, meta_title_line: int) -> None:
        for key in REQUIRED_META:
            if key not in self.meta:
                raise self.fail(f"META has no {key}", meta_title_line)
        for key in ("budget", "max_sum_cost", "min_sum_cost", "min_project_score_threshold"):
            if key in self.meta:
                self.number(self.meta[key], key, self.meta_line[key])
        for key in ("num_projects", "num_votes", "min_length", "max_length"):
            if key in self.meta:
                self.whole(self.meta[key], key, self.meta_line[key])
        vote_type = self.meta["vote_type"]
        if vote_type not in VOTE_TYPES:
            known = ", ".join(VOTE_TYPES)
            raise self.fail(
                f"unknown vote_type {_shown(vote_type)} (known: {known})",
                self.meta_line["vote_type"],
            )

    def check_count(self, key: str, found: int, what: str) -> None:
        if int(self.meta[key]) != found:
            raise self.fail(
                f"{key} is {self.meta[key]} but there are {found} {what}", self.meta_line[key]
            )

    def whole(self, text: str, what: str, line: int) -> None:
        """Check a count (num_votes, max_length): plain digits, not too many of them."""
        if not (text.isascii() and text.isdigit()):
            raise self.fail(f"{what} is not a whole number: {_shown(text)}", line)
        if len(text) > MOST_DIGITS:
            raise self.fail(
                f"{what} is too large: {len(text):,} digits, at most {MOST_DIGITS}", line
            )

    def number(self, text: str, what: str, line: int | None = None) -> Number:
        value = self.bounded(text, what, line)
        if value < 0:
            raise self.fail(f"{what} is negative: {text!r}", line)
        return value

    def bounded(self, text: str, what: str, line: int | None = None) -> Number:
        """A number no larger than MOST_DIGITS digits, refused unparsed when its text is long."""
        if len(text.strip()) > LONGEST_NUMBER or LONG_EXPONENT.search(text):
            raise self.fail(
                f"{what} is too large: {len(text.strip()):,} characters, "
                f"a number here has at most {MOST_DIGITS} digits",
                line,
            )
        try:
            value = to_number(text)
        except ValueError:
            raise self.fail(f"{what} is not a number: {text!r}", line) from None
        if abs(value) >= 10**MOST_DIGITS:
            raise self.fail(f"{what} is too large: at most {MOST_DIGITS} digits", line)
        return value

    def projects_row(self, row: list[str], header) -> None:
        width, where, extra = header
        if len(row) != width:
            raise self.fail(f"PROJECTS row has {len(row)} columns, the header has {width}")
        pid = row[where["project_id"]].strip()
        if not pid:
            raise self.fail("empty project_id")
        if pid in self.projects:
            raise self.fail(f"project {pid} appears twice")
        cost = self.number(row[where["cost"]], f"cost of project {pid}")
        name = (_cell(row[where["name"]]) or "") if "name" in where else ""
        fields = {key: _cell(row[i]) for i, key in extra}
        self.projects[pid] = Project(pid, cost, name, fields)

    def votes_row(self, row: list[str], header) -> None:
        width, where, extra = header
        if len(row) != width:
            raise self.fail(f"VOTES row has {len(row)} columns, the header has {width}")
        voter = row[where["voter_id"]].strip()
        if not voter:
            raise self.fail("empty voter_id")
        choices = _ids(row[where["vote"]])
        chosen = set(choices)
        if not self.projects.keys() >= chosen:
            unknown = next(c for c in choices if c not in self.projects)
            raise self.fail(f"vote {voter} names project {unknown}, which is not in PROJECTS")
        vote_type = self.meta["vote_type"]
        # A points ballot may repeat a project (Czestochowa 2020): its points add up.
        if len(chosen) != len(choices) and vote_type not in POINTS_TYPES:
            raise self.fail(f"vote {voter} names a project twice")
        if vote_type == "choose-1" and len(choices) != 1:
            raise self.fail(f"vote {voter} names {len(choices)} projects, but choose-1 takes one")
        points = self.points(voter, choices, row[where["points"]] if "points" in where else "")
        fields = {k: None if (v := row[i].strip()).lower() == "none" else v for i, k in extra}
        self.votes.append(Vote(voter, choices, points, fields))
        self.voters.add(voter)
        if len(self.voters) != len(self.votes):
            raise self.fail(f"voter {voter} appears twice")

    def points(self, voter: str, choices: tuple[str, ...], cell: str):
        vote_type = self.meta["vote_type"]
        cell = cell.strip()
        if vote_type not in POINTS_TYPES:
            if cell and cell.lower() != "none":
                raise self.fail(f"vote {voter} has points, but vote_type {vote_type} takes none")
            return None
        parts = [p for p in cell.split(",") if p.strip()] if cell.lower() != "none" else []
        if len(parts) != len(choices):
            raise self.fail(
                f"vote {voter} names {len(choices)} projects but gives {len(parts)} points"
            )
        if any(len(p.strip()) > LONGEST_NUMBER or LONG_EXPONENT.search(p) for p in parts):
            raise self.fail(f"vote {voter} has points that are too large")
        try:
            points = tuple(map(to_number, parts))
        except ValueError:
            raise self.fail(f"vote {voter} has points that are not numbers: {cell!r}") from None
        if any(abs(p) >= 10**MOST_DIGITS for p in points):
            raise self.fail(f"vote {voter} has points that are too large")
        if vote_type == "cumulative" and any(p < 0 for p in points):
            raise self.fail(f"vote {voter} gives negative points in a cumulative vote")
        return points


def _shown(text: str) -> str:
    """A cell as an error message quotes it: at most 40 characters of it."""
    return repr(text) if len(text) <= 40 else f"{text[:40]!r}… ({len(text):,} characters)"


def parse_pb(text: str) -> Election:
    """Parse .pb text into an Election; raise PabulibError(line, reason) if it is malformed."""
    with paused_gc():
        return _Parser(text).parse()


def _format(value: Number) -> str:
    """Write a number exactly as a decimal (pabulib has no fractions)."""
    if isinstance(value, int):
        return str(value)
    rest, twos, fives = value.denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        raise ValueError(f"{value} has no exact decimal form")
    places = max(twos, fives)
    digits = str(abs(value.numerator) * 10**places // value.denominator).rjust(places + 1, "0")
    return f"{'-' * (value < 0)}{digits[:-places]}.{digits[-places:]}"


def _quote(text: str | None) -> str:
    if text is None:
        return "None"
    if any(c in text for c in ';"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _row(cells) -> str:
    return ";".join(map(_quote, cells)) + "\n"


def _columns(rows) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row.fields))
    return list(names)


def write_pb(election: Election) -> str:
    """Write an Election as .pb text that parse_pb reads back equal (num_* set from the data)."""
    meta = {
        **election.meta,
        "num_projects": str(len(election.projects)),
        "num_votes": str(len(election.votes)),
    }
    out = ["META\n", "key;value\n"]
    out += [_row((key, value)) for key, value in meta.items()]
    projects = election.projects.values()
    named = any(p.name for p in projects)
    extra = _columns(projects)
    out += ["PROJECTS\n", _row(["project_id", "cost"] + ["name"] * named + extra)]
    for p in projects:
        name = [p.name] * named
        out.append(_row([p.id, _format(p.cost), *name, *(p.fields.get(k, "") for k in extra)]))
    with_points = election.vote_type in POINTS_TYPES or any(v.points for v in election.votes)
    extra = _columns(election.votes)
    out += ["VOTES\n", _row(["voter_id", "vote"] + ["points"] * with_points + extra)]
    for v in election.votes:
        points = [",".join(map(_format, v.points or ()))] * with_points
        cells = [v.voter_id, ",".join(v.choices), *points, *(v.fields.get(k, "") for k in extra)]
        out.append(_row(cells))
    return "".join(out)
