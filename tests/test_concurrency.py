"""One code, one ballot: real concurrent requests against a live server, on each database."""

import http.client
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from coprod.extensions import db
from coprod.models import Ballot, Phase, VoterCode
from coprod.operations import codes
from tests.conftest import csrf_token
from tests.factories import make_round

CLIENTS = 60


@pytest.fixture
def server(app):
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def post_json(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_many_phones_one_code_make_exactly_one_ballot(app, server):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(app.config["SECRET_KEY"], rnd, 1)
    db.session.commit()
    url = f"{server}/api/v1/rounds/{rnd.slug}/ballots"
    start = threading.Barrier(CLIENTS)
    ids = [str(r.id) for r in rnd.remedies]

    def cast(i: int) -> int:
        choice = ids[i % 2]
        start.wait()  # all requests leave together
        return post_json(url, {"code": code, "choices": [choice]})

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(cast, range(CLIENTS)))

    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == CLIENTS - 1, statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Ballot.id))) == 1
    assert db.session.scalar(select(VoterCode.used)) is True


def test_many_codes_at_once_all_count(app, server):
    rnd = make_round(Phase.VOTING)
    made = codes.make_codes(app.config["SECRET_KEY"], rnd, CLIENTS)
    db.session.commit()
    url = f"{server}/api/v1/rounds/{rnd.slug}/ballots"
    start = threading.Barrier(CLIENTS)
    choice = str(rnd.remedies[0].id)

    def cast(code: str) -> int:
        start.wait()
        return post_json(url, {"code": code, "choices": [choice]})

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(cast, made))
    assert statuses == [201] * CLIENTS
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Ballot.id))) == CLIENTS


def test_many_phones_pressing_cast_with_one_code_make_exactly_one_ballot(app, server):
    """The same, through the voting pages: each phone has typed the code and chosen; then
    all press "Cast my ballot" at once. Each press uses the code (`codes.use`) and stores its
    ballot in the request's one transaction, the same on both databases."""
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(app.config["SECRET_KEY"], rnd, 1)
    db.session.commit()
    slug, choice = rnd.slug, str(rnd.remedies[0].id)
    phones = []
    for _ in range(CLIENTS):
        phone = app.test_client()
        token = csrf_token(phone, f"/rounds/{slug}/take-part")
        phone.post(f"/rounds/{slug}/take-part", data={"code": code, "csrf_token": token})
        phones.append((phone.get_cookie("session").value, token))
    host, port = server.removeprefix("http://").split(":")
    start = threading.Barrier(CLIENTS)

    def press_cast(phone: tuple[str, str]) -> str:
        cookie, token = phone
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        body = f"choice={choice}&csrf_token={token}"
        headers = {
            "Cookie": f"session={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        start.wait()
        conn.request("POST", f"/rounds/{slug}/cast", body, headers)
        response = conn.getresponse()
        conn.close()
        return response.getheader("Location", str(response.status))

    with ThreadPoolExecutor(CLIENTS) as pool:
        places = list(pool.map(press_cast, phones))
    assert sum(p.endswith("/receipt") for p in places) == 1, places
    assert sum(p.endswith(f"/rounds/{slug}") for p in places) == CLIENTS - 1, places
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Ballot.id))) == 1
    assert db.session.scalar(select(VoterCode.used)) is True
