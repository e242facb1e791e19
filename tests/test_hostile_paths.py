"""Hostile values in every part of every address: answered (mostly 404), never a 5xx.

The test walks the app's URL map, so a route added tomorrow is tried too. Each path
variable in turn gets each hostile value while the others keep a real one (a round that
exists, a remedy in it), so the request gets as far as the database. Huge integers are
beyond what PostgreSQL's integer columns hold and a NUL byte is text PostgreSQL refuses:
both used to reach the database and come back as a 500.
"""

import re
from datetime import date
from itertools import count
from urllib.parse import quote

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.test import EnvironBuilder

from coprod.conversation import operations as talk
from coprod.extensions import db
from coprod.ideas import operations as ideas
from coprod.models import Area, Phase, Role
from coprod.operations import offers, proposals, workshops
from tests.conftest import app_on, csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

HOSTILE = {
    "10**30": quote(str(10**30)),
    "2**31": quote(str(2**31)),
    "2**31 - 1": quote(str(2**31 - 1)),  # the largest id: reaches the database, found not
    "negative": "-1",
    "NUL": "%00",
    "NUL inside": "round%00x",
    "10,000 characters": "x" * 10_000,
    "right-to-left": quote("\u202e\u0627\u0644"),
    "dot-dot": "..%2F..",
    "bad UTF-8": "%ff%fe%c0%af",
    "encoded percent": "%2525%2e%2e",
}
IN_QUERIES = ("10**30", "NUL inside", "10,000 characters")  # what the database refuses
# Every name a view reads from the query string (request.args).
QUERY_ARGUMENTS = ("area", "before", "code", "lang", "letters", "next", "page", "template")
VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture
def hostile_app(database, tmp_path):
    """One app per database for the whole walk, with data for the routes to find."""
    from tests.conftest import PG_URL

    url = PG_URL if database == "postgres" else f"sqlite:///{tmp_path / 'test.db'}"
    yield from app_on(url)


def real_values(app) -> dict[str, str]:
    """A value that exists for each variable name, so only the hostile one is wrong."""
    voting = make_round(Phase.VOTING)
    make_round(Phase.COUNTED)
    remedy = voting.remedies[0]
    proposals.report(remedy, "A hostile walk")
    member = make_user(Role.MEMBER)
    conversation = talk.start(voting, "What would help?")
    statement = talk.write(conversation, None, "A hostile walk", "en")
    theme = talk.make_theme(conversation, {"en": "Walks"}, [], None)
    talk.start_alone("hostile-walk", "Walks", "What would help?", None)
    offer, _secret = offers.make(remedy, "I can carry chairs", "en", 2, "ann@example.org")
    area = Area(slug="hostile-ward", name="Hostile ward", population=100)
    db.session.add(area)
    db.session.flush()
    idea = ideas.put_up(area, "en", {"title": "A walk", "now": "x", "proposal": "y"}, None, None)
    ideas.publish(idea, member)
    workshop = workshops.start("A hostile walk", voting, 2, None, date.today())
    db.session.commit()
    return {
        "offer_id": str(offer.id),
        "workshop_id": str(workshop.id),
        "idea_id": str(idea.id),
        "area_id": str(area.id),
        "target_id": str(idea.id),
        "draw_id": "1",
        "queued": "1",
        "statement_id": str(statement.id),
        "theme_id": str(theme.id),
        "item_id": str(statement.id),
        "decision": "publish",
        "kind": "statement",
        "action": "close",
        "slug": voting.slug,
        "name": "hostile-walk",
        "remedy_id": str(remedy.id),
        "user_id": str(member.id),
        "report_id": "1",
        "response_id": "1",
        "suggestion_id": "1",
        "code": "en",
        "token": "not-a-token",
        "path": f"rounds/{voting.slug}",  # an Easy Read page's own page
        "verdict": "declined",
        "step": "name",
        "sheet": "ballot",
        "filename": "style.css",
        "photo_id": "1",
        "suffix": "jpg",
        "row_id": "1",
    }


