"""Faults and privacy, on a live server.

Faults: the database drops every connection (what clients see when PostgreSQL restarts),
a cast is cut off half-way, PostgreSQL itself restarts. Voting goes on without restarting
the app; every ballot that got a receipt is stored once and whole; every cast that failed
left its code unused, so the voter can simply try again.

Privacy: no column of a ballot, a ballot choice or a rating can link it to a code, a
person, an address or a time of day; no log line, from any logger at DEBUG or from the
access log, holds a voter's code, its hash, their receipt or their ballot's id.
"""

import http.client
import json
import logging
import os
import re
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from itertools import cycle
from pathlib import Path
from urllib.parse import unquote_plus, urlencode, urljoin, urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from coprod.extensions import db
from coprod.models import Ballot, BallotChoice, Phase, Rating, Role, VoterCode
from coprod.operations import ballots, codes
from coprod.operations.phase import change_phase
from tests.conftest import app_on
from tests.factories import make_round

SECRET = "test-secret"
VOTER_IP = "127.0.0.77"  # the voter's own address, so log lines that carry it stand out
KILL_ALL = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


# --- A live server, a browser without JavaScript, the API --------------------------------


def gunicorn_style_access_log(app):
    """Log each request as gunicorn's default access log does, Referer and User-Agent too.

    Werkzeug's own access line holds the client address and the request line; gunicorn's
    (and a proxy's "combined" format) also holds the Referer, that is the previous page's
    full address, which is where a value put in an address turns up a second time.
    """
    log = logging.getLogger("gunicorn.access")

    def logged(environ, start_response):
        seen = {}

        def start(status, headers, exc_info=None):
            seen["status"] = status.split()[0]
            return start_response(status, headers, exc_info)

        body = app(environ, start)
        query = environ.get("QUERY_STRING")
        target = environ["PATH_INFO"] + (f"?{query}" if query else "")
        log.info(
            '%s - - [%s] "%s %s %s" %s - "%s" "%s"',
            environ.get("REMOTE_ADDR", "-"),
            datetime.now().astimezone().strftime("%d/%b/%Y:%H:%M:%S %z"),
            environ["REQUEST_METHOD"],
            target,
            environ.get("SERVER_PROTOCOL"),
            seen.get("status", "-"),
            environ.get("HTTP_REFERER", "-"),
            environ.get("HTTP_USER_AGENT", "-"),
        )
        return body

    return logged


