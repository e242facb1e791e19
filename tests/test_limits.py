"""Limits slow guessing down but never refuse a right code, and never lock anyone out.

A voter code has about 60 bits: guessing one is hopeless, so the limits only slow floods.
Wrong codes slow down the address that sends them, after an allowance no community centre
reaches; a right code is let in whatever anyone did. Staff sign-in slows down one account
at one address, never the account everywhere.
"""

import logging
import re
import types

import limits.storage.memory
import pyotp
import pytest
import redis
from sqlalchemy import select

from coprod import slowdown
from coprod.accounts import second_factor
from coprod.extensions import db, limiter
from coprod.models import Ballot, Phase, Role, User
from coprod.operations import codes
from tests.conftest import csrf_token, make_app
from tests.factories import make_round, make_user

SECRET = "test-secret"
ALLOWANCE = slowdown.wrong_codes.allowance
UNKNOWN = "We couldn&#39;t find this code"
REDIS_TEST_DB = "redis://127.0.0.1:6379/1"
CLOSED_PORT = "redis://127.0.0.1:1/0"
PASSWORD = "correct horse battery"  # what make_user gives everyone


class FakeClock:
    """Time for the limits' counters that a test moves on by hand."""

    def __init__(self) -> None:
        self.now = 2_000_000_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    stand_in = types.SimpleNamespace(time=fake.time, monotonic=fake.monotonic)
    monkeypatch.setattr(limits.storage.memory, "time", stand_in)
    monkeypatch.setattr(slowdown, "time", stand_in)
    monkeypatch.setattr(second_factor, "time", stand_in)
    return fake


def at(address: str, **headers) -> dict:
    """What a request from `address` carries, with any extra headers."""
    return {"environ_base": {"REMOTE_ADDR": address}, "headers": headers}


class Voter:
    """Types codes into a round's code page, from any address, as a browser would."""

    def __init__(self, client, rnd) -> None:
        self.client, self.url = client, f"/rounds/{rnd.slug}/take-part"
        self.token = csrf_token(client, self.url)

    def enter(self, code: str, address: str = "192.0.2.1", **headers):
        data = {"code": code, "csrf_token": self.token}
        return self.client.post(self.url, data=data, **at(address, **headers))


def wrong(n: int) -> str:
    return f"ZZZZ-ZZZZ-{n:04d}"  # the right shape, never a code the round made


def seconds_said(page: str) -> int:
    """The wait a page names, in seconds (it speaks in whole minutes)."""
    return int(re.search(r"wait (\d+) minute", page).group(1)) * 60


def test_right_codes_get_in_after_a_thousand_wrong_ones_from_many_addresses(client, database):
    rnd = make_round(Phase.VOTING)
    right = iter(codes.make_codes(SECRET, rnd, 40))
    db.session.commit()
    voter = Voter(client, rnd)
    # Five addresses send 150 wrong codes each (far past the allowance) and 250 more send one.
    floods = [f"198.51.100.{i}" for i in range(1, 6)]
    strays = [f"203.0.113.{i}" if i < 250 else "2001:db8::1" for i in range(1, 251)]
    statuses = [voter.enter(wrong(n), floods[n % 5]).status_code for n in range(750)]
    statuses += [voter.enter(wrong(n), address).status_code for n, address in enumerate(strays)]
    assert len(statuses) == 1000 and 429 in statuses
    # Right codes from the same addresses, the slowed ones first, and from new ones: all in.
    for address in floods + strays[:10] + [f"192.0.2.{i}" for i in range(1, 16)]:
        fresh = client.application.test_client()
        response = Voter(fresh, rnd).enter(next(right), address)
        assert response.status_code == 302, address
        assert response.headers["Location"].endswith(f"/rounds/{rnd.slug}/ballot")


def test_thirty_typos_from_one_community_centre_slow_nobody_down(client, clock):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    voter = Voter(client, rnd)
    centre = "192.0.2.30"
    for n in range(30):
        response = voter.enter(wrong(n), centre)
        assert response.status_code == 200 and UNKNOWN in response.text
        clock.advance(60)  # thirty typos over half an hour
    assert voter.enter(code, centre).status_code == 302
    typo = voter.enter(wrong(31), centre)
    assert typo.status_code == 200 and UNKNOWN in typo.text and "wait" not in typo.text


