"""Setting a round up: making it from an organiser's answers, changing it, copying, deleting.

Each is one operation: it flushes, the caller commits once, so a round is made (with its
areas, pots and audit event) whole or not at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func, select, update

from coprod.extensions import db
from coprod.models import (
    Area,
    AuditEvent,
    BallotType,
    Count,
    Eligibility,
    Phase,
    Pot,
    Remedy,
    RemedyReport,
    Round,
    User,
    VoterCode,
    Workshop,
)
from coprod.operations import audit, rounds
from coprod.operations.content import new_content

DATES = ("proposing_opens", "rating_opens", "voting_opens", "voting_closes", "responses_due")


class SetupError(Exception):
    """A change the round cannot take; `reason` says which, `name` names the area."""

    def __init__(self, reason: str, name: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.name = name


@dataclass
class AreaPot:
    """An area of the round with its pot of money and who lives there."""

    name: str
    budget: int
    population: int | None = None
    population_by_language: dict[str, int] = field(default_factory=dict)


@dataclass
class Setup:
    """Everything an organiser answers to set a round up."""

    title: str
    summary: str
    languages: list[str]
    currency: str
    budget: int  # the money when there are no areas; else the sum of the pots
    ballot_type: BallotType
    max_choices: int | None
    min_spend_percent: int
    tally_rule: str
    eligibility: Eligibility
    paper_double_entry: bool
    dates: dict[str, date]
    areas: list[AreaPot] = field(default_factory=list)
    whole_place_budget: int | None = None  # a pot for the whole place, beside the areas'

    @property
    def total(self) -> int:
        """The round's money: the pots added up, or the one budget when there are none."""
        if not self.areas:
            return self.budget
        return sum(a.budget for a in self.areas) + (self.whole_place_budget or 0)