@contextmanager
def live(app) -> Iterator[str]:
    """Serve the app from threads, as `make run` does, and give its base address."""
    server = make_server("127.0.0.1", 0, gunicorn_style_access_log(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


def api_cast(base: str, slug: str, code: str, choices: list[str]) -> tuple[int, str | None]:
    """Cast through the partners' API: the status, and the receipt when there is one."""
    request = urllib.request.Request(
        f"{base}/api/v1/rounds/{slug}/ballots",
        data=json.dumps({"code": code, "choices": choices}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)["receipt"]
    except urllib.error.HTTPError as error:
        return error.code, None


class _Page(HTMLParser):
    """The forms (fields, buttons) and links of a page, as a browser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[dict] = []
        self._open: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").upper()
            self.forms.append({"action": attrs.get("action") or "", "method": method})
            self.forms[-1] |= {"fields": [], "buttons": []}
        elif tag == "input" and self.forms and attrs.get("name"):
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                return
            self.forms[-1]["fields"].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "button" and self.forms:
            self._open = {"name": attrs.get("name"), "value": attrs.get("value"), "text": ""}
            self.forms[-1]["buttons"].append(self._open)
        elif tag == "a" and attrs.get("href"):
            self._open = {"href": attrs["href"], "text": ""}
            self.links.append(self._open)

    def handle_endtag(self, tag):
        if tag in ("button", "a"):
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data


class Browser:
    """A browser with JavaScript off: one cookie jar, a Referer, redirects, its own address.

    It only does what a person could: open an address, follow a link or press a button
    on the page in front of it, sending the form's fields as the page holds them.
    """

    def __init__(self, base: str, address: str = VOTER_IP) -> None:
        self.base, self.address = base, address
        self.cookies: dict[str, str] = {}
        self.url = ""  # the page on screen: the Referer of the next request
        self.status, self.html = 0, ""

    def _send(self, method: str, url: str, form: list | None) -> tuple[int, str | None, str]:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=30, source_address=(self.address, 0)
        )
        headers = {"Accept-Language": "en", "User-Agent": "Mozilla/5.0 (test voter)"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.url:  # same-origin: the whole previous address, as Referrer-Policy allows
            headers["Referer"] = self.url
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body, headers)
        response = conn.getresponse()
        html = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        conn.close()
        return response.status, response.headers.get("Location"), html

    def open(self, url: str, method: str = "GET", form: list | None = None) -> int:
        """Load a page, following redirects as a browser does (fragments stay in the browser)."""
        url = urljoin(self.base, url).split("#")[0]
        status, location, html = self._send(method, url, form)
        while status in (301, 302, 303):
            url = urljoin(url, location).split("#")[0]
            status, location, html = self._send("GET", url, None)
        self.url, self.status, self.html = url, status, html
        return status

    def click(self, label: str = "", *, button: tuple[str, str] | None = None, **typed) -> int:
        """Press the button (by its words, or its name and value) or follow the link."""
        page = _Page(self.html)
        for form in page.forms:
            for b in form["buttons"]:
                if (button and (b["name"], b["value"]) == button) or (label and label in b["text"]):
                    fields = [(k, v) for k, v in form["fields"] if k not in typed]
                    fields += list(typed.items())
                    if b["name"]:
                        fields.append((b["name"], b["value"] or ""))
                    action = urljoin(self.url, form["action"] or self.url.split("?")[0])
                    if form["method"] == "GET":
                        return self.open(f"{action}?{urlencode(fields)}")
                    return self.open(action, "POST", fields)
        for link in page.links:
            if label and label in link["text"]:
                return self.open(link["href"])
        raise AssertionError(f"nothing to press called {label or button} on {self.url}")

    def say(self) -> str:
        """The page's words, tags stripped: what a person reads."""
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.html))


def browser_vote(base: str, rnd, code: str, choices: list[str]) -> str | None:
    """A voter's whole ballot, from the round page to the receipt; None when it failed."""
    voter = Browser(base)
    voter.open(f"/rounds/{rnd.slug}")
    voter.click("Vote now")
    voter.click("Start now")
    voter.click("Continue", code=code.lower().replace("-", " "))
    return fill_and_cast(voter, choices)


def fill_and_cast(voter: Browser, choices: list[str]) -> str | None:
    for choice in choices:
        assert voter.click(button=("add", choice)) == 200, voter.say()
    voter.click("Check my choices")
    voter.click("Cast my ballot")
    return receipt_on(voter)


def receipt_on(voter: Browser) -> str | None:
    """The receipt on the page in front of the voter, if there is one."""
    found = re.search(r'class="receipt"><bdi dir="ltr">([A-Z0-9-]{11})<', voter.html)
    return found.group(1) if found else None


# --- What the database holds -----------------------------------------------------------


def pairs(rnd) -> Iterator[list[str]]:
    """Two-choice ballots within the budget, so a half-written one would show."""
    ids = [str(r.id) for r in rnd.remedies]
    return cycle([[ids[0], ids[1]], [ids[1], ids[2]], [ids[0], ids[2]]])


def assert_whole(rnd, cast: dict[str, tuple[str, list[str]]], failed: list[str]) -> None:
    """Each receipt's ballot is stored once with all its choices; failed casts left nothing.

    `cast` maps each code that got a receipt to (receipt, choices); `failed` lists codes
    whose cast ended in an error. Reads with a session of its own, as a new request would:
    the test's session may still hold a connection the database has since cut.
    """
    round_id = rnd.id
    with Session(db.engine) as session:
        stored = session.scalars(select(Ballot).where(Ballot.round_id == round_id)).all()
        found = Counter(b.receipt_hash for b in stored)
        for receipt, choices in cast.values():
            digest = ballots.receipt_hash(receipt)
            assert found[digest] == 1, f"receipt {receipt} is stored {found[digest]} times"
            [ballot] = [b for b in stored if b.receipt_hash == digest]
            assert sorted(c.remedy_id for c in ballot.choices) == sorted(map(int, choices))
        assert len(stored) == len(cast), "a ballot is stored that no voter got a receipt for"
        orphans = select(func.count(BallotChoice.id)).where(
            BallotChoice.ballot_id.not_in(select(Ballot.id))
        )
        assert session.scalar(orphans) == 0
        used = {
            code_hash
            for code_hash, is_used in session.execute(
                select(VoterCode.code_hash, VoterCode.used).where(VoterCode.round_id == round_id)
            )
            if is_used
        }
    assert used == {codes.code_hash(SECRET, c) for c in cast}, "used codes and receipts differ"
    assert not used & {codes.code_hash(SECRET, c) for c in failed}


# --- PostgreSQL fixtures and faults ------------------------------------------------------


@pytest.fixture
def pg_app(postgres_url):
    """The app on PostgreSQL only: these faults have no SQLite counterpart."""
    yield from app_on(postgres_url)


def drop_every_connection(url: str) -> int:
    """Cut every other connection to the app's database; how many there were."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return sum(1 for (done,) in conn.execute(text(KILL_ALL)) if done)
    finally:
        engine.dispose()


def test_voting_goes_on_after_the_database_drops_every_connection(pg_app, postgres_url):
    rnd = make_round(Phase.VOTING)
    slug = rnd.slug  # threads use plain values, not the test's session
    made = codes.make_codes(SECRET, rnd, 10)
    db.session.commit()
    choices = pairs(rnd)
    cast = {}
    with live(pg_app) as base:
        with ThreadPoolExecutor(4) as pool:  # several requests at once: several pooled conns
            wanted = {code: next(choices) for code in made[:4]}
            results = pool.map(lambda c: api_cast(base, slug, c, wanted[c]), wanted)
            for code, (status, receipt) in zip(wanted, results, strict=True):
                assert status == 201
                cast[code] = (receipt, wanted[code])
        code, wanted = made[4], next(choices)
        cast[code] = (browser_vote(base, rnd, code, wanted), wanted)

        db.session.close()  # the test keeps no connection of its own, as between requests
        assert drop_every_connection(postgres_url) >= 2  # the app's pool held live ones

        # The very next requests work: pre-ping finds the dead connections and replaces them.
        with ThreadPoolExecutor(4) as pool:
            wanted = {code: next(choices) for code in made[5:9]}
            results = pool.map(lambda c: api_cast(base, slug, c, wanted[c]), wanted)
            for code, (status, receipt) in zip(wanted, results, strict=True):
                assert status == 201, "a voter got an error after the database came back"
                cast[code] = (receipt, wanted[code])
        drop_every_connection(postgres_url)
        code, wanted = made[9], next(choices)
        receipt = browser_vote(base, rnd, code, wanted)
        assert receipt, "the browser voter got an error after the database came back"
        cast[code] = (receipt, wanted)
    assert_whole(rnd, cast, failed=[])


def test_casts_cut_off_at_random_are_whole_or_leave_the_code_unused(pg_app, postgres_url):
    """Every connection is cut, again every 50 ms, while 30 voters cast at once."""
    rnd = make_round(Phase.VOTING)
    slug = rnd.slug  # threads use plain values, not the test's session
    made = codes.make_codes(SECRET, rnd, 30)
    db.session.commit()
    wanted = dict(zip(made, pairs(rnd), strict=False))
    start = threading.Barrier(len(made) + 1)
    done = threading.Event()
    cut = []

    def vote(code: str) -> tuple[int, str | None]:
        start.wait()
        return api_cast(base, slug, code, wanted[code])

    def cutter() -> None:
        start.wait()
        while not done.is_set():
            cut.append(drop_every_connection(postgres_url))
            time.sleep(0.05)

    db.session.close()  # the test keeps no connection of its own, as between requests
    with live(pg_app) as base:
        killer = threading.Thread(target=cutter)
        killer.start()
        with ThreadPoolExecutor(len(made)) as pool:
            results = dict(zip(made, pool.map(vote, made), strict=True))
        done.set()
        killer.join()
        assert sum(cut) > 0, "no connection was cut while voters cast"
        assert {s for s, _ in results.values()} <= {201, 503}
        cast = {c: (r, wanted[c]) for c, (s, r) in results.items() if s == 201}
        failed = [c for c, (s, _) in results.items() if s != 201]
        assert_whole(rnd, cast, failed)

        for code in failed:  # every voter who saw an error can simply try again
            status, receipt = api_cast(base, rnd.slug, code, wanted[code])
            assert status == 201
            cast[code] = (receipt, wanted[code])
    assert_whole(rnd, cast, failed=[])


# --- A cast cut off at a chosen point, on each database --------------------------------

CUT_POINTS = {
    # Where a cast can lose its database, in the order a cast reaches them (the first
    # two are one statement when the code is looked up and marked used at once); all in
    # the request's one transaction, on both databases, then its commit.
    "looking up the code": lambda sql: "voter_code" in sql,
    "marking the code used": lambda sql: "UPDATE voter_code" in sql,
    "storing the ballot": lambda sql: "INSERT INTO ballot " in sql,
    "storing its choices": lambda sql: "INSERT INTO ballot_choice" in sql,
    "committing": lambda sql: False,  # cut by the commit hook below
}


@contextmanager
def cut_off_once(app, where: str) -> Iterator[list]:
    """The next time a request reaches `where`, its database connection dies there.

    On PostgreSQL the server ends that connection's backend, as a restart would; on
    SQLite the driver fails as on a lost disk. Yields a list that records each cut.
    """
    cuts: list = []
    engine = db.engine
    killer = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)

    def cut(dbapi_connection) -> None:
        cuts.append(where)
        if engine.dialect.name == "sqlite":
            raise sqlite3.OperationalError("disk I/O error")
        with killer.connect() as conn:  # waits up to 5 s for the backend to be gone
            pid = dbapi_connection.info.backend_pid
            conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    def before_execute(conn, cursor, statement, *_args):
        if "INSERT INTO ballot " in statement:
            conn.info["stores a ballot"] = True
        if not cuts and CUT_POINTS[where](statement):
            cut(cursor.connection)

    def before_commit(conn):
        # Only the cast's own commit: the session store commits too (coprod.sessions).
        if not cuts and conn.info.pop("stores a ballot", False):
            cut(conn.connection.dbapi_connection)

    hooks = [("before_cursor_execute", before_execute)]
    if where == "committing":
        hooks.append(("commit", before_commit))
    for name, hook in hooks:
        event.listen(engine, name, hook)
    try:
        yield cuts
    finally:
        for name, hook in hooks:
            event.remove(engine, name, hook)
        killer.dispose()


@pytest.mark.parametrize("where", CUT_POINTS)
def test_a_cast_cut_off_half_way_leaves_nothing_and_the_code_works_again(app, where, logs):
    rnd = make_round(Phase.VOTING)
    api_code, browser_code = codes.make_codes(SECRET, rnd, 2)
    db.session.commit()
    _rare_ids(rnd)
    choices = pairs(rnd)
    cast = {}
    with live(app) as base:
        wanted = next(choices)
        with cut_off_once(app, where) as cuts:
            status, receipt = api_cast(base, rnd.slug, api_code, wanted)
        assert cuts == [where] and (status, receipt) == (503, None)
        assert_whole(rnd, cast, failed=[api_code])
        status, receipt = api_cast(base, rnd.slug, api_code, wanted)
        assert status == 201
        cast[api_code] = (receipt, wanted)

        voter, wanted = Browser(base), next(choices)
        voter.open(f"/rounds/{rnd.slug}/take-part")
        voter.click("Continue", code=browser_code)
        with cut_off_once(app, where) as cuts:
            assert fill_and_cast(voter, wanted) is None
        assert cuts == [where] and voter.status == 503
        assert "Sorry, we can't save your vote right now." in voter.say()
        assert "Please try again in a minute." in voter.say()
        assert_whole(rnd, cast, failed=[browser_code])
        # Back to the review page (the choices are kept) and press Cast again.
        voter.open(f"/rounds/{rnd.slug}/review")
        voter.click("Cast my ballot")
        receipt = receipt_on(voter)
        assert receipt, voter.say()
        cast[browser_code] = (receipt, wanted)
    assert_whole(rnd, cast, failed=[])

    # Operators see what went wrong, but the error logs name no code, hash or receipt.
    assert any("database is unavailable" in line and "OperationalError" in line for line in logs)
    for code, (receipt, _choices) in cast.items():
        assert_nothing_identifying(logs, rnd, code, receipt)


def test_a_cast_that_fails_inside_the_database_leaves_nothing(app):
    """A ballot naming a remedy the database does not have fails on its last write (the
    choices' foreign key), after the code was marked used and the ballot stored: the
    request's rollback undoes all of it, and the code still casts. The same statements,
    in the same order, on both databases."""
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    real, missing = str(rnd.remedies[0].id), "999999"
    rules = ballots.frozen_rules(rnd)
    rules = rules | {"costs": rules["costs"] | {missing: 1}}
    sent = []

    def record(_conn, _cursor, statement, *_rest) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with pytest.raises(sa.exc.IntegrityError):
            ballots.cast(SECRET, rnd, code, [real, missing], rules=rules)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    db.session.rollback()  # what the failed request's end does
    writes = [" ".join(m.groups()) for s in sent if (m := WRITE.match(s))]
    assert writes == ["UPDATE voter_code", "INSERT INTO ballot", "INSERT INTO ballot_choice"]
    assert_whole(rnd, {}, failed=[code])
    receipt = ballots.cast(SECRET, rnd, code, [real], rules=rules)
    db.session.commit()
    assert_whole(rnd, {code: (receipt, [real])}, failed=[])


WRITE = re.compile(r"\s*(UPDATE|INSERT INTO) (\w+)")


# --- The database away: "try again in a minute" ----------------------------------------


@contextmanager
def database_away(app) -> Iterator[None]:
    """Every statement fails as when the database is down or restarting, until the end."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        lost = sqlite3.OperationalError("unable to open database file")
    else:
        import psycopg

        lost = psycopg.OperationalError("server closed the connection unexpectedly")

    def refuse(*_args) -> None:
        raise lost

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


def test_with_the_database_away_voters_are_asked_to_try_again_and_keep_choices(app, logs):
    # As in production: an error before any view runs (reading the visitor's session from
    # the database) goes to the error pages too, not out of the app as tests usually want.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    rnd = make_round(Phase.VOTING)
    api_code, browser_code = codes.make_codes(SECRET, rnd, 2)
    db.session.commit()
    wanted = next(pairs(rnd))
    db.session.close()  # the test keeps no connection of its own, as between requests
    organiser = app.test_client()
    with app.app_context():
        from tests.factories import make_user
        from tests.test_staff import sign_in

        sign_in(organiser, make_user(Role.ORGANISER))
    with live(app) as base:
        voter = Browser(base)
        voter.open(f"/rounds/{rnd.slug}/take-part")
        voter.click("Continue", code=browser_code)
        for choice in wanted:
            voter.click(button=("add", choice))
        voter.click("Check my choices")
        with database_away(app):
            voter.click("Cast my ballot")
            assert voter.status == 503
            assert "Sorry, we can't save your vote right now." in voter.say()
            assert "Please try again in a minute." in voter.say()
            assert api_cast(base, rnd.slug, api_code, wanted) == (503, None)

            client = app.test_client()
            api = client.post(
                f"/api/v1/rounds/{rnd.slug}/ballots", json={"code": api_code, "choices": wanted}
            )
            assert api.status_code == 503 and api.headers["Retry-After"] == "60"
            assert api.get_json() == {"error": "Sorry, we can't save your vote right now."}
            for who, url in [
                (client, f"/rounds/{rnd.slug}/remedies/{wanted[0]}"),
                (client, "/glossary"),
                (organiser, f"/staff/rounds/{rnd.slug}"),  # naming who is signed in fails too
            ]:
                page = who.get(url, headers={"Accept-Language": "en"})
                assert page.status_code == 503 and page.headers["Retry-After"] == "60", url
                assert "Please try again in a minute." in page.get_data(as_text=True)
            urdu = client.get("/glossary", headers={"Accept-Language": "ur"})
            assert urdu.status_code == 503
            assert "Please try again in a minute." not in urdu.get_data(as_text=True)

        # A minute later: the choices are still on the review page, and Cast works.
        voter.open(f"/rounds/{rnd.slug}/review")
        voter.click("Cast my ballot")
        receipt = receipt_on(voter)
        assert receipt, voter.say()
        status, api_receipt = api_cast(base, rnd.slug, api_code, wanted)
        assert status == 201
    assert_whole(rnd, {browser_code: (receipt, wanted), api_code: (api_receipt, wanted)}, [])
    assert any("database is unavailable" in line for line in logs)


# --- A real PostgreSQL restart ---------------------------------------------------------


def _pg_ready(url: str) -> bool:
    where = sa.engine.make_url(url)
    command = ["pg_isready", "-q", "-h", where.host or "127.0.0.1", "-p", str(where.port or 5432)]
    return subprocess.run(command, check=False).returncode == 0


def wait_for_postgres(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not _pg_ready(url):
        assert time.monotonic() < deadline, "PostgreSQL did not come back after its restart"
        time.sleep(0.1)


@pytest.fixture
def restartable(postgres_url):
    """The URL of a local cluster this test may restart; CI sets TEST_PG_RESTART=1."""
    if os.environ.get("TEST_PG_RESTART") != "1":
        pytest.skip(
            "restarts the PostgreSQL server, which breaks anyone else's tests on it: "
            "set TEST_PG_RESTART=1 where the suite runs alone (CI does)"
        )
    if not Path("/etc/postgresql").is_dir():
        pytest.skip("no local PostgreSQL cluster (pg_ctlcluster) to restart")
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip(
            "restarts the PostgreSQL server under the other workers' tests: "
            "CI runs it in a pass of its own, after the others (.ci/run)"
        )
    return postgres_url


def restart_postgres(url: str) -> None:
    """Restart the local cluster (fast mode: open transactions roll back) and wait for it."""
    version = sorted(os.listdir("/etc/postgresql"))[0]
    try:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True,
            timeout=60,
            capture_output=True,
        )
    finally:
        wait_for_postgres(url)  # never leave the server down, even when the restart failed


def test_voting_goes_on_across_a_real_postgresql_restart(restartable, pg_app):
    rnd = make_round(Phase.VOTING)
    slug = rnd.slug  # threads use plain values, not the test's session
    made = codes.make_codes(SECRET, rnd, 250)
    db.session.commit()
    wanted = dict(zip(made, pairs(rnd), strict=False))
    spare = iter(made[:10])  # the crowd takes the rest
    results: list[tuple[str, int, str | None, float]] = []
    stop = threading.Event()

    def voters() -> None:
        """Voters keep casting, one after another, through the restart."""
        for code in made[10:]:
            if stop.is_set():
                return
            started = time.monotonic()
            status, receipt = api_cast(base, slug, code, wanted[code])
            results.append((code, status, receipt, started))
            time.sleep(0.03 if status == 201 else 0.2)  # codes last out a slow restart

    def wait_for_casts(count: int, since: float = 0) -> None:
        """Until `count` of the crowd's casts started after `since`, however slow
        the machine (the deadline only stops a broken test from hanging)."""
        deadline = time.monotonic() + 120
        while sum(started >= since for *_r, started in results) < count:
            assert crowd.is_alive() and time.monotonic() < deadline, "the crowd stopped"
            time.sleep(0.01)

    with live(pg_app) as base:
        before = [next(spare) for _ in range(3)]
        cast = {}
        for code in before:
            status, receipt = api_cast(base, rnd.slug, code, wanted[code])
            assert status == 201
            cast[code] = (receipt, wanted[code])
        code = next(spare)
        cast[code] = (browser_vote(base, rnd, code, wanted[code]), wanted[code])

        db.session.close()  # the test keeps no connection of its own, as between requests
        crowd = threading.Thread(target=voters)
        crowd.start()
        try:
            wait_for_casts(3)  # the crowd is voting when the restart comes
            restart_postgres(restartable)
            back = time.monotonic()
            wait_for_casts(3, since=back)  # the crowd keeps voting on the restarted server
        finally:
            stop.set()
            crowd.join()

        # After the restart, with no app restart, the very next requests work.
        code = next(spare)
        status, receipt = api_cast(base, rnd.slug, code, wanted[code])
        assert status == 201
        cast[code] = (receipt, wanted[code])
        code = next(spare)
        receipt = browser_vote(base, rnd, code, wanted[code])
        assert receipt, "a voter got an error after PostgreSQL came back"
        cast[code] = (receipt, wanted[code])

        after = [(c, s) for c, s, _r, started in results if started >= back]
        assert after and all(s == 201 for _c, s in after), after
        assert {s for _c, s, _r, _t in results} <= {201, 503}
        cast |= {c: (r, wanted[c]) for c, s, r, _t in results if s == 201}
        failed = [c for c, s, _r, _t in results if s != 201]
        assert_whole(rnd, cast, failed)
        for code in failed:  # whoever saw an error during the restart votes again
            status, receipt = api_cast(base, rnd.slug, code, wanted[code])
            assert status == 201
            cast[code] = (receipt, wanted[code])
    assert_whole(rnd, cast, failed=[])


# --- Privacy: the schema -----------------------------------------------------------------

# Tables a ballot, its choices or a rating may point to: none of them knows a person.
ANONYMOUS = {"round", "area", "remedy", "barrier", "ballot"}
# Words in a column name that would tie a row to someone, somewhere or some moment.
TELLING = re.compile(
    r"code|user|person|voter|email|phone|name|ip|addr|agent|session|cookie|browser|"
    r"device|token|paper|sheet|entered|by|at|time|timestamp|created|updated|seen",
)
# Each column reviewed for secrecy; a new one fails here until someone has thought it through.
REVIEWED = {
    "ballot": {"id", "round_id", "receipt_hash", "cast_on", "channel", "lang", "area_id"},
    "ballot_choice": {"id", "ballot_id", "remedy_id", "points"},
    # `rater` is a keyed hash for another purpose than the code's own hash (checked below).
    "rating": {
        "id",
        "round_id",
        "rater",
        "barrier_id",
        "remedy_id",
        "score",
        "indicative",
        "lang",
        "rated_on",
        "channel",  # online or typed in from a paper sheet, as on ballots
    },
}


@pytest.mark.parametrize("table", sorted(REVIEWED))
def test_votes_and_ratings_have_no_column_that_links_them_to_someone(table):
    columns = db.metadata.tables[table].columns
    assert set(columns.keys()) == REVIEWED[table], (
        f"{table} changed: check that no new column can link a vote or rating to a code, "
        "a person, an address or a time of day, then update REVIEWED"
    )
    for column in columns:
        targets = {fk.column.table.name for fk in column.foreign_keys}
        assert targets <= ANONYMOUS, f"{table}.{column.name} points to {targets - ANONYMOUS}"
        words = set(column.name.split("_")) - {"id", "on"}
        assert not any(TELLING.fullmatch(w) for w in words), f"{table}.{column.name}"
        kind = getattr(column.type, "impl", column.type)  # what a TypeDecorator stores
        assert not isinstance(kind, sa.DateTime | sa.Time | sa.Interval), (
            f"{table}.{column.name} holds a time of day"
        )
        # A default the database fills in may only be a fixed word (rows from before a
        # column existed), never something it works out, such as the time of the write.
        default = column.server_default
        assert default is None or isinstance(getattr(default, "arg", None), str), column.name
        assert column.server_onupdate is None


def test_stored_votes_and_ratings_hold_no_code_or_its_hash(app):
    """What a rating and a ballot actually store, for a code used for both, on each database."""
    rnd = make_round(Phase.RATING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    with live(app) as base:
        voter = Browser(base)
        voter.open(f"/rounds/{rnd.slug}/take-part")
        voter.click("Continue", code=code)
        remedy = rnd.remedies[0]
        voter.click("Save my answers", **{f"remedy-{remedy.id}": "5"})
        assert "Your answers are saved" in voter.say()
        change_phase(rnd, Phase.VOTING)
        db.session.commit()
        voter.open(f"/rounds/{rnd.slug}/ballot")
        receipt = fill_and_cast(voter, [str(remedy.id)])
        assert receipt
    db.session.rollback()
    code_hash = codes.code_hash(SECRET, code)
    forbidden = {codes.normalise(code), code, code_hash}
    for model in (Ballot, BallotChoice, Rating):
        for row in db.session.execute(select(model.__table__)).all():
            held = " ".join(f"{v} {str(v).upper()}" for v in row)
            assert not [f for f in forbidden if f in held], f"{model.__tablename__}: {row}"
    raters = set(db.session.scalars(select(Rating.rater)))
    assert raters and not raters & set(db.session.scalars(select(VoterCode.code_hash)))


# --- Privacy: the logs ------------------------------------------------------------------


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))  # with any traceback, as a log file holds it


@pytest.fixture
def logs() -> Iterator[list[str]]:
    """Every log line from every logger at DEBUG, with the access logs.

    Only SQLAlchemy's statement log stays at WARNING, where SQLAlchemy itself keeps it
    unless echo is on (it is off in production): echo="debug" prints every row read,
    codes' hashes included. Its warnings and errors are captured like everything else.
    """
    handler = _Lines()
    levels = {
        "": logging.DEBUG,
        "werkzeug": logging.DEBUG,
        "gunicorn.access": logging.DEBUG,
        "coprod.factory": logging.DEBUG,  # the Flask app's logger
        "flask-limiter": logging.DEBUG,
        "sqlalchemy.pool": logging.DEBUG,
        "sqlalchemy.engine": logging.WARNING,
    }
    before = {name: logging.getLogger(name).level for name in levels}
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    logging.getLogger().addHandler(handler)
    try:
        yield handler.lines
    finally:
        logging.getLogger().removeHandler(handler)
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


def _squash(line: str) -> str:
    """Letters and digits only, capitals: finds a code in any spelling, even URL-encoded."""
    return re.sub(r"[^A-Z0-9]", "", unquote_plus(line).upper())


def assert_nothing_identifying(lines: list[str], rnd, code: str, receipt: str) -> None:
    """No line holds the code in any spelling, its hashes, the receipt, its hash or the id."""
    digest = ballots.receipt_hash(receipt)
    with Session(db.engine) as session:
        ballot_id = session.scalar(select(Ballot.id).where(Ballot.receipt_hash == digest))
    assert ballot_id is not None
    plain = codes.normalise(code)
    hashes = {
        codes.code_hash(SECRET, code),
        codes.keyed_hash(SECRET, f"rater:{rnd.id}", plain),  # the rating pseudonym
        digest,
    }
    for line in lines:
        squashed = _squash(line)
        assert plain not in squashed, f"the voter's code is in the log: {line}"
        assert codes.normalise(receipt) not in squashed, f"the receipt is in the log: {line}"
        assert not {h for h in hashes if h in line.lower()}, f"a hash is in the log: {line}"
        assert not re.search(rf"(?<!\d){ballot_id}(?!\d)", line), f"ballot id in: {line}"


def _rare_ids(rnd) -> None:
    """Make the next ballot's id a number no log line would hold by chance."""
    start = 1_500_000_000 + rnd.id * 1000
    other = make_round(Phase.DRAFT)  # a placeholder ballot, in a round nobody votes in
    db.session.add(
        Ballot(id=start, round_id=other.id, receipt_hash="0" * 64, cast_on=rnd.voting_opens)
    )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence('ballot', 'id'), :n)"), {"n": start}
        )
        db.session.commit()


