"""Drawing a citizens' panel by lottery from volunteers, so it looks like the place.

Each feature (age band, gender, area, language, disability...) has, for each of its
values, the least and the most people the panel may hold (the quotas). The draw is a
stratified lottery, as the Sortition Foundation's first ("legacy") algorithm does: it
fills the value furthest behind its least number first, choosing at random among the
volunteers who have it and would break no most number, and tries again if it gets stuck.
All randomness comes from one seed, so anyone with the same files and seed gets the same
panel. Pure: imports nothing from Flask or the database.
"""

import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from coprod.seating.files import FileRefused, read_rows, whole_number

ATTEMPTS = 200


@dataclass(frozen=True)
class Quota:
    least: int
    most: int


Quotas = dict[str, dict[str, Quota]]  # feature -> value -> quota


@dataclass(frozen=True)
class Volunteer:
    id: str
    features: Mapping[str, str]


class DrawFailed(ValueError):
    """No panel can meet the quotas (or none was found in the attempts allowed)."""


@dataclass(frozen=True)
class Row:
    """How one feature value came out: its quota, volunteers who have it, and the panel."""

    feature: str
    value: str
    quota: Quota
    volunteers: int
    chosen: int

    @property
    def met(self) -> bool:
        return self.quota.least <= self.chosen <= self.quota.most


@dataclass(frozen=True)
class Draw:
    """A panel and how to check it: the seed, the attempt that worked, a fingerprint of inputs."""

    chosen: list[str]  # volunteer ids, sorted
    seed: int
    attempt: int
    inputs_sha256: str
    rows: list[Row] = field(default_factory=list)

    @property
    def all_met(self) -> bool:
        return all(r.met for r in self.rows)


def quotas_from_shares(shares: Mapping[str, Mapping[str, float]], size: int) -> Quotas:
    """Quotas that follow the place's make-up: each value's share of `size`, rounded down and
    up (so a value with 23% of people gets 6 or 7 seats of 30)."""
    quotas: Quotas = {}
    for feature, by_value in shares.items():
        total = sum(by_value.values()) or 1
        quotas[feature] = {
            value: Quota(math.floor(size * s / total), math.ceil(size * s / total))
            for value, s in by_value.items()
        }
    return quotas


def read_volunteers(text: str, features: Sequence[str]) -> list[Volunteer]:
    """Volunteers from CSV: an `id` column and one column per feature, every cell filled."""
    wanted = [f.lower() for f in features]
    seen: set[str] = set()
    volunteers = []
    for line, row in read_rows(text, ["id", *wanted]):
        if row["id"] in seen:
            raise FileRefused(line, f"the id {row['id']!r} is used twice")
        seen.add(row["id"])
        volunteers.append(Volunteer(row["id"], {f: row[f].lower() for f in wanted}))
    if not volunteers:
        raise FileRefused(2, "the file has no volunteers")
    return volunteers


def read_quotas(text: str) -> Quotas:
    """Quotas from CSV with the columns feature, value, min, max."""
    quotas: Quotas = {}
    for line, row in read_rows(text, ["feature", "value", "min", "max"]):
        least = whole_number(row["min"], line, "min")
        most = whole_number(row["max"], line, "max")
        if least > most:
            raise FileRefused(line, f"min ({least}) is more than max ({most})")
        feature, value = row["feature"].lower(), row["value"].lower()
        if value in quotas.setdefault(feature, {}):
            raise FileRefused(line, f"{feature} = {value} is given twice")
        quotas[feature][value] = Quota(least, most)
    if not quotas:
        raise FileRefused(2, "the file has no quotas")
    return quotas


