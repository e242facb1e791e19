"""Demo content: the 2017 Birmingham "bricks in the wall" workshop as a living ward.

Loads once; a second run changes nothing. Everything is flushed into one transaction,
which the caller commits once. Translations of the demo's words live beside
the English in `workshop.<lang>.json`.
"""

import json
import random
import secrets
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from coprod.accounts.operations import create_user
from coprod.conversation import demo as conversation_demo
from coprod.delivery import demo as delivery_demo
from coprod.extensions import db
from coprod.map import demo as map_demo
from coprod.models import (
    Area,
    BallotType,
    Barrier,
    Decision,
    Eligibility,
    Group,
    Phase,
    Pot,
    Remedy,
    RemedyStatus,
    Response,
    Role,
    Round,
    User,
)
from coprod.operations import (
    ballots,
    codes,
    counting,
    glossary,
    offers,
    panels,
    phase,
    ratings,
    workshops,
)
from coprod.operations.content import new_content
from coprod.seating import panel

HERE = Path(__file__).parent
VOTING_SLUG = "brookfield-2026"


def _data() -> tuple[dict, dict[str, dict]]:
    base = json.loads((HERE / "workshop.json").read_text(encoding="utf-8"))
    extra = {
        p.name.split(".")[1]: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(HERE.glob("workshop.*.json"))
    }
    return base, extra


def _texts(item: dict, fields: tuple[str, ...], kind: str, extra: dict[str, dict]) -> dict:
    """{field: {lang: text}} from the English item and its translations."""
    key = item.get("key") or item.get("slug")
    out = {}
    for field in fields:
        by_lang = {"en": item[field]}
        for lang, data in extra.items():
            text = data.get(kind, {}).get(key, {}).get(field)
            if text:
                by_lang[lang] = text
        out[field] = by_lang
    return out


def load(config: dict, today: date | None = None) -> Iterator[str]:
    """Load the demo and yield the lines to print: staff logins and some voter codes."""
    if db.session.scalar(select(Round).where(Round.slug == VOTING_SLUG)):
        yield "The demo content is already loaded; nothing was changed."
        return
    today = today or date.today()
    rng = random.Random(2017)
    base, extra = _data()
    secret = config["SECRET_KEY"]

    glossary.load_seed()
    area = Area(**base["area"])
    db.session.add(area)
    groups = {g["slug"]: Group(**g, approved=True) for g in base["groups"]}
    db.session.add_all(groups.values())

    logins = []
    for person in base["staff"] + base["members"]:
        password = secrets.token_urlsafe(9)
        create_user(
            person["email"],
            person["name"],
            password,
            role=Role(person.get("role", "member")),
            group=groups.get(person.get("group")),
            lang=person.get("lang", "en"),
        )
        logins.append((person.get("role", "member"), person["email"], password))
    commissioner = db.session.scalar(select(User).where(User.role == Role.COMMISSIONER))

    barriers = {}
    for b in base["barriers"]:
        barriers[b["key"]] = Barrier(
            key=b["key"],
            content=new_content("en", _texts(b, ("title", "summary"), "barriers", extra)),
        )
    db.session.add_all(barriers.values())
    remedy_data = {r["key"]: r for r in base["remedies"]}

    lines = []
    for spec in base["rounds"]:
        rnd = Round(
            slug=spec["slug"],
            area=area,
            budget=spec["budget"],
            ballot_type=BallotType.KNAPSACK,
            eligibility=Eligibility(spec.get("eligibility", "code")),
            content=new_content("en", _texts(spec, ("title", "summary"), "rounds", extra)),
            barriers=[barriers[k] for k in spec["barriers"]],
            **{name: today + timedelta(days=d) for name, d in spec["dates"].items()},
        )
        db.session.add(rnd)
        pot_of = _pots(rnd, spec)
        remedies = {}
        for key in spec["remedies"]:
            r = remedy_data[key]
            fields = ("title", "summary", "now", "proposal", "who_helps", "offer")
            pot = pot_of.get(key)
            remedies[key] = Remedy(
                round=rnd,
                group=groups[r["group"]],
                barrier=barriers[r["barrier"]],
                area=pot.area if pot is not None and pot.area is not None else area,
                pot=pot,
                status=RemedyStatus.PUBLISHED,
                cost=r["cost"],
                now_cost=r["now_cost"],
                proposal_cost=r["proposal_cost"],
                content=new_content("en", _texts(r, fields, "remedies", extra)),
            )
        db.session.add_all(remedies.values())
        db.session.flush()
        _offers(rnd, random.Random(len(rnd.slug)))
        target = Phase(spec["phase"])
        if target.rules_frozen:
            phase.change_phase(rnd, Phase.VOTING)
        if target in (Phase.RATING, Phase.RESPONDING):
            _rate(rnd, rng, today, voters=60)
        if rnd.slug == VOTING_SLUG:
            _vote(secret, rnd, rng, voters=12, today=today)
            lines.append(f"Voter codes for the round that is voting ({rnd.slug}):")
            lines += [f"  {c}" for c in codes.make_codes(secret, rnd, 10)]
        if rnd.pots and rnd.phase == Phase.VOTING:
            lines += _vote_in_pots(secret, rnd, rng, voters=4, today=today)
        if spec.get("ballots"):
            _vote(secret, rnd, rng, voters=spec["ballots"], today=rnd.voting_opens)
        if target != rnd.phase:
            if target.rules_frozen and target != Phase.VOTING:
                counting.close_and_count(rnd)
            if target != rnd.phase:
                phase.change_phase(rnd, target)
        if spec.get("responses"):
            assert commissioner is not None  # the demo's people include a commissioner
            ids = {key: remedy.id for key, remedy in remedies.items()}
            _respond(rnd, spec["ranked"], spec["responses"], ids, commissioner, today)
        if spec.get("conversation"):
            conversation_demo.load(rnd, random.Random(21), today)  # rng stays as it was

    conversation_demo.load_alone(area, random.Random(22), today)
    _panel(random.Random(2026))
    assert commissioner is not None
    delivery_demo.load(area, commissioner, today)
    _workshop(today)
    map_demo.load()
    yield "Demo content loaded. Staff and group accounts (write these down; they are shown once):"
    for role, email, password in logins:
        yield f"  {role:<13} {email:<28} {password}"
    yield from lines