def test_logs_never_link_a_voter_to_a_ballot(app, logs):
    """One voter's whole way through, on a live server: rate, vote, receipt, check."""
    rnd = make_round(Phase.RATING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    _rare_ids(rnd)
    first, second, _third = rnd.remedies
    with live(app) as base:
        voter = Browser(base)
        voter.open(f"/rounds/{rnd.slug}")
        voter.click("Give your views")
        voter.click("Continue", code=code.lower())
        voter.click(
            "Save my answers",
            **{f"barrier-{rnd.barriers[0].id}": "4", f"remedy-{first.id}": "5"},
        )
        assert "Your answers are saved" in voter.say()

        change_phase(rnd, Phase.VOTING)
        db.session.commit()
        voter.open(f"/rounds/{rnd.slug}")
        voter.click("Vote now")
        voter.click("Start now")
        voter.click("Continue", code=code)
        receipt = fill_and_cast(voter, [str(first.id), str(second.id)])
        assert receipt, voter.say()
        voter.click("Check my ballot")
        assert "Your ballot is in the count." in voter.say()

        # A week later, from another place: the round page, then the receipt typed in.
        later = Browser(base, address="127.0.0.78")
        later.open(f"/rounds/{rnd.slug}")
        later.click("Check my ballot")
        later.click("Check", receipt=receipt.lower())
        assert "Your ballot is in the count." in later.say()
        later.open("/")  # the next page's Referer is the check page's address

    db.session.rollback()
    access = [line for line in logs if VOTER_IP in line]
    assert any(f"POST /rounds/{rnd.slug}/cast" in line for line in access)
    assert any(f'"{base}/rounds/{rnd.slug}/review"' in line for line in access)  # Referer
    assert any("/check" in line and "127.0.0.78" in line for line in logs)
    assert_nothing_identifying(logs, rnd, code, receipt)


# --- Hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, status, reason",
    [
        ("[" * 100_000 + "]" * 100_000, 400, "too_deep"),
        ('{"code": "x", "choices": ' + "[" * 50_000 + "]" * 50_000 + "}", 400, "too_deep"),
        ('{"code": "x", "choices": [[[["1"]]]]}', 422, "bad_request"),
        ('{"code": "x", "choices": [{"id": "1"}]}', 422, "bad_request"),
    ],
    ids=["deep array", "deep choices", "nested choices", "a choice as an object"],
)
def test_the_ballot_api_refuses_deeply_nested_json_in_json(app, body, status, reason):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    response = app.test_client().post(
        f"/api/v1/rounds/{rnd.slug}/ballots",
        data=body.replace('"x"', json.dumps(code)),
        content_type="application/json",
    )
    assert response.status_code == status
    assert response.get_json()["reasons"][0]["code"] == reason
    assert_whole(rnd, {}, failed=[code])  # nothing stored, the code still unused