def check(volunteers: Sequence[Volunteer], quotas: Quotas, size: int) -> list[str]:
    """Reasons no panel can be drawn, found before trying (empty when a draw may work)."""
    problems = []
    if size > len(volunteers):
        problems.append(f"a panel of {size} needs more than the {len(volunteers)} volunteers")
    for feature, by_value in quotas.items():
        least = sum(q.least for q in by_value.values())
        most = sum(q.most for q in by_value.values())
        if not least <= size <= most:
            problems.append(f"the {feature} quotas add up to {least}-{most}, not {size}")
        for value, q in by_value.items():
            have = sum(1 for v in volunteers if v.features.get(feature) == value)
            if have < q.least:
                problems.append(f"{feature} = {value} needs {q.least} but only {have} volunteered")
        for v in volunteers:
            if v.features.get(feature) not in by_value:
                problems.append(f"volunteer {v.id} has a {feature} with no quota")
                break
    return problems


def fingerprint(volunteers: Sequence[Volunteer], quotas: Quotas, size: int) -> str:
    """A SHA-256 of the inputs, in a fixed order, so a published draw can be checked."""
    h = hashlib.sha256(f"size={size}\n".encode())
    for feature in sorted(quotas):
        for value in sorted(quotas[feature]):
            q = quotas[feature][value]
            h.update(f"quota {feature}={value} {q.least}-{q.most}\n".encode())
    for v in sorted(volunteers, key=lambda v: v.id):
        cells = ",".join(f"{f}={v.features[f]}" for f in sorted(v.features))
        h.update(f"volunteer {v.id} {cells}\n".encode())
    return h.hexdigest()


def _attempt(
    rng: random.Random, volunteers: list[Volunteer], quotas: Quotas, size: int
) -> list[Volunteer] | None:
    counts = {(f, val): 0 for f, by in quotas.items() for val in by}
    left = list(volunteers)
    chosen: list[Volunteer] = []

    def fits(v: Volunteer) -> bool:
        return all(counts[(f, v.features[f])] < quotas[f][v.features[f]].most for f in quotas)

    while len(chosen) < size:
        candidates = [v for v in left if fits(v)]
        if not candidates:
            return None
        # The value most behind its least number, measured against who is left to fill it.
        behind: tuple[float, str, str] | None = None
        for (f, val), n in counts.items():
            short = quotas[f][val].least - n
            if short <= 0:
                continue
            pool = sum(1 for v in candidates if v.features[f] == val)
            if pool < short:
                return None
            urgency = short / pool
            if behind is None or urgency > behind[0]:
                behind = (urgency, f, val)
        if behind is not None:
            _, f, val = behind
            candidates = [v for v in candidates if v.features[f] == val]
        person = rng.choice(candidates)
        chosen.append(person)
        left.remove(person)
        for f in quotas:
            counts[(f, person.features[f])] += 1
    if all(counts[k] >= quotas[k[0]][k[1]].least for k in counts):
        return chosen
    return None


def draw(volunteers: Sequence[Volunteer], quotas: Quotas, size: int, seed: int) -> Draw:
    """Draw a panel of `size` meeting every quota; the same inputs and seed give the same panel."""
    problems = check(volunteers, quotas, size)
    if problems:
        raise DrawFailed("; ".join(problems))
    ordered = sorted(volunteers, key=lambda v: v.id)  # the file's order does not matter
    rng = random.Random(seed)
    for attempt in range(1, ATTEMPTS + 1):
        panel = _attempt(rng, ordered, quotas, size)
        if panel is not None:
            return Draw(
                chosen=sorted(v.id for v in panel),
                seed=seed,
                attempt=attempt,
                inputs_sha256=fingerprint(volunteers, quotas, size),
                rows=report(ordered, quotas, panel),
            )
    raise DrawFailed(f"no panel met every quota in {ATTEMPTS} tries; please loosen the quotas")


def report(
    volunteers: Sequence[Volunteer], quotas: Quotas, panel: Sequence[Volunteer]
) -> list[Row]:
    """For each feature value: its quota, how many volunteered, how many the panel holds."""
    return [
        Row(
            feature=f,
            value=val,
            quota=q,
            volunteers=sum(1 for v in volunteers if v.features[f] == val),
            chosen=sum(1 for v in panel if v.features[f] == val),
        )
        for f, by in quotas.items()
        for val, q in by.items()
    ]
