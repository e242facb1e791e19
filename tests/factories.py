"""Small data factories for tests: real rows, made the way the app makes them."""

from datetime import date, timedelta
from itertools import count

from coprod.accounts.operations import create_user
from coprod.extensions import db
from coprod.models import Barrier, Group, Phase, Remedy, RemedyStatus, Role, Round
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
