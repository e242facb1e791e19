"""What the council's pages read, in a few grouped queries; the sums are done in `stats`.

Ratings and ballots are counted by the database (GROUP BY), so a city round of 100,000
ballots costs the same handful of small result sets as a ward; once a round is counted,
its turnout is read from the stored count instead of going over the ballots again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coprod import pots as pot_words
from coprod.conversation import operations as conversations
from coprod.council import stats
from coprod.extensions import db
from coprod.models import (
    Area,
    Barrier,
    Count,
    Phase,
    Pot,
    Rating,
    Remedy,
    RemedyStatus,
    Response,
    Round,
    round_barrier,
)
from coprod.operations import counting
from coprod.operations.ballots import frozen_rules
from coprod.operations.counting import latest_count


@dataclass(frozen=True)
class Row:
    """A barrier or remedy (`thing`) with its ratings (`rated`)."""

    thing: Barrier | Remedy
    rated: stats.Rated

    @property
    def kind(self) -> str:
        return self.rated.kind


@dataclass(frozen=True)
class Outcome:
    """The budget's result from the latest stored count."""

    count: Count
    funded: list[Remedy]


@dataclass(frozen=True)
class Turnout:
    """Who took part: ballots per day, by area, by language and by channel."""

    total: int
    days: list[tuple[date, int]]
    areas: list[stats.Share]
    area_names: dict[str, str]
    area_unknown: int
    languages: list[stats.Share]
    channels: list[stats.Share]

    @property
    def busiest(self) -> tuple[date, int] | None:
        """The day with the most ballots (the later one on a tie)."""
        return max(reversed(self.days), key=lambda p: p[1], default=None)

    @property
    def under(self) -> list[tuple[str, stats.Share]]:
        """The groups that are under-represented, as ("area" | "language", share)."""
        return [("language", s) for s in self.languages if s.under] + [
            ("area", s) for s in self.areas if s.under
        ]


@dataclass(frozen=True)
class PotPart:
    """One pot of a round with pots: its result, and who took part in it.

    The pot's voters are the ballots that chose something in it. They are set against the
    people living in its area, by language too; the whole-place pot's against everyone
    living in the areas with pots.
    """

    pot: Pot
    name: str
    budget: int
    outcome: Outcome | None
    ballots: int
    population: int | None
    languages: list[stats.Share]

    @property
    def turnout(self) -> float | None:
        """Ballots in this pot per person living in its area (None when not known)."""
        return self.ballots / self.population if self.population else None


@dataclass(frozen=True)
class ThemeRow:
    """A barrier met in several rounds, with its ratings in each."""

    barrier: Barrier
    cells: list[tuple[Round, stats.Rated]] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    round: Round
    barriers: list[Row]
    remedies: list[Row]
    priorities: list[Row]
    outcome: Outcome | None
    turnout: Turnout
    themes: list[ThemeRow]
    pots: list[PotPart] = field(default_factory=list)  # a round with pots, pot by pot
    # Themes of what people said in their own words that reach this round ("Virtual Voice"):
    # rows of `conversation.operations.theme_rows_of`, figures about fewer than 10 hidden.
    voice: list[dict] = field(default_factory=list)

    @property
    def any_indicative(self) -> bool:
        return any(r.rated.indicative.n for r in self.barriers + self.remedies)


# Rating.remedy_id is typed int | None; barrier_xor_remedy makes it an int in a remedy key.
def _score_counts(rnd: Round) -> dict[tuple[str, int | None, bool], dict[int, int]]:
    found: dict[tuple[str, int | None, bool], dict[int, int]] = defaultdict(dict)
    rows = db.session.execute(
        select(
            Rating.barrier_id,
            Rating.remedy_id,
            Rating.indicative,
            Rating.score,
            func.count(Rating.id),
        )
        .where(Rating.round_id == rnd.id)
        .group_by(Rating.barrier_id, Rating.remedy_id, Rating.indicative, Rating.score)
    )
    for barrier_id, remedy_id, indicative, score, n in rows:
        key = (
            ("barrier", barrier_id, indicative) if barrier_id else ("remedy", remedy_id, indicative)
        )
        found[key][score] = n
    return found


def _funded_ids(count: Count | None) -> list[int]:
    return [int(i) for i in count.selected] if count else []