def test_past_the_allowance_an_address_waits_longer_each_time_and_is_told_how_long(client, clock):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    voter = Voter(client, rnd)
    guesser, neighbour = "198.51.100.7", "198.51.100.8"
    assert {voter.enter(wrong(n), guesser).status_code for n in range(ALLOWANCE)} == {200}

    first = voter.enter(wrong(100), guesser)
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "60"
    assert "Too many wrong codes from this connection. Please wait 1 minute" in first.text
    assert 'class="error-message"' in first.text  # by the box, so the voter can try again

    # Half-way through, a wrong code hears what is left, and the wait does not grow.
    clock.advance(30)
    during = voter.enter(wrong(101), guesser)
    assert during.status_code == 429 and during.headers["Retry-After"] == "30"
    # Another address is not slowed at all, and a right code from this one gets in.
    assert voter.enter(wrong(102), neighbour).status_code == 200
    assert voter.enter(code, guesser).status_code == 302

    clock.advance(31)
    second = client.post(
        voter.url,
        data={"code": wrong(103), "csrf_token": voter.token},
        **at(guesser, **{"Accept-Language": "pl"}),
    )
    assert second.status_code == 429 and second.headers["Retry-After"] == "120"
    assert "Poczekaj 2 minuty" in second.text  # Polish, with the real number

    clock.advance(121)
    third = voter.enter(wrong(104), guesser)
    assert third.headers["Retry-After"] == "240" and seconds_said(third.text) == 240
    # Waits stop growing at an hour.
    for _ in range(10):
        clock.advance(3601)
        last = voter.enter(wrong(105), guesser)
    assert last.status_code == 429 and int(last.headers["Retry-After"]) <= 3600


def test_the_api_slows_wrong_codes_the_same_way_and_lets_right_ones_cast(client, clock):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    ids = [str(r.id) for r in rnd.remedies]
    url = f"/api/v1/rounds/{rnd.slug}/ballots"

    def cast(code_: str, lang: str = "en"):
        body = {"code": code_, "choices": ids[:1], "lang": lang}
        return client.post(url, json=body, **at("198.51.100.9"))

    assert {cast(wrong(n)).status_code for n in range(ALLOWANCE)} == {404}
    slowed = cast(wrong(200), lang="pl")
    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "60"
    reply = slowed.get_json()
    assert reply["error"] == "slow_down" and reply["retry_after"] == 60
    assert "Poczekaj 1 minutę" in reply["reasons"][0]["detail"]
    assert (
        client.post(url, json={"code": code, "choices": ids[:1]}, **at("198.51.100.9")).status_code
        == 201
    )
    assert len(db.session.scalars(select(Ballot)).all()) == 1


def test_a_forged_forwarded_for_header_neither_dodges_nor_causes_a_wait(client, clock):
    rnd = make_round(Phase.VOTING)
    voter = Voter(client, rnd)
    victim = "192.0.2.50"
    # Without TRUSTED_PROXIES the header is ignored: a new made-up address each time is
    # still the one address that sends them, and the victim named in it is not slowed.
    replies = [
        voter.enter(
            wrong(n), "198.51.100.66", **{"X-Forwarded-For": victim if n % 2 else f"10.0.{n}.1"}
        )
        for n in range(ALLOWANCE + 1)
    ]
    assert replies[-1].status_code == 429
    assert voter.enter(wrong(999), victim).status_code == 200


@pytest.fixture
def behind_a_proxy(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'proxied.db'}", TRUSTED_PROXIES=1)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_trusted_proxies_give_each_citizen_their_own_address(behind_a_proxy, clock):
    rnd = make_round(Phase.VOTING)
    voter = Voter(behind_a_proxy.test_client(), rnd)
    proxy = "10.0.0.2"
    for n in range(ALLOWANCE + 1):
        # The citizen puts a victim's address first; the proxy adds the real one last.
        voter.enter(wrong(n), proxy, **{"X-Forwarded-For": "192.0.2.60, 198.51.100.70"})
    assert voter.enter(wrong(1), proxy, **{"X-Forwarded-For": "198.51.100.70"}).status_code == 429
    # Everyone else behind the same proxy, the victim included, goes on as normal.
    for citizen in ("192.0.2.60", "192.0.2.61"):
        response = voter.enter(wrong(2), proxy, **{"X-Forwarded-For": citizen})
        assert response.status_code == 200