def _slug_base(text: str, fallback: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or fallback


# Words a round's slug cannot be: they are staff addresses (/staff/rounds/new).
RESERVED = {"new"}


def _unique_slug(model, text: str, fallback: str) -> str:
    base = _slug_base(text, fallback)
    slug, n = base, 1
    while slug in RESERVED or (
        db.session.scalar(select(model.id).where(model.slug == slug)) is not None
    ):
        n += 1
        slug = f"{base}-{n}"
    return slug


def area_named(name: str) -> Area | None:
    """The area with this name, ignoring case and spaces at the ends: areas are shared."""
    return db.session.scalar(
        select(Area).where(func.lower(Area.name) == name.strip().lower()).order_by(Area.id)
    )


def _area(spec: AreaPot) -> Area:
    """The area the round names, reused when one has that name; its figures are updated."""
    area = area_named(spec.name)
    if area is None:
        area = Area(name=spec.name.strip(), slug=_unique_slug(Area, spec.name, "area"))
        db.session.add(area)
    area.population = spec.population
    area.population_by_language = dict(spec.population_by_language)
    return area


def _rules(setup: Setup) -> dict:
    return {
        "budget": setup.total,
        "currency": setup.currency,
        "ballot_type": setup.ballot_type,
        "min_spend_percent": setup.min_spend_percent,
        "max_choices": setup.max_choices if setup.ballot_type == BallotType.APPROVAL else None,
        "tally_rule": setup.tally_rule,
    }


def _set_pots(rnd: Round, setup: Setup) -> None:
    """Make the round's pots match the answers: kept by area, added, or taken away."""
    wanted: dict[int | None, int] = {}
    areas = []
    for spec in setup.areas:
        area = _area(spec)
        db.session.flush()
        wanted[area.id] = spec.budget
        areas.append(area)
    if setup.areas and setup.whole_place_budget is not None:
        wanted[None] = setup.whole_place_budget
    for pot in list(rnd.pots):
        if pot.area_id in wanted:
            pot.budget = wanted.pop(pot.area_id)
            continue
        used = db.session.scalar(
            select(func.count(Remedy.id)).where(Remedy.pot_id == pot.id)
        ) or db.session.scalar(select(func.count(Count.id)).where(Count.pot_id == pot.id))
        if used:
            name = pot.area.name if pot.area else ""
            raise SetupError("pot_in_use", name)
        rnd.pots.remove(pot)
    for area_id, budget in wanted.items():
        rnd.pots.append(Pot(area_id=area_id, budget=budget))
    # One area: the round is that area's, as the public page says; with no areas given,
    # a round keeps the area it had (a ward's round, made before rounds had pots).
    if areas:
        rnd.area = areas[0] if len(areas) == 1 else None


def make_round(setup: Setup, *, lang: str, actor: User | None, copied_from: Round | None = None):
    """Make a draft round from the answers: content, areas, pots and an audit event."""
    rnd = Round(
        slug=_unique_slug(Round, setup.title, "round"),
        phase=Phase.DRAFT,
        content=new_content(lang, {"title": setup.title, "summary": setup.summary}),
        languages=list(setup.languages),
        eligibility=setup.eligibility,
        paper_double_entry=setup.paper_double_entry,
        **_rules(setup),
        **setup.dates,
    )
    db.session.add(rnd)
    _set_pots(rnd, setup)
    db.session.flush()
    event = audit.record("round_made", actor=actor, round=rnd, name=setup.title, slug=rnd.slug)
    if copied_from is not None:
        event.detail = event.detail | {
            "copied_from": copied_from.slug,
            "copied_from_id": copied_from.id,
        }
    db.session.flush()
    return rnd


def _compared(setup: Setup) -> dict[str, object]:
    """The answers by screen, in a form two set-ups can be compared in."""
    return {
        "name": (setup.title, setup.summary),
        "languages": list(setup.languages),
        "areas": (
            [(a.name, a.budget, a.population, a.population_by_language) for a in setup.areas],
            setup.whole_place_budget if setup.areas else None,
        ),
        "money": (setup.currency, setup.total, setup.min_spend_percent),
        "ballot": (setup.ballot_type, _rules(setup)["max_choices"]),
        "rule": setup.tally_rule,
        "who": (setup.eligibility, setup.paper_double_entry),
        "dates": dict(setup.dates),
    }


def change_round(rnd: Round, setup: Setup, *, lang: str, actor: User | None) -> list[str]:
    """Change a round's set-up while its rules may still move; refuse once voting opened.

    Raises `rounds.RulesFrozen` (after logging the refusal, which the caller may commit) once
    voting has opened, and `SetupError` when an area to take away already has ideas.
    Returns the names of the answers that changed.
    """
    before, after = _compared(answers_of(rnd, lang)), _compared(setup)
    changed = [screen for screen in after if after[screen] != before[screen]]
    # The rules first: update_rules refuses, and logs the refusal, once voting has opened.
    rules = _rules(setup)
    if rnd.phase.rules_frozen or any(getattr(rnd, k) != v for k, v in rules.items()):
        rounds.update_rules(rnd, rules, actor=actor)
    _set_pots(rnd, setup)
    rnd.content.set("title", lang, setup.title, reviewed=True)
    rnd.content.set("summary", lang, setup.summary, reviewed=True)
    rnd.languages = list(setup.languages)
    rnd.eligibility = setup.eligibility
    rnd.paper_double_entry = setup.paper_double_entry
    for name, value in setup.dates.items():
        setattr(rnd, name, value)
    audit.record("round_changed", actor=actor, round=rnd, name=setup.title, changed=changed)
    db.session.flush()
    return changed


def answers_of(rnd: Round, lang: str) -> Setup:
    """A round's set-up as answers: to change it, or to copy it."""
    main = rnd.content.original_lang or lang
    title = rnd.content.text("title", main)
    summary = rnd.content.text("summary", main)
    areas = [
        AreaPot(
            name=pot.area.name,
            budget=pot.budget,
            population=pot.area.population,
            population_by_language=dict(pot.area.population_by_language or {}),
        )
        for pot in rnd.pots
        if pot.area is not None
    ]
    whole = [pot.budget for pot in rnd.pots if pot.area is None]
    return Setup(
        title=title.text if title else "",
        summary=summary.text if summary else "",
        languages=list(rnd.languages or []),
        currency=rnd.currency,
        budget=rnd.budget,
        ballot_type=rnd.ballot_type,
        max_choices=rnd.max_choices,
        min_spend_percent=rnd.min_spend_percent,
        tally_rule=rnd.tally_rule,
        eligibility=rnd.eligibility,
        paper_double_entry=rnd.paper_double_entry,
        dates={name: getattr(rnd, name) for name in DATES if getattr(rnd, name)},
        areas=areas,
        whole_place_budget=whole[0] if whole else None,
    )


def delete_draft(rnd: Round, *, actor: User | None) -> None:
    """Delete a draft round with its words, pots and draft ideas; refuse once it has begun."""
    if rnd.phase != Phase.DRAFT:
        raise SetupError("not_draft")
    title = rnd.content.text("title", rnd.content.original_lang)
    name = title.text if title else rnd.slug
    remedies = list(rnd.remedies)
    contents = [rnd.content, *(r.content for r in remedies)]
    ids = [r.id for r in remedies]
    if ids:
        db.session.execute(delete(RemedyReport).where(RemedyReport.remedy_id.in_(ids)))
        db.session.execute(
            update(AuditEvent).where(AuditEvent.remedy_id.in_(ids)).values(remedy_id=None)
        )
        for remedy in remedies:
            db.session.delete(remedy)
    # The history stays: its events no longer point at the round, but still name it.
    db.session.execute(
        update(AuditEvent).where(AuditEvent.round_id == rnd.id).values(round_id=None)
    )
    # Codes made for a draft (by hand, from the command line) go with it.
    db.session.execute(delete(VoterCode).where(VoterCode.round_id == rnd.id))
    # A workshop started for it stays, with no round to rate.
    db.session.execute(update(Workshop).where(Workshop.round_id == rnd.id).values(round_id=None))
    db.session.delete(rnd)
    db.session.flush()
    for content in contents:
        db.session.delete(content)
    audit.record("round_deleted", actor=actor, name=name, slug=rnd.slug)
    db.session.flush()
