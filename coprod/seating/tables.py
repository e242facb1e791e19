"""Seating a workshop at mixed tables: roles, organisations and languages spread as evenly
as possible, interpreters kept with the people who need them, new table-mates each session.

People who need an interpreter, with an interpreter of their language, form a unit that
always sits together; everyone else moves freely. Each session is seated greedily (biggest
units first, each to the table where it adds the least sameness and the fewest old
table-mates), then improved by swapping people between tables while that lowers the cost.
All randomness comes from one seed. Pure: imports nothing from Flask or the database.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from coprod.seating.files import FileRefused, read_rows

# How much each kind of sameness at one table costs; meeting someone again costs most.
SAME_ROLE, SAME_ORGANISATION, SAME_LANGUAGE, MET_BEFORE = 3.0, 2.0, 1.0, 100.0
SWAPS = 300  # swaps tried per session
TRIES = 8  # seatings tried per session; the one with the least cost is kept


@dataclass(frozen=True)
class Attendee:
    id: str
    name: str
    role: str  # resident, officer, councillor, provider ...
    organisation: str = ""
    language: str = ""
    needs_interpreter: bool = False
    interprets: str = ""  # the language this person interprets, when they are an interpreter


# Why a room cannot be seated, in English (the command line's words); the web pages say the
# same in the person's language (coprod/panels/messages.py). Parameters are %(name)s.
SEATING = {
    "no_interpreter": "nobody interprets %(language)s",
    "no_language": "someone needs an interpreter but their language is not given",
    "too_many_need": "too many people need %(language)s for the interpreters",
    "no_table": "there must be at least one table and one session",
    "same_id": "two people have the same id",
    "no_fit": "the interpreted groups do not fit at the tables",
}


class SeatingFailed(ValueError):
    """The room cannot be seated as asked (say, more interpreted people than seats); `key`
    (one of SEATING's) and `params` say why."""

    def __init__(self, key: str, **params: object) -> None:
        self.key, self.params = key, params
        super().__init__(SEATING[key] % params)


def read_attendees(text: str) -> list[Attendee]:
    """Attendees from CSV: name and role required; organisation, language,
    needs_interpreter (yes/no) and interprets (a language) optional."""
    seen: set[str] = set()
    people = []
    for line, row in read_rows(text, ["name", "role"]):
        ident = row.get("id") or str(line - 1)
        if ident in seen:
            raise FileRefused(line, "id_twice", value=repr(ident))
        seen.add(ident)
        needs = row.get("needs_interpreter", "").lower()
        if needs not in ("", "yes", "no", "y", "n", "true", "false"):
            raise FileRefused(line, "yes_or_no", value=repr(needs))
        people.append(
            Attendee(
                id=ident,
                name=row["name"],
                role=row["role"].lower(),
                organisation=row.get("organisation", "").lower(),
                language=row.get("language", "").lower(),
                needs_interpreter=needs in ("yes", "y", "true"),
                interprets=row.get("interprets", "").lower(),
            )
        )
    if not people:
        raise FileRefused(2, "nobody")
    return people


def _units(people: Sequence[Attendee], capacity: int) -> list[list[Attendee]]:
    """Interpreted people with an interpreter of their language; everyone else alone."""
    units: list[list[Attendee]] = []
    needing: dict[str, list[Attendee]] = {}
    for p in people:
        if p.needs_interpreter:
            needing.setdefault(p.language, []).append(p)
    interpreters: dict[str, list[Attendee]] = {}
    for p in people:
        if p.interprets and not p.needs_interpreter:
            interpreters.setdefault(p.interprets, []).append(p)
    placed: set[str] = set()
    for language, who in sorted(needing.items()):
        helpers = interpreters.get(language, [])
        if not helpers:
            if not language:
                raise SeatingFailed("no_language")
            raise SeatingFailed("no_interpreter", language=language)
        # Spread the people who need this language evenly over its interpreters.
        groups = min(len(helpers), len(who))
        for i in range(groups):
            unit = [helpers[i], *who[i::groups]]
            if len(unit) > capacity:
                raise SeatingFailed("too_many_need", language=language)
            units.append(unit)
            placed.update(p.id for p in unit)
    units += [[p] for p in people if p.id not in placed]
    return units


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _cost(table: Sequence[Attendee], met: set[tuple[str, str]]) -> float:
    cost = 0.0
    for a, b in combinations(table, 2):
        cost += SAME_ROLE * (a.role == b.role)
        cost += SAME_ORGANISATION * (bool(a.organisation) and a.organisation == b.organisation)
        cost += SAME_LANGUAGE * (bool(a.language) and a.language == b.language)
        cost += MET_BEFORE * (_pair(a.id, b.id) in met)
    return cost


def seat(
    people: Sequence[Attendee], tables: int, sessions: int = 1, seed: int = 0
) -> list[list[list[Attendee]]]:
    """For each session, the tables (each a list of attendees) in table order."""
    if tables < 1 or sessions < 1:
        raise SeatingFailed("no_table")
    if len({p.id for p in people}) != len(people):
        raise SeatingFailed("same_id")
    tables = min(tables, max(1, len(people)))
    capacity = math.ceil(len(people) / tables)
    units = _units(people, capacity)
    unit_of = {p.id: i for i, unit in enumerate(units) for p in unit}
    rng = random.Random(seed)
    met: set[tuple[str, str]] = set()
    plan = []
    for _session in range(sessions):
        tries = [
            _seat_once(units, people, tables, capacity, met, unit_of, rng) for _ in range(TRIES)
        ]
        seating = min(tries, key=lambda s: sum(_cost(t, met) for t in s))
        for table in seating:
            met.update(_pair(a.id, b.id) for a, b in combinations(table, 2))
        plan.append(seating)
    return plan


def _seat_once(
    units: list[list[Attendee]],
    people: Sequence[Attendee],
    tables: int,
    capacity: int,
    met: set[tuple[str, str]],
    unit_of: dict[str, int],
    rng: random.Random,
) -> list[list[Attendee]]:
    """One session: interpreted groups first, then the person with the fewest tables left
    where they know nobody yet, each where they add the least sameness; then swaps."""
    seating: list[list[Attendee]] = [[] for _ in range(tables)]
    small = len(people) // tables
    big_tables = len(people) - small * tables  # how many tables get one person more

    def room(t: int, n: int) -> bool:
        size = len(seating[t]) + n
        if size <= small:
            return True
        at_big = sum(1 for table in seating if len(table) > small)
        return size <= capacity and (len(seating[t]) > small or at_big < big_tables)

    def added(t: int, unit: list[Attendee]) -> float:
        return sum(_pair_cost(p, o, met) for p in unit for o in seating[t])

    groups = [u for u in units if len(u) > 1]
    rng.shuffle(groups)
    for unit in sorted(groups, key=len, reverse=True):
        fits = [t for t in range(tables) if room(t, len(unit))]
        if not fits:
            raise SeatingFailed("no_fit")
        seating[min(fits, key=lambda t: (added(t, unit), len(seating[t])))] += unit
    waiting = [u[0] for u in units if len(u) == 1]
    rng.shuffle(waiting)
    known: dict[str, set[str]] = {p.id: set() for p in people}
    for x, y in met:
        known[x].add(y)
        known[y].add(x)
    at = [{p.id for p in table} for table in seating]
    while waiting:
        options = {}
        fits = [t for t in range(tables) if room(t, 1)]
        for p in waiting:
            clean = [t for t in fits if not known[p.id] & at[t]]
            options[p.id] = clean or fits
        person = min(waiting, key=lambda p: len(options[p.id]))
        waiting.remove(person)
        choice = min(options[person.id], key=lambda t: (added(t, [person]), len(seating[t])))
        seating[choice].append(person)
        at[choice].add(person.id)
    _improve(seating, met, unit_of, rng)
    return seating


def _pair_cost(a: Attendee, b: Attendee, met: set[tuple[str, str]]) -> float:
    return (
        SAME_ROLE * (a.role == b.role)
        + SAME_ORGANISATION * (bool(a.organisation) and a.organisation == b.organisation)
        + SAME_LANGUAGE * (bool(a.language) and a.language == b.language)
        + MET_BEFORE * (_pair(a.id, b.id) in met)
    )


def _improve(
    seating: list[list[Attendee]],
    met: set[tuple[str, str]],
    unit_of: dict[str, int],
    rng: random.Random,
) -> None:
    """Swap people between tables (sizes stay even): a swap that lowers the cost is kept; one
    that raises it is kept only early on and rarely (simulated annealing), so the search
    can leave a dead end. The best seating seen is the one kept."""
    sizes: dict[int, int] = {}
    for unit in unit_of.values():
        sizes[unit] = sizes.get(unit, 0) + 1
    where = [(t, k) for t, table in enumerate(seating) for k, p in enumerate(table)]
    loose = [(t, k) for t, k in where if sizes[unit_of[seating[t][k].id]] == 1]
    if len(seating) < 2 or len(loose) < 2:
        return

    index = {p.id: n for n, p in enumerate(p for table in seating for p in table)}
    everyone = [p for table in seating for p in table]
    costs = [[_pair_cost(a, b, met) for b in everyone] for a in everyone]

    def share(person: Attendee, table: list[Attendee], leaving: Attendee) -> float:
        row = costs[index[person.id]]
        return sum(row[index[o.id]] for o in table) - row[index[leaving.id]]

    def swap_gain(ti: int, ki: int, tj: int, kj: int) -> float:
        """How the room's cost changes if these two seats swap (negative: better)."""
        a, b = seating[ti][ki], seating[tj][kj]
        return (
            share(a, seating[tj], b)
            + share(b, seating[ti], a)
            - share(a, seating[ti], a)
            - share(b, seating[tj], b)
        )

    total = sum(_cost(t, met) for t in seating)
    best, best_total = [list(t) for t in seating], total
    for step in range(SWAPS):
        (ti, ki), (tj, kj) = rng.sample(loose, 2)
        if ti == tj:
            continue
        a, b = seating[ti][ki], seating[tj][kj]
        delta = swap_gain(ti, ki, tj, kj)
        heat = 2.0 * (1 - step / SWAPS) + 1e-3
        if delta < 0 or rng.random() < math.exp(-delta / heat):
            seating[ti][ki], seating[tj][kj] = b, a
            total += delta
            if total < best_total - 1e-9:
                best, best_total = [list(t) for t in seating], total
    seating[:] = best
    # Then every swap in turn, until none helps: the random search may miss the one it needs.
    better = True
    while better:
        better = False
        for x, (ti, ki) in enumerate(loose):
            for tj, kj in loose[x + 1 :]:
                if ti == tj:
                    continue
                if swap_gain(ti, ki, tj, kj) < -1e-9:
                    a, b = seating[ti][ki], seating[tj][kj]
                    seating[ti][ki], seating[tj][kj] = b, a
                    better = True