def test_trusted_proxies_must_be_a_number(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_PROXIES", "yes")
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        make_app(f"sqlite:///{tmp_path / 'x.db'}")


# --- Redis down, and Redis shared between workers -------------------------------------------


@pytest.fixture
def redis_down(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", CLOSED_PORT)  # as an operator sets it
    app = make_app(f"sqlite:///{tmp_path / 'down.db'}", RATELIMIT_STORAGE_URI=CLOSED_PORT)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_with_redis_down_code_entry_and_casting_go_on_and_the_log_says_so(redis_down, caplog):
    rnd = make_round(Phase.VOTING)
    [by_web, by_api] = codes.make_codes(SECRET, rnd, 2)
    db.session.commit()
    client = redis_down.test_client()
    voter = Voter(client, rnd)
    with caplog.at_level(logging.WARNING):
        replies = [voter.enter(wrong(n)) for n in range(ALLOWANCE + 1)]
    assert [r.status_code for r in replies] == [200] * ALLOWANCE + [429]
    assert "unreachable" in caplog.text
    assert voter.enter(by_web).status_code == 302
    url = f"/api/v1/rounds/{rnd.slug}/ballots"
    ids = [str(r.id) for r in rnd.remedies]
    from_there = at("192.0.2.1")  # where the wrong codes above came from
    assert (
        client.post(url, json={"code": wrong(1), "choices": ids}, **from_there).status_code == 429
    )
    assert (
        client.post(url, json={"code": by_api, "choices": ids[:1]}, **from_there).status_code == 201
    )


def _redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_TEST_DB, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="Redis not reachable at 127.0.0.1:6379")
def test_with_redis_every_worker_sees_the_same_counts(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = make_app(url, RATELIMIT_STORAGE_URI=REDIS_TEST_DB)
    with first.app_context():
        db.create_all()
        limiter.reset()
        rnd = types.SimpleNamespace(slug=make_round(Phase.VOTING).slug)
        voter = Voter(first.test_client(), rnd)
        for n in range(ALLOWANCE + 1):
            voter.enter(wrong(n))
        db.session.remove()
    # A second worker, with nothing in its memory, knows this address must wait.
    second = make_app(url, RATELIMIT_STORAGE_URI=REDIS_TEST_DB)
    with second.app_context():
        try:
            voter = Voter(second.test_client(), rnd)
            assert voter.enter(wrong(1)).status_code == 429
        finally:
            limiter.reset()
            db.session.remove()
            db.engine.dispose()


# --- Staff sign-in -----------------------------------------------------------------------------


def sign_in_from(client, email: str, password: str, address: str, **headers):
    token = csrf_token(client, "/sign-in")
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/sign-in", data=data, **at(address, **headers))


def test_a_strangers_guesses_never_keep_the_organiser_out(app, clock):
    organiser = make_user(Role.ORGANISER)
    stranger = app.test_client()
    replies = [
        sign_in_from(stranger, organiser.email, f"guess {n}", "198.51.100.80") for n in range(50)
    ]
    assert {r.status_code for r in replies[:10]} == {200}
    slowed = replies[10]
    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "60"
    assert "Too many wrong tries for this account from this connection" in slowed.text
    assert "Please wait 1 minute" in slowed.text
    # While the stranger waits, even the right password is not tried from there...
    assert sign_in_from(stranger, organiser.email, PASSWORD, "198.51.100.80").status_code == 429
    # ...but the organiser, at the office, signs in at once.
    office = app.test_client()
    assert sign_in_from(office, organiser.email, PASSWORD, "192.0.2.10").status_code == 302
    assert office.get("/staff/").status_code == 200
    # Another account at the stranger's address is not slowed either.
    colleague = make_user(Role.MODERATOR)
    elsewhere = app.test_client()
    assert sign_in_from(elsewhere, colleague.email, PASSWORD, "198.51.100.80").status_code == 302


def test_wrong_passwords_wait_longer_each_time_in_the_persons_language(app, clock):
    organiser = make_user(Role.ORGANISER)
    client = app.test_client()
    for n in range(10):
        sign_in_from(client, organiser.email, f"guess {n}", "198.51.100.81")
    waits = []
    for _ in range(3):
        reply = sign_in_from(
            client, organiser.email, "wrong", "198.51.100.81", **{"Accept-Language": "pl"}
        )
        waits.append(int(reply.headers["Retry-After"]))
        clock.advance(waits[-1] + 1)
    assert waits == [60, 120, 240]
    assert "Poczekaj 4 minuty" in reply.text
    # The wait over, the right password works from there too.
    assert sign_in_from(client, organiser.email, PASSWORD, "198.51.100.81").status_code == 302


def not_the_code(secret: str, now: float) -> str:
    """Six digits the app does not show around `now`."""
    right = {pyotp.TOTP(secret).at(now, counter_offset=k) for k in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def test_two_step_sign_in_end_to_end(app, clock):
    organiser = make_user(Role.ORGANISER)
    client = app.test_client()
    assert sign_in_from(client, organiser.email, PASSWORD, "192.0.2.20").status_code == 302

    # Set up: the page shows a key and a QR code; a wrong code turns nothing on.
    page = client.get("/account/two-step").text
    secret = re.search(r'<code class="ltr" dir="ltr">([A-Z2-7 ]+)</code>', page).group(1)
    secret = secret.replace(" ", "")
    assert 'src="data:image/svg+xml' in page
    token = csrf_token(client, "/account/two-step")
    refused = client.post(
        "/account/two-step", data={"code": not_the_code(secret, clock.now), "csrf_token": token}
    )
    assert refused.status_code == 200 and "That code is not right" in refused.text
    confirmed = client.post(
        "/account/two-step",
        data={"code": pyotp.TOTP(secret).at(clock.now), "csrf_token": token},
    )
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, organiser.id).totp_secret == secret
    client.post("/sign-out", data={"csrf_token": token})

    # Sign in: the password alone is not enough any more.
    later = app.test_client()
    first = sign_in_from(later, organiser.email, PASSWORD, "192.0.2.20")
    assert first.status_code == 302 and first.headers["Location"].endswith("/sign-in/code")
    assert later.get("/staff/").status_code == 302  # not signed in yet
    token = csrf_token(later, "/sign-in/code")
    wrong_code = later.post(
        "/sign-in/code", data={"code": not_the_code(secret, clock.now), "csrf_token": token}
    )
    assert "That code is not right" in wrong_code.text
    clock.advance(30)
    code = pyotp.TOTP(secret).at(clock.now)
    right = later.post("/sign-in/code", data={"code": code, "csrf_token": token})
    assert right.status_code == 302
    assert later.get("/staff/").status_code == 200
    # The same code cannot be used a second time.
    again = app.test_client()
    sign_in_from(again, organiser.email, PASSWORD, "192.0.2.20")
    token = csrf_token(again, "/sign-in/code")
    replay = again.post("/sign-in/code", data={"code": code, "csrf_token": token})
    assert replay.status_code == 200 and "That code is not right" in replay.text

    # Turn it off again with a fresh code.
    clock.advance(30)
    token = csrf_token(later, "/account/two-step")
    off = later.post(
        "/account/two-step",
        data={"code": pyotp.TOTP(secret).at(clock.now), "csrf_token": token},
    )
    assert off.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, organiser.id).totp_secret is None


def test_guessing_the_app_code_is_slowed_like_guessing_the_password(app, clock):
    organiser = make_user(Role.ORGANISER)
    secret = second_factor.new_secret()
    second_factor.turn_on(organiser, secret)
    db.session.commit()
    client = app.test_client()
    sign_in_from(client, organiser.email, PASSWORD, "198.51.100.90")
    token = csrf_token(client, "/sign-in/code")
    right = {pyotp.TOTP(secret).at(clock.now, counter_offset=k) for k in (-1, 0, 1)}
    guesses = [c for c in (f"{n:06d}" for n in range(20)) if c not in right][:11]
    statuses = [
        client.post(
            "/sign-in/code", data={"code": guess, "csrf_token": token}, **at("198.51.100.90")
        ).status_code
        for guess in guesses
    ]
    assert statuses == [200] * 10 + [429]


def test_the_app_code_page_needs_the_password_first(client):
    response = client.get("/sign-in/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert client.get("/account/two-step").status_code in (302, 401)


def test_with_redis_down_staff_still_sign_in(redis_down):
    organiser = make_user(Role.ORGANISER)
    client = redis_down.test_client()
    assert sign_in_from(client, organiser.email, "wrong", "192.0.2.1").status_code == 200
    assert sign_in_from(client, organiser.email, PASSWORD, "192.0.2.1").status_code == 302


def test_other_limits_say_the_real_wait_not_a_few_minutes(client):
    token = csrf_token(client, "/sign-up")
    for _ in range(10):  # ten sign-ups an hour from one address
        client.post("/sign-up", data={"csrf_token": token})
    refused = client.post("/sign-up", data={"csrf_token": token}, headers={"Accept-Language": "pl"})
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 3000 < wait <= 3600
    assert f"Poczekaj {-(-wait // 60)} minut" in refused.text


def test_the_conversation_code_box_slows_guessing_the_same_way(client, clock, monkeypatch):
    from dataclasses import replace

    from coprod.conversation import operations as talk

    monkeypatch.setattr(slowdown, "wrong_codes", replace(slowdown.wrong_codes, allowance=3))

    rnd = make_round(Phase.PROPOSING)
    talk.start(rnd, "What would help?")
    db.session.commit()
    url = f"/rounds/{rnd.slug}/conversation"
    token = csrf_token(client, url)
    guesser = {"REMOTE_ADDR": "198.51.100.9"}
    statuses = {
        client.post(
            f"{url}/code", data={"code": wrong(n), "csrf_token": token}, environ_base=guesser
        ).status_code
        for n in range(3)
    }
    assert statuses == {400}
    refused = client.post(
        f"{url}/code", data={"code": wrong(999), "csrf_token": token}, environ_base=guesser
    )
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
