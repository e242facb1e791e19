"""Results bench: a city round of 100,000 ballots, counted, then its pages timed.

    python bench/results.py [--ballots 100000] [--small 1000] [--requests 50] [--pb FILE]

Builds a fresh PostgreSQL database (BENCH_DATABASE_URL; dropped and created) with a city
round of approval ballots from a seeded random generator (or a real pabulib file with
--pb) and a small round of its first --small ballots, bulk-inserted the way `import-pb` does.
Times the count, then each page through the Flask test client: the first request in a
fresh process, the first after a recount (cold), and p50/p99 over --requests more (warm).
The pages: the results page, the same with a receipt (the "your ballot helped to pay
for..." story), the results as JSON from the API, the round's public page, the council's
dashboard, and a trivial endpoint as the floor. Each page's warm p50 is also set against
the small round's: a ratio near 1 means the page's work does not grow with the ballots.
The three ballot downloads are timed once each: they hold every ballot, by design.
Target: every page under 100 ms with 100,000 ballots.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import random
import re
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_database  # noqa: E402

PG = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/coprod_results_bench"
)
SECRET = "bench-secret"
RECEIPT = "BENCH-12345"
PASSWORD = "correct horse battery"
TARGET_MS = 100
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LANGS = ("en", "en", "en", "pl", "ur", "bn")


def synthetic_election(voters: int, remedies: int, seed: int):
    """Approval ballots (1 to 5 choices) over remedies of uneven cost and popularity."""
    from coprod import tally

    rng = random.Random(seed)
    costs = [rng.randrange(20, 400) * 1000 for _ in range(remedies)]
    projects = {
        str(i): tally.Project(id=str(i), cost=cost, name=f"Idea {i}")
        for i, cost in enumerate(costs, 1)
    }
    ids = list(projects)
    weights = [rng.random() ** 2 + 0.05 for _ in ids]
    votes = []
    for n in range(1, voters + 1):
        k = rng.randint(1, 5)
        picked: dict[str, None] = {}
        while len(picked) < k:
            picked[rng.choices(ids, weights)[0]] = None
        votes.append(tally.Vote(voter_id=str(n), choices=tuple(picked)))
    budget = sum(costs) // 3
    meta = {
        "description": "Bench city round",
        "country": "United Kingdom",
        "unit": "Bench City",
        "instance": "2025",
        "num_projects": str(remedies),
        "num_votes": str(voters),
        "budget": str(budget),
        "vote_type": "approval",
        "rule": "equalshares/add1",
        "max_length": "5",
        "currency": "GBP",
    }
    return tally.Election(meta=meta, projects=projects, votes=votes)


def build(app, election, slug: str) -> float:
    """Import the election, spread its ballots over days and languages, give one a receipt."""
    import sqlalchemy as sa

    from coprod.extensions import db
    from coprod.models import Ballot
    from coprod.operations.ballots import receipt_hash
    from coprod.operations.imports import import_election

    with app.app_context():
        start = time.perf_counter()
        rnd = import_election(election, slug)
        db.session.commit()
        imported = time.perf_counter() - start
        opens = date.today() - timedelta(days=21)
        rnd.voting_opens, rnd.voting_closes = opens, date.today()
        mine = Ballot.round_id == rnd.id
        db.session.execute(
            sa.update(Ballot)
            .where(mine)
            .values(
                cast_on=sa.cast(opens, sa.Date) + sa.cast(Ballot.id % 21, sa.Integer),
                lang=sa.case(
                    *((Ballot.id % len(LANGS) == i, lang) for i, lang in enumerate(LANGS))
                ),
            )
        )
        # One ballot whose receipt we know, for the story.
        first = db.session.scalar(sa.select(sa.func.min(Ballot.id)).where(mine))
        db.session.execute(
            sa.update(Ballot).where(Ballot.id == first).values(receipt_hash=receipt_hash(RECEIPT))
        )
        db.session.commit()
        return imported


def time_count(app, slug: str) -> tuple[float, object]:
    """Count a round, as the organiser's button does, and time it."""
    from sqlalchemy import select

    from coprod.extensions import db
    from coprod.models import Round
    from coprod.operations.counting import count_round

    with app.app_context():
        rnd = db.session.scalar(select(Round).where(Round.slug == slug))
        start = time.perf_counter()
        result = count_round(rnd)
        db.session.commit()
        elapsed = time.perf_counter() - start
        return elapsed, (result.ballots, len(result.selected), result.spent)


def sign_in(client, email: str) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    response = client.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, "the bench's councillor could not sign in"


def fetch(client, url: str, must_contain: str, form: dict | None = None) -> float:
    """One GET (or a POST of `form`), checked, in milliseconds (the body is read in full)."""
    start = time.perf_counter()
    response = client.get(url) if form is None else client.post(url, data=form)
    body = response.get_data(as_text=True)
    elapsed = 1000 * (time.perf_counter() - start)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert must_contain in body, f"{url}: {must_contain!r} not in the answer"
    return elapsed


def percentiles(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "p50": statistics.median(times),
        "p99": times[min(len(times) - 1, round(0.99 * (len(times) - 1)))],
    }