OFFERS = [
    ("I can translate Somali and Arabic.", "en", 4),
    ("I have a van and can move chairs and tables.", "en", 2),
    ("Mogę prowadzić stoisko w soboty.", "pl", 6),
    ("Waxaan ka caawin karaa carruurta.", "so", 3),
    ("میں ہفتے کو چائے بنا سکتی ہوں۔", "ur", None),
]


def _offers(rnd: Round, rng: random.Random) -> None:
    """Asks for helpers on some remedies and neighbours' offers against them: most checked by
    a moderator, the last one waiting."""
    for n, remedy in enumerate(rnd.remedies):
        if n % 2 == 0:
            remedy.helpers_wanted, remedy.helper_hours = rng.randint(2, 6), rng.randint(1, 4)
        for i in range(rng.randint(0, 3)):
            what, lang, hours = OFFERS[(n + i) % len(OFFERS)]
            offer, _token = offers.make(
                remedy, what, lang, hours, f"neighbour{remedy.id}-{i}@example.org"
            )
            offer.status = offers.PUBLISHED
    if rnd.remedies:
        offers.make(rnd.remedies[-1], OFFERS[0][0], "en", 2, "new.neighbour@example.org")
    db.session.flush()


def _workshop(today: date) -> None:
    """An evening workshop for the round taking ratings, with a few people and table notes."""
    rnd = db.session.scalar(select(Round).where(Round.slug == "brookfield-spring"))
    evening = workshops.start("Brookfield evening workshop", rnd, 4, None, today)
    for name, role, organisation, language in (
        ("Amina Yusuf", "resident", "Tenants group", "so"),
        ("Tom Price", "officer", "Housing", "en"),
        ("Bilal Khan", "councillor", "", "ur"),
        ("Maria Nowak", "provider", "Food bank", "pl"),
    ):
        workshops.sign_in(
            evening, name=name, role=role, organisation=organisation, language=language
        )
    workshops.add_entry(evening, 1, "barrier", "Meetings are in the day, when we work.", "en")
    workshops.add_entry(evening, 1, "remedy", "Hold one meeting a month in the evening.", "en")


def _panel(rng: random.Random) -> None:
    """A citizens' panel of 12 drawn from 60 made-up volunteers (ids only, no names)."""
    shares = {
        "age": {"16-29": 25, "30-44": 25, "45-64": 30, "65+": 20},
        "gender": {"woman": 51, "man": 49},
        "language": {"en": 60, "ur": 25, "so": 15},
    }
    pool = [
        panel.Volunteer(
            f"V{i:03d}", {f: rng.choices(list(s), list(s.values()))[0] for f, s in shares.items()}
        )
        for i in range(60)
    ]
    # The legacy method: a real draw, re-runnable from its seed like any other, without the
    # maximin optimisation (~2 s of CPU) on every demo load.
    result = panel.draw(pool, panel.quotas_from_shares(shares, 12), 12, seed=2026, method="legacy")
    panels.record_draw("Brookfield citizens' panel", result, len(pool), actor=None)


def _pots(rnd: Round, spec: dict) -> dict[str, Pot]:
    """A round's pots, when its spec has areas: one per area, and one for the whole ward
    (the remedies no area names). Returns remedy key -> its pot."""
    if not spec.get("areas"):
        return {}
    pot_of: dict[str, Pot] = {}
    whole = Pot(budget=spec["whole_place_budget"])
    for a in spec["areas"]:
        fields = ("slug", "name", "population", "population_by_language")
        pot = Pot(area=Area(**{k: a[k] for k in fields}), budget=a["budget"])
        rnd.pots.append(pot)
        pot_of |= {key: pot for key in a["remedies"]}
    rnd.pots.append(whole)
    return {key: pot_of.get(key, whole) for key in spec["remedies"]}