def rated(
    rnd: Round, count: Count | None = None, *, more: Sequence[Count] = ()
) -> tuple[list[Row], list[Row]]:
    """The round's barriers and published remedies with their ratings, best rated first.

    `more`: a round with pots has a count per pot; the funded of each count in turn.
    """
    counts = _score_counts(rnd)
    funded_ids = [i for c in (count, *more) for i in _funded_ids(c)]
    funded = {rid: n for n, rid in enumerate(dict.fromkeys(funded_ids))}

    def row(kind: str, thing: Barrier | Remedy) -> Row:
        return Row(
            thing,
            stats.Rated(
                kind,
                thing.id,
                stats.summarise_counts(counts.get((kind, thing.id, False), {})),
                stats.summarise_counts(counts.get((kind, thing.id, True), {})),
                funded.get(thing.id) if kind == "remedy" else None,
            ),
        )

    barriers = [row("barrier", b) for b in rnd.barriers]
    remedies = [row("remedy", r) for r in rnd.remedies if r.status == RemedyStatus.PUBLISHED]
    barriers.sort(key=lambda r: stats.rating_order(r.rated))
    remedies.sort(key=lambda r: stats.rating_order(r.rated))
    return barriers, remedies


def _ranked(rows: list[Row]) -> list[Row]:
    by_id = {(r.kind, r.rated.id): r for r in rows}
    return [by_id[(r.kind, r.id)] for r in stats.rank_priorities(r.rated for r in rows)]


def priorities(rnd: Round) -> list[Row]:
    """Every barrier and remedy of the round in priority order (see `stats`)."""
    if rnd.pots:
        barriers, remedies = rated(rnd, more=counting.latest_counts(rnd))
    else:
        barriers, remedies = rated(rnd, latest_count(rnd))
    return _ranked(barriers + remedies)


def outcome(rnd: Round, count: Count | None) -> Outcome | None:
    """The funded remedies, in the order the count chose them; None before counting."""
    if count is None:
        return None
    remedies = {r.id: r for r in rnd.remedies}
    return Outcome(count, [remedies[i] for i in _funded_ids(count) if i in remedies])


def turnout(rnd: Round, today: date | None = None, count: Count | None = None) -> Turnout:
    """Ballots by day, area, language and channel, against the population where it is known.

    Once counted, the figures come from the count (see `counting.turnout_of`), so a city
    round's dashboard does not go over its 100,000 ballots on every visit.
    """
    today = today or date.today()
    tallies = counting.turnout_of(rnd, count)
    per_day = {date.fromisoformat(day): n for day, n in tallies["days"]}
    by_area = {area: n for area, n in tallies["areas"]}
    by_lang = {lang: n for lang, n in tallies["languages"]}
    by_channel = {channel: n for channel, n in tallies["channels"]}
    last = min(rnd.voting_closes, today) if rnd.voting_closes else None
    days = stats.per_day(per_day, rnd.voting_opens if per_day else None, last if per_day else None)

    # Areas to compare: the parts of the round's area, and any area ballots came from.
    known_ids = {i for i in by_area if i is not None}
    query = select(Area).where(Area.id.in_(known_ids))
    if rnd.area_id is not None:
        query = select(Area).where((Area.parent_id == rnd.area_id) | Area.id.in_(known_ids))
    areas = db.session.scalars(query).all()
    area_shares = stats.shares(
        {str(i): n for i, n in by_area.items() if i is not None},
        {str(a.id): a.population for a in areas if a.population is not None},
    )
    language_population = rnd.area.population_by_language if rnd.area else {}
    return Turnout(
        total=sum(by_channel.values()),
        days=days,
        areas=area_shares,
        area_names={str(a.id): a.name for a in areas},
        area_unknown=by_area.get(None, 0),
        languages=stats.shares(
            by_lang, language_population or {}, rnd.area.population if rnd.area else None
        ),
        channels=stats.shares(by_channel),
    )


@dataclass(frozen=True)
class InviteOrder:
    """Who to invite to a round first: its areas and languages, lowest turnout in an earlier
    round first, with how each takes part now (`stats.invite_first`)."""

    earlier: Round | None
    others: list[Round]  # the rounds to compare with, newest first
    gaps: list[stats.Gap]
    area_names: dict[str, str]

    @property
    def order(self) -> list[tuple[str, str]]:
        return [(g.kind, g.key) for g in self.gaps]


def invite_order(rnd: Round, before: str | None = None) -> InviteOrder:
    """The invite-first order for `rnd` against the round `before` (a slug), or the newest
    other round. Letters and messages to vote go out in this order."""
    others = [r for r in db.session.scalars(select(Round).order_by(Round.id.desc())) if r != rnd]
    earlier = next((r for r in others if r.slug == before), others[0] if others else None)
    now = turnout(rnd)
    then = turnout(earlier) if earlier is not None else None
    gaps = stats.invite_first(
        {"area": then.areas, "language": then.languages} if then else {},
        {"area": now.areas, "language": now.languages},
    )
    names = (then.area_names if then else {}) | now.area_names
    return InviteOrder(earlier, others, gaps, names)