PB = (
    "META\nkey;value\nbudget;{budget}\nnum_projects;2\nnum_votes;2\nvote_type;approval\n"
    "PROJECTS\nproject_id;cost;name\n1;60;{name}\n2;50;Mural\n"
    "VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
)
HOSTILE_PB = {
    "a 400-digit budget": (PB.format(budget="9" * 400, name="Bench"), "line 3: budget is too"),
    "a 131,072-character name": (
        PB.format(budget=100, name="B" * 131_072),
        "line 9: a cell is longer than",
    ),
    "a budget the database cannot hold": (
        PB.format(budget=10**17, name="Bench"),
        "larger than 2,147,483,647",
    ),
}


@pytest.mark.parametrize("hostile", HOSTILE_PB)
def test_a_hostile_pb_file_is_refused_in_words_on_the_web_and_the_command_line(
    app, runner, tmp_path, hostile
):
    from io import BytesIO

    from tests.conftest import csrf_token
    from tests.factories import make_user
    from tests.test_staff import sign_in

    text, reason = HOSTILE_PB[hostile]
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANISER))
    response = client.post(
        "/staff/import",
        data={
            "file": (BytesIO(text.encode()), "hostile.pb"),
            "slug": "hostile",
            "csrf_token": csrf_token(client, "/staff/import"),
        },
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert reason in response.get_data(as_text=True)

    source = tmp_path / "hostile.pb"
    source.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import-pb", str(source)])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1
    assert result.output.startswith(f"Error: {source}: ") and reason in result.output
    assert len(result.output.splitlines()) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def not_utf8_file(tmp_path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes("META\nkey;value\nname;Zürich\n".encode("latin-1"))
    return path


@pytest.mark.parametrize("command", ["import-pb", "import"])
def test_flask_commands_name_a_file_that_is_not_utf8_in_one_line(runner, tmp_path, command):
    source = not_utf8_file(tmp_path, "latin1.pb")
    result = runner.invoke(args=[command, str(source)])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1
    assert result.output == f"Error: {source}: not UTF-8 text (byte 22 cannot be read as UTF-8)\n"


@pytest.mark.parametrize("module", ["coprod.tally", "coprod.plain"])
def test_python_m_commands_name_a_file_that_is_not_utf8_in_one_line(tmp_path, module):
    source = not_utf8_file(tmp_path, "latin1.txt")
    done = subprocess.run(
        [os.sys.executable, "-m", module, str(source)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode != 0 and done.stdout == ""
    assert done.stderr == f"{source}: not UTF-8 text (byte 22 cannot be read as UTF-8)\n"


def test_a_status_without_words_of_its_own_keeps_its_code(app):
    """A Range beyond a static file's end is a 416, shown as such, not as a 500."""
    response = app.test_client().get("/static/coprod.css", headers={"Range": "bytes=99999999-"})
    assert response.status_code == 416
    assert "Something was wrong with the request" in response.get_data(as_text=True)


def test_a_value_the_database_refuses_is_a_bad_request_not_a_crash(app, logs):
    """On PostgreSQL, text with a NUL byte (or a number beyond a column) that got past the
    forms and converters is refused by the database: the person sees a 400."""

    def stores_a_nul():
        db.session.execute(select(Ballot.id).where(Ballot.receipt_hash == "a\x00b")).all()
        return "stored"

    app.add_url_rule("/stores-a-nul", view_func=stores_a_nul)
    response = app.test_client().get("/stores-a-nul", headers={"Accept-Language": "en"})
    if db.engine.dialect.name == "sqlite":  # SQLite takes NUL in text
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "Something was wrong with the request" in response.get_data(as_text=True)
    assert any("refused a value" in line for line in logs)
