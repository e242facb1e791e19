"""Making a round from a real election's pabulib file, so that it can be counted and shown."""

import re
import secrets
import unicodedata
from datetime import date
from typing import cast

from sqlalchemy import insert, select

from coprod import tally
from coprod.extensions import db
from coprod.models import (
    Ballot,
    BallotChoice,
    BallotType,
    Channel,
    Phase,
    Remedy,
    RemedyStatus,
    Round,
)
from coprod.operations import audit
from coprod.operations.content import new_content
from coprod.operations.phase import change_phase


class ElectionImportError(Exception):
    """The election cannot become a round (the reason says why)."""


class SlugTaken(ElectionImportError):
    """Another round already has this slug (its web address)."""


def suggest_title(election: tally.Election, filename: str = "") -> str:
    """A round name from the file: its place and year, else its description, else its name."""
    meta = election.meta
    named = " ".join(
        str(meta[k]).strip() for k in ("unit", "subunit", "instance") if meta.get(k)
    ).strip()
    stem = filename.rsplit("/", 1)[-1].removesuffix(".pb")
    return (named or str(meta.get("description") or "").strip() or stem or "Election")[:200]


def suggest_slug(title: str) -> str:
    """A web-address name from a title: small letters, numbers and dashes (accents dropped)."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:80].strip("-")
    return slug or "election"


def free_slug(slug: str) -> str:
    """`slug`, or `slug-2`, `slug-3`... the first that no round has."""
    taken = set(db.session.scalars(select(Round.slug).where(Round.slug.startswith(slug[:70]))))
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug[: 80 - len(str(n)) - 1]}-{n}"
    return candidate


LARGEST = 2**31 - 1  # amounts and counts are `Integer` columns: PostgreSQL's int4
LONGEST_ID = Remedy.external_id.type.length


def _check_fits(election: tally.Election) -> None:
    """Refuse what the file may hold but the round's columns cannot (else a 500 on PostgreSQL)."""
    amounts = [election.budget, *(p.cost for p in election.projects.values())]
    amounts += [p for v in election.votes for p in v.points or ()]
    if election.meta.get("max_length"):
        amounts.append(int(election.meta["max_length"]))
    # not abs(a) > LARGEST: mypy cannot type abs() of an int | Fraction
    if any(not -LARGEST <= a <= LARGEST for a in amounts):
        raise ElectionImportError(f"a budget, cost or count is larger than {LARGEST:,}")
    if any(len(pid) > LONGEST_ID for pid in election.projects):
        raise ElectionImportError(f"a project_id is longer than {LONGEST_ID} characters")


def import_election(
    election: tally.Election,
    slug: str,
    *,
    title: str | None = None,
    lang: str = "en",
    actor=None,
) -> Round:
    """A counted-phase round with the file's projects as remedies and its ballots, frozen;
    named `title` in the council's main language `lang` (else a name from the file).

    Everything goes into the caller's transaction (flushed, not committed), so the caller
    can count it too and commit once: a file that fails half-way stores nothing.
    """
    if db.session.scalar(select(Round.id).where(Round.slug == slug)):
        raise SlugTaken(f"a round called {slug!r} already exists")
    _check_fits(election)
    meta = election.meta
    costs = [p.cost for p in election.projects.values()]
    if any(int(c) != c for c in costs) or int(election.budget) != election.budget:
        raise ElectionImportError("costs and the budget must be whole amounts")
    title = title or " ".join(filter(None, (meta.get("unit"), meta.get("instance")))) or slug
    rnd = Round(
        slug=slug,
        budget=int(election.budget),
        currency=(meta.get("currency") or "GBP")[:3].upper(),
        ballot_type=BallotType.APPROVAL if "max_sum_cost" not in meta else BallotType.KNAPSACK,
        max_choices=int(meta["max_length"]) if meta.get("max_length") else None,
        tally_rule=election.rule if election.rule in tally.RULES else "equalshares/add1",
        pb_meta=dict(meta),
        content=new_content(lang, {"title": title, "summary": meta.get("description", "")}),
    )
    db.session.add(rnd)
    remedies = [
        Remedy(
            round=rnd,
            status=RemedyStatus.PUBLISHED,
            cost=int(p.cost),
            external_id=p.id,
            content=new_content("en", {"title": p.name or p.fields.get("name") or p.id}),
        )
        for p in election.projects.values()
    ]
    db.session.add_all(remedies)
    db.session.flush()
    remedy_id = {r.external_id: r.id for r in remedies}
    today = date.today()
    ballot_rows = [
        {
            "round_id": rnd.id,
            "receipt_hash": secrets.token_hex(32),
            "cast_on": today,
            "channel": Channel.IMPORTED,
            "lang": "en",
        }
        for _ in election.votes
    ]
    ids = (
        db.session.scalars(
            insert(Ballot).returning(Ballot.id, sort_by_parameter_order=True), ballot_rows
        ).all()
        if ballot_rows
        else []
    )
    choice_rows = []
    for ballot_id, vote in zip(ids, election.votes, strict=True):
        # A project listed twice on one ballot counts once, with its points added up.
        points: dict[str, int | None] = {}
        for i, pid in enumerate(vote.choices):
            given = int(vote.points[i]) if vote.points else None
            # A ballot with points gives them for every choice, so the earlier one is an int.
            points[pid] = (
                given if pid not in points or given is None else cast(int, points[pid]) + given
            )
        choice_rows += [
            {"ballot_id": ballot_id, "remedy_id": remedy_id[pid], "points": p}
            for pid, p in points.items()
        ]
    if choice_rows:
        db.session.execute(insert(BallotChoice), choice_rows)
    audit.record(
        "election_imported",
        actor=actor,
        round=rnd,
        votes=len(election.votes),
        projects=len(remedies),
    )
    change_phase(rnd, Phase.COUNTED, actor=actor)
    return rnd