def pot_parts(rnd: Round, counts: list[Count]) -> list[PotPart]:
    """Each pot's result (once counted) and turnout, in the pots' order.

    Turnout comes from each pot's count, or is counted live (one grouped query per pot)
    before the round is counted.
    """
    rules = frozen_rules(rnd)
    budgets = {p["id"]: p["budget"] for p in rules.get("pots", [])}
    by_pot = {c.pot_id: c for c in counts}
    areas = [p.area for p in rnd.pots if p.area is not None]
    parts = []
    for pot in pot_words.in_order(rnd):
        count = by_pot.get(pot.id)
        if count is not None:
            tallies = counting.turnout_of(rnd, count)
        else:
            in_pot = [int(r) for r, p in rules.get("pot_of", {}).items() if p == str(pot.id)]
            tallies = counting.turnout_tallies(rnd, in_pot)
        by_lang = {lang: n for lang, n in tallies["languages"]}
        if pot.area is not None:
            population = pot.area.population
            by_language = dict(pot.area.population_by_language or {})
        else:  # the whole place: everyone living in the areas with pots
            known = [a.population for a in areas if a.population is not None]
            population = sum(known) if known else None
            by_language = {}
            for a in areas:
                for lang, n in (a.population_by_language or {}).items():
                    by_language[lang] = by_language.get(lang, 0) + n
        parts.append(
            PotPart(
                pot=pot,
                name=pot_words.name(pot),
                budget=budgets.get(str(pot.id), pot.budget),
                outcome=outcome(rnd, count),
                ballots=sum(n for _key, n in tallies["channels"]),
                population=population,
                languages=stats.shares(by_lang, by_language, population),
            )
        )
    return parts


def themes(rnd: Round) -> list[ThemeRow]:
    """The round's barriers that other rounds had too, with their ratings in each round."""
    barrier_ids = [b.id for b in rnd.barriers]
    if not barrier_ids:
        return []
    pairs = db.session.execute(
        select(round_barrier.c.barrier_id, Round)
        .join(Round, Round.id == round_barrier.c.round_id)
        .where(
            round_barrier.c.barrier_id.in_(barrier_ids),
            (Round.phase != Phase.DRAFT) | (Round.id == rnd.id),
        )
    ).all()
    pairs = sorted(pairs, key=lambda p: (p[1].voting_opens or date.max, p[1].id))
    appearances: dict[int, list[int]] = defaultdict(list)
    rounds = {}
    for barrier_id, other in pairs:
        appearances[barrier_id].append(other.id)
        rounds[other.id] = other
    counts: dict[tuple[int, int, bool], dict[int, int]] = defaultdict(dict)
    rows = db.session.execute(
        select(
            Rating.barrier_id,
            Rating.round_id,
            Rating.indicative,
            Rating.score,
            func.count(Rating.id),
        )
        .where(Rating.barrier_id.in_(barrier_ids))
        .group_by(Rating.barrier_id, Rating.round_id, Rating.indicative, Rating.score)
    )
    for barrier_id, round_id, indicative, score, n in rows:
        assert barrier_id is not None  # the query takes only ratings of these barriers
        counts[(barrier_id, round_id, indicative)][score] = n
    barriers = {b.id: b for b in rnd.barriers}
    return [
        ThemeRow(barriers[t.barrier_id], [(rounds[rid], r) for rid, r in t.rounds])
        for t in stats.themes(appearances, counts)
    ]


def dashboard(rnd: Round, today: date | None = None) -> Dashboard:
    """Everything the council's dashboard shows for one round."""
    count = latest_count(rnd)
    if rnd.pots:  # a count per pot: each pot's result comes in `pots`
        counts = counting.latest_counts(rnd)
        barriers, remedies = rated(rnd, more=counts)
        return Dashboard(
            round=rnd,
            barriers=barriers,
            remedies=remedies,
            priorities=_ranked(barriers + remedies),
            outcome=None,
            turnout=turnout(rnd, today),
            themes=themes(rnd),
            pots=pot_parts(rnd, counts),
            voice=voice(rnd),
        )
    barriers, remedies = rated(rnd, count)
    return Dashboard(
        round=rnd,
        barriers=barriers,
        remedies=remedies,
        priorities=_ranked(barriers + remedies),
        outcome=outcome(rnd, count),
        turnout=turnout(rnd, today, count),
        themes=themes(rnd),
        voice=voice(rnd),
    )


def voice(rnd: Round) -> list[dict]:
    """The themes that reach this round, with how many people said or agreed with each."""
    return conversations.theme_rows_of(conversations.themes_for(rnd), rnd.content.original_lang)


def responses(rnd: Round) -> list[Response]:
    """A round's answered and waiting priorities, in rank order, with their timelines."""
    return list(
        db.session.scalars(
            select(Response)
            .where(Response.round_id == rnd.id)
            .options(selectinload(Response.updates), selectinload(Response.decision_maker))
            .order_by(Response.rank)
        )
    )