def timed(city: tuple, ward: tuple, n: int) -> tuple[dict, dict]:
    """A page of the city round: its first request's time, then `n` more in turns with the
    same page of the small round, so that both see the same load from anything else running.
    """
    cold = fetch(*city)
    big, small = [], []
    for _ in range(n):
        big.append(fetch(*city))
        small.append(fetch(*ward))
    return {"cold": cold} | percentiles(big), percentiles(small)


def pages(slug: str, client, staff) -> list[tuple]:
    """(name, client, url, words the answer must hold, form to post or None) for each page
    the bench times. A receipt is posted, never put in the address (see `results.results`).
    """
    page = client.get(f"/rounds/{slug}/results").get_data(as_text=True)
    receipt = {"receipt": RECEIPT, "csrf_token": CSRF.search(page).group(1)}
    return [
        ("results page", client, f"/rounds/{slug}/results", "ballots were counted", None),
        ("results + receipt", client, f"/rounds/{slug}/results", "story", receipt),
        ("API results JSON", client, f"/api/v1/rounds/{slug}/results", '"counted":true', None),
        ("round page", client, f"/rounds/{slug}", "See the results", None),
        ("council dashboard", staff, f"/staff/council/rounds/{slug}", "Who took part", None),
        ("trivial (/healthz)", client, "/healthz", "ok", None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000, help="ballots in the small round")
    parser.add_argument("--remedies", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--pb", help="import this pabulib file instead of random ballots")
    parser.add_argument("--no-downloads", action="store_true", help="skip the ballot downloads")
    args = parser.parse_args()

    fresh_database(PG)
    os.environ.update(DATABASE_URL=PG, SECRET_KEY=SECRET)
    os.environ.pop("REDIS_URL", None)
    from coprod import tally
    from coprod.extensions import db
    from coprod.factory import create_app
    from coprod.models import Role
    from tests.factories import make_user

    # Without rate limits: the bench posts its receipt more often than a person may.
    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        councillor = make_user(Role.COUNCILLOR, password=PASSWORD).email
    start = time.perf_counter()
    big = (
        tally.read_pb(args.pb)
        if args.pb
        else synthetic_election(args.ballots, args.remedies, args.seed)
    )
    made = time.perf_counter() - start
    imported = build(app, big, "city")
    # The small round: the first ballots of the same election, over the same remedies.
    ward = dataclasses.replace(
        big, votes=big.votes[: args.small], meta=big.meta | {"num_votes": str(args.small)}
    )
    build(app, ward, "ward")
    # A web worker does not hold a city's ballots in memory: drop ours, so that the
    # garbage collector's full passes during the timed requests are a worker's too.
    del big, ward
    gc.collect()
    with app.app_context():
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    count_s, (ballots, funded, spent) = time_count(app, "city")
    time_count(app, "ward")

    client = app.test_client()
    staff = app.test_client()
    sign_in(staff, councillor)
    # The first request in a fresh process also compiles the templates.
    first = {name: fetch(*page) for name, *page in pages("city", client, staff)}
    recount_s, _ = time_count(app, "city")  # a new count: cold is the first request after it
    rows, small = [], {}
    city_pages, ward_pages = pages("city", client, staff), pages("ward", client, staff)
    for (name, *city), (_, *ward) in zip(city_pages, ward_pages, strict=True):
        big, small[name] = timed(city, ward, args.requests)
        rows.append((name, big))
    downloads = []
    if not args.no_downloads:
        for kind in ("pb", "csv", "json"):
            start = time.perf_counter()
            response = client.get(f"/rounds/city/ballots.{kind}")
            downloads.append((kind, 1000 * (time.perf_counter() - start), len(response.data) / 1e6))

    source = args.pb or f"random approval, seed {args.seed}, {args.remedies} remedies"
    print(f"round: {ballots:,} ballots ({source})")
    print(f"  made in {made:.1f} s, imported in {imported:.1f} s")
    print(f"  count {count_s:.2f} s, recount {recount_s:.2f} s: {funded} funded, {spent:,} spent")
    print(f"Flask test client on PostgreSQL, times in ms; {args.requests} warm requests a page.")
    print("first: the first request in a fresh process (templates compile);")
    print("cold: the first request after a recount; p50/p99: the warm requests after it;")
    print(f"x small: warm p50 over the p50 of the same page for a {args.small:,}-ballot round.")
    head = f"{'page':20}{'first':>8}{'cold':>8}{'p50':>8}{'p99':>8}{'x small':>9}"
    print(f"{head}  cold and p99 < {TARGET_MS} ms")
    for name, r in rows:
        ok = "yes" if max(r["cold"], r["p99"]) < TARGET_MS else "NO"
        ratio = r["p50"] / small[name]["p50"]
        cells = f"{first[name]:8.1f}{r['cold']:8.1f}{r['p50']:8.1f}{r['p99']:8.1f}{ratio:9.2f}"
        print(f"{name:20}{cells}  {ok}")
    for kind, ms, mb in downloads:
        print(f"download ballots.{kind:5}{ms:8.0f} ms once, {mb:.1f} MB (holds every ballot)")


if __name__ == "__main__":
    main()
