"""Small data factories for tests: real rows, made the way the app makes them."""

from datetime import date, timedelta
from itertools import count

from coprod.accounts.operations import create_user
from coprod.extensions import db
from coprod.models import Area, Barrier, Group, Phase, Pot, Remedy, RemedyStatus, Role, Round
from coprod.operations import phase
from coprod.operations.content import new_content

_n = count(1)


def make_round(
    phase_: Phase = Phase.PROPOSING,
    *,
    budget: int = 10000,
    costs=(4000, 3000, 5000),
    title: str | dict = "Test round",
    lang: str = "en",
    **fields,
) -> Round:
    """A round with published remedies of the given costs, moved to the given phase."""
    n = next(_n)
    today = date.today()
    rnd = Round(
        slug=fields.pop("slug", f"round-{n}"),
        budget=budget,
        content=new_content(lang, {"title": title, "summary": "A round for tests."}),
        proposing_opens=today - timedelta(days=30),
        rating_opens=today - timedelta(days=10),
        voting_opens=today - timedelta(days=1),
        voting_closes=today + timedelta(days=10),
        responses_due=today + timedelta(days=60),
        **fields,
    )
    barrier = Barrier(key=f"barrier-{n}", content=new_content("en", {"title": f"Barrier {n}"}))
    rnd.barriers.append(barrier)
    group = Group(slug=f"group-{n}", name=f"Group {n}", approved=True)
    for i, cost in enumerate(costs, 1):
        db.session.add(
            Remedy(
                round=rnd,
                group=group,
                barrier=barrier,
                status=RemedyStatus.PUBLISHED,
                cost=cost,
                content=new_content("en", {"title": f"Remedy {n}.{i}", "summary": f"Idea {i}"}),
            )
        )
    db.session.add(rnd)
    db.session.commit()
    if phase_ != Phase.DRAFT:
        phase.change_phase(rnd, phase_)
        db.session.commit()
    return rnd


def make_user(role: Role = Role.MEMBER, password: str = "correct horse battery", **fields):
    """A committed user with a known password."""
    n = next(_n)
    user = create_user(
        fields.pop("email", f"user{n}@example.org"),
        fields.pop("name", f"User {n}"),
        password,
        role=role,
        **fields,
    )
    db.session.commit()
    return user


def make_pot_round(
    phase_: Phase = Phase.VOTING,
    *,
    pots: dict[str | None, tuple[int, tuple[int, ...]]] | None = None,
    whole_place: str = "Brookfield",
    **fields,
) -> Round:
    """A round whose money is in pots, moved to the given phase.

    `pots` maps an area's name (None: the whole place) to (budget, its remedies' costs).
    By default Northfield £5,000 (3000, 2500), Southbank £6,000 (4000, 2000) and the whole
    of Brookfield £10,000 (6000, 5000). Areas are made with their population and
    population by language; the round's own area is the whole place, which holds them.
    """
    pots = pots or {
        "Northfield": (5000, (3000, 2500)),
        "Southbank": (6000, (4000, 2000)),
        None: (10000, (6000, 5000)),
    }
    n = next(_n)
    place = Area(
        slug=f"place-{n}", name=whole_place, population=30000,
        population_by_language={"en": 21000, "ur": 6000, "pl": 3000},
    )  # fmt: skip
    db.session.add(place)
    db.session.flush()
    costs = tuple(c for _budget, cs in pots.values() for c in cs)
    rnd = make_round(Phase.DRAFT, costs=costs, area_id=place.id, **fields)
    remedies = iter(rnd.remedies)
    for k, (name, (budget, cs)) in enumerate(pots.items()):
        area = None
        if name is not None:
            area = Area(
                slug=f"area-{n}-{k}", name=name, population=10000 + 5000 * k,
                population_by_language={"en": 7000, "ur": 3000 + 5000 * k}, parent_id=place.id,
            )  # fmt: skip
            db.session.add(area)
        pot = Pot(area=area, budget=budget)
        rnd.pots.append(pot)
        db.session.flush()
        for _cost in cs:
            next(remedies).pot_id = pot.id
    db.session.commit()
    if phase_ != Phase.DRAFT:
        phase.change_phase(rnd, phase_)
        db.session.commit()
    return rnd


def pot_of(rnd: Round, area_name: str | None) -> Pot:
    """The round's pot for the area called `area_name` (None: the whole-place pot)."""
    return next(p for p in rnd.pots if (p.area.name if p.area else None) == area_name)