def addresses(app) -> list[tuple[str, str, set[str]]]:
    """(rule, variable, methods) for every variable of every rule."""
    found = []
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        for match in VARIABLE.finditer(rule.rule):
            found.append((rule.rule, match.group(2), methods))
    return found


def routes(router, url: str, methods: set[str]) -> bool:
    """Whether some route takes this address (its path decoded as the test client does)."""
    path = EnvironBuilder(path=url).get_environ()["PATH_INFO"]
    try:
        router.match(path, method=sorted(methods)[0])
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return False
    return True


def fill(rule: str, hostile_name: str, hostile: str, real: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(2)
        return hostile if name == hostile_name else real[name]

    return VARIABLE.sub(value, rule)


def test_no_address_gets_a_server_error(hostile_app, database):
    app = hostile_app
    real = real_values(app)
    anonymous = app.test_client()
    organiser = app.test_client()
    sign_in(organiser, make_user(Role.ORGANISER))
    tokens = {
        "anonymous": csrf_token(anonymous, "/sign-in"),
        "organiser": csrf_token(organiser, f"/staff/rounds/{real['slug']}"),
    }
    clients = {"anonymous": anonymous, "organiser": organiser}
    # A new address for each request, so limits on wrong codes or sign-ins never stop a
    # request before it reaches the code under test.
    ips = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in count(1))
    failures, tried = [], 0
    router = app.url_map.bind("localhost")
    unrouted_sent = set()
    for rule, variable, methods in addresses(app):
        for name, hostile in HOSTILE.items():
            url = fill(rule, variable, hostile, real)
            # A value no route takes (text where a number goes) never reaches a view: the
            # router's "not found" answers it, alike for every rule. Each such value is
            # sent once for each first part of the address, not once for each rule.
            if not routes(router, url, methods):
                seen = (name, url.split("/")[1])
                if seen in unrouted_sent:
                    continue
                unrouted_sent.add(seen)
            for who, client in clients.items():
                tries = []
                if "GET" in methods:
                    tries.append(("GET", None))
                if "POST" in methods:  # a missing token is refused alike for everyone
                    tries += [("POST", {"csrf_token": tokens[who]})]
                    tries += [("POST", {})] if who == "anonymous" else []
                if who == "anonymous" and rule.startswith("/staff/"):
                    # A stranger at a staff address is sent to sign in, by whatever method,
                    # before any view reads the value: one request shows that way is safe.
                    tries = tries[:1]
                for method, form in tries:
                    response = client.open(
                        url,
                        method=method,
                        data=form,
                        environ_base={"REMOTE_ADDR": next(ips)},
                    )
                    tried += 1
                    if response.status_code >= 500:
                        failures.append(
                            f"{method} {rule} {variable}={name} as {who}: {response.status_code}"
                        )
    assert tried > 1000  # the walk reached every route, not a few

    # The same values in every query argument a view reads, on every page a GET reaches.
    pages = {fill(rule, "", "", real) for rule, _v, methods in addresses(app) if "GET" in methods}
    pages |= {r.rule for r in app.url_map.iter_rules() if not r.arguments and "GET" in r.methods}
    for url in sorted(pages):
        for name in IN_QUERIES:
            hostile = HOSTILE[name]
            query = "&".join(f"{arg}={hostile}" for arg in QUERY_ARGUMENTS)
            response = organiser.get(f"{url}?{query}", environ_base={"REMOTE_ADDR": next(ips)})
            if response.status_code >= 500:
                failures.append(f"GET {url}?{name} as organiser: {response.status_code}")
    assert not failures, f"{len(failures)} server errors on {database}:\n" + "\n".join(failures)
    # The organiser was signed in all along, so staff pages ran their queries too.
    assert organiser.get(f"/staff/rounds/{real['slug']}").status_code == 200
