"""Drawing a citizens' panel by lottery from volunteers, so it looks like the place.

Each feature (age band, gender, area, language, disability...) has, for each of its
values, the least and the most people the panel may hold (the quotas). The draw itself is
done by `sortition-algorithms`, the library the Sortition Foundation's tools use, with its
maximin-fair algorithm by default. All randomness comes from one seed, so anyone with the
same files and seed gets the same panel. Pure: imports nothing from Flask or the database.
"""

import hashlib
import logging
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from coprod.seating.files import FileRefused, read_rows, whole_number

ATTEMPTS = 100  # the legacy method's tries before it gives up
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Quota:
    least: int
    most: int


Quotas = dict[str, dict[str, Quota]]  # feature -> value -> quota


@dataclass(frozen=True)
class Volunteer:
    id: str
    features: Mapping[str, str]


# Why a draw failed, in English (the command line's words); the web pages say the same in
# the person's language (coprod/panels/messages.py). Parameters are %(name)s.
PROBLEMS = {
    "too_few": "a panel of %(size)s needs more than the %(volunteers)s volunteers",
    "sums": "the %(feature)s quotas add up to %(least)s-%(most)s, not %(size)s",
    "short": "%(feature)s = %(value)s needs %(least)s but only %(have)s volunteered",
    "no_quota": "volunteer %(id)s has a %(feature)s with no quota",
    "none_found": "no panel met every quota (the lottery's own reason is in the log)",
    "method": "unknown method %(method)s",
    "seed": "the lottery number must be 1 or more",
}

Problem = tuple[str, dict[str, object]]  # a key of PROBLEMS and its parameters


class DrawFailed(ValueError):
    """No panel can meet the quotas (or none was found in the attempts allowed); `problems`
    says why, as (key, parameters) pairs."""

    def __init__(self, *problems: Problem) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(PROBLEMS[key] % params for key, params in self.problems))


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
    method: str = "maximin"

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
            raise FileRefused(line, "id_twice", value=repr(row["id"]))
        seen.add(row["id"])
        volunteers.append(Volunteer(row["id"], {f: row[f].lower() for f in wanted}))
    if not volunteers:
        raise FileRefused(2, "no_volunteers")
    return volunteers


def read_quotas(text: str) -> Quotas:
    """Quotas from CSV with the columns feature, value, min, max."""
    quotas: Quotas = {}
    for line, row in read_rows(text, ["feature", "value", "min", "max"]):
        least = whole_number(row["min"], line, "min")
        most = whole_number(row["max"], line, "max")
        if least > most:
            raise FileRefused(line, "min_over_max", least=least, most=most)
        feature, value = row["feature"].lower(), row["value"].lower()
        if value in quotas.setdefault(feature, {}):
            raise FileRefused(line, "quota_twice", feature=feature, value=value)
        quotas[feature][value] = Quota(least, most)
    if not quotas:
        raise FileRefused(2, "no_quotas")
    return quotas


def check(volunteers: Sequence[Volunteer], quotas: Quotas, size: int) -> list[Problem]:
    """Reasons no panel can be drawn, found before trying (empty when a draw may work)."""
    problems: list[Problem] = []
    if size > len(volunteers):
        problems.append(("too_few", {"size": size, "volunteers": len(volunteers)}))
    for feature, by_value in quotas.items():
        least = sum(q.least for q in by_value.values())
        most = sum(q.most for q in by_value.values())
        if not least <= size <= most:
            problems.append(
                ("sums", {"feature": feature, "least": least, "most": most, "size": size})
            )
        for value, q in by_value.items():
            have = sum(1 for v in volunteers if v.features.get(feature) == value)
            if have < q.least:
                problems.append(
                    ("short", {"feature": feature, "value": value, "least": q.least, "have": have})
                )
        for v in volunteers:
            if v.features.get(feature) not in by_value:
                problems.append(("no_quota", {"id": v.id, "feature": feature}))
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


METHODS = ("maximin", "legacy")
# sortition-algorithms keeps its seeded random generator in a module global: two draws at
# once in one process would share it, and neither could be re-run from its seed.
_ONE_AT_A_TIME = threading.Lock()


def _library_draw(
    ordered: Sequence[Volunteer], quotas: Quotas, size: int, seed: int, method: str
) -> list[str]:
    """One panel from sortition-algorithms (imported here: it is big and only draws need it)."""
    from sortition_algorithms import Settings, run_stratification
    from sortition_algorithms.errors import SortitionBaseError
    from sortition_algorithms.features import (
        FeatureCollection,
        FeatureValueMinMax,
        set_default_max_flex,
    )
    from sortition_algorithms.people import People
    from sortition_algorithms.utils import set_log_level

    set_log_level(logging.WARNING)  # its progress lines would go to the server's stdout

    features: FeatureCollection = {
        f: {val: FeatureValueMinMax(min=q.least, max=q.most) for val, q in by.items()}
        for f, by in quotas.items()
    }
    set_default_max_flex(features)
    people = People([])
    for row, v in enumerate(ordered, 2):
        people.add(v.id, {f: v.features[f] for f in quotas}, features, row)
    settings = Settings(
        id_column="id",
        columns_to_keep=[],
        selection_algorithm=method,
        random_number_seed=seed,
        max_attempts=ATTEMPTS,
    )
    with _ONE_AT_A_TIME:
        try:
            ok, panels, run = run_stratification(features, people, size, settings)
            error = run.last_error()
        except SortitionBaseError as raised:
            ok, panels, error = False, [], raised
    if not ok or not panels:
        # The library's reason is technical English: it goes to the log for whoever looks
        # after the site; the organiser reads a plain reason in their own language.
        log.warning("sortition-algorithms found no panel: %s", error or "-")
        raise DrawFailed(("none_found", {}))
    return sorted(panels[0])


def draw(
    volunteers: Sequence[Volunteer],
    quotas: Quotas,
    size: int,
    seed: int,
    method: str = "maximin",
) -> Draw:
    """Draw a panel of `size` meeting every quota; the same inputs and seed give the same panel.

    `maximin` (the Sortition Foundation's default, Flanigan et al. 2021) first works out a
    lottery over whole panels that gives the volunteer least likely to be picked as high a
    chance as the quotas allow, then draws one panel from it with the seed. `legacy` fills
    the quotas person by person, as the Foundation's first algorithm did: quicker, less fair.
    """
    if method not in METHODS:
        raise DrawFailed(("method", {"method": repr(method)}))
    if seed < 1:  # the library reads a seed of 0 as "no seed": the draw could not be re-run
        raise DrawFailed(("seed", {}))
    problems = check(volunteers, quotas, size)
    if problems:
        raise DrawFailed(*problems)
    ordered = sorted(volunteers, key=lambda v: v.id)  # the file's order does not matter
    chosen = set(_library_draw(ordered, quotas, size, seed, method))
    panel = [v for v in ordered if v.id in chosen]
    return Draw(
        chosen=sorted(chosen),
        seed=seed,
        attempt=1,
        inputs_sha256=fingerprint(volunteers, quotas, size),
        rows=report(ordered, quotas, panel),
        method=method,
    )


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