def _vote_in_pots(
    secret: str, rnd: Round, rng: random.Random, voters: int, today: date
) -> list[str]:
    """A few ballots from each area, in that area's pot and the whole ward's; then unused
    codes for each area, printed one a line with the area's name."""
    rules = ballots.frozen_rules(rnd)
    langs = ["en", "en", "ur", "pa", "bn", "pl"]
    lines = [f"Voter codes for {rnd.slug}, which has a pot of money for each area:"]
    for pot in rnd.pots:
        if pot.area is None:
            continue
        for code in codes.make_codes(secret, rnd, voters, area_id=pot.area_id):
            chosen = []
            for mine in ballots.voter_pots(rules, pot.area_id):
                costs = ballots.pot_costs(rules, mine["id"])
                spent = 0
                for rid in rng.sample(sorted(costs), k=len(costs)):
                    if spent + costs[rid] <= mine["budget"] and rng.random() < 0.6:
                        chosen.append(rid)
                        spent += costs[rid]
            chosen = chosen or [next(iter(ballots.ballot_costs(rules, pot.area_id)))]
            ballots.cast(secret, rnd, code, chosen, lang=rng.choice(langs), today=today)
        lines += [
            f"  {pot.area.name}: {c}" for c in codes.make_codes(secret, rnd, 3, area_id=pot.area_id)
        ]
    return lines


def _rate(rnd: Round, rng: random.Random, today: date, voters: int) -> None:
    # Each barrier and remedy gets a "true" weight, so the demo dashboard shows real order.
    weights = {("b", b.id): rng.uniform(1.5, 4.8) for b in rnd.barriers}
    weights |= {("r", r.id): rng.uniform(1.5, 4.8) for r in rnd.remedies}
    for i in range(voters):
        scores = {k: min(5, max(1, round(rng.gauss(w, 1)))) for k, w in weights.items()}
        skipped = {k for k in scores if rng.random() < 0.15}
        ratings.save_ratings(
            rnd,
            f"demo-rater-{rnd.id}-{i}",
            {k[1]: s for k, s in scores.items() if k[0] == "b" and k not in skipped},
            {k[1]: s for k, s in scores.items() if k[0] == "r" and k not in skipped},
            indicative=rnd.eligibility == Eligibility.OPEN_RATING,
            today=today,
        )


def _vote(secret: str, rnd: Round, rng: random.Random, voters: int, today: date | None) -> None:
    popularity = {r.id: rng.uniform(0.3, 3.0) for r in rnd.remedies}
    # Most Punjabi readers here came from Pakistan and read Shahmukhi (pa_Arab).
    langs = ["en"] * 6 + ["ur", "ur", "pa_Arab", "bn", "ar", "pl"]
    for code in codes.make_codes(secret, rnd, voters):
        order = sorted(popularity, key=lambda rid: -popularity[rid] * rng.random())
        chosen, spent = [], 0
        for rid in order[: rng.randint(1, 5)]:
            cost = next(r.cost for r in rnd.remedies if r.id == rid)
            if spent + cost <= rnd.budget:
                chosen.append(str(rid))
                spent += cost
        ballots.cast(secret, rnd, code, chosen, lang=rng.choice(langs), today=today)


def _respond(
    rnd: Round,
    ranked: int,
    answers: dict[str, dict],
    ids: dict[str, int],
    decision_maker: User,
    today: date,
) -> None:
    """Rank `ranked` remedies, funded ones first, and attach each answer to its own remedy.

    The answered remedies are always among the ranked ones: the votes decide where they
    stand, and the rest of the places go to the others in order.
    """
    count = counting.latest_count(rnd)
    funded = [int(i) for i in count.selected] if count else []
    others = [r.id for r in rnd.remedies if r.id not in funded]
    by_id = {ids[key]: answer for key, answer in answers.items()}
    spare = ranked - len(by_id)
    top = []
    for remedy_id in funded + others:
        if remedy_id in by_id or spare > 0:
            spare -= remedy_id not in by_id
            top.append(remedy_id)
    for rank, remedy_id in enumerate(top, 1):
        answer = by_id.get(remedy_id, {})
        fields = {k: answer[k] for k in ("reason", "next_step") if k in answer}
        db.session.add(
            Response(
                round_id=rnd.id,
                rank=rank,
                remedy_id=remedy_id,
                decision_maker=decision_maker,
                due_on=rnd.responses_due,
                content=new_content("en", fields),
                decision=Decision(answer["decision"]) if answer else None,
                decided_on=today + timedelta(days=answer["decided"]) if answer else None,
            )
        )
    db.session.flush()
