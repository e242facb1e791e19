"""Sessions live on the server: the cookie is a random id, so the next person at a shared
computer finds no code and no choices in the browser, and casting forgets them."""

import re
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from flask import flash
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import Group, Phase, Role
from coprod.operations import codes
from tests.conftest import csrf_token, make_app
from tests.factories import make_round, make_user
from tests.test_participate import ballot_token, enter
from tests.test_staff import sign_in

SECRET = "test-secret"


def stored(app) -> dict[str, dict]:
    """Every session in the database store, by the id its cookie carries."""
    model = app.session_interface.sql_session_model
    db.session.expire_all()
    rows = db.session.scalars(select(model)).all()
    return {r.session_id.removeprefix("session:"): msgspec.msgpack.decode(r.data) for r in rows}


def session_cookie(response) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            return header
    return None


def choose(client, rnd, code: str) -> list[str]:
    """Type the code and put two remedies on the ballot; the remedies' ids."""
    assert enter(client, rnd, code).status_code == 302
    token = ballot_token(client, rnd)
    chosen = [str(rnd.remedies[0].id), str(rnd.remedies[1].id)]
    for remedy in chosen:
        response = client.post(
            f"/rounds/{rnd.slug}/ballot", data={"add": remedy, "csrf_token": token}
        )
        assert response.status_code == 302
    return chosen


def test_the_cookie_holds_only_an_id_and_the_code_and_choices_stay_on_the_server(app):
    rnd = make_round(Phase.VOTING, costs=(4000, 3000, 5000))
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    client = app.test_client()
    assert enter(client, rnd, code).status_code == 302
    token = ballot_token(client, rnd)
    response = client.post(
        f"/rounds/{rnd.slug}/ballot", data={"add": str(rnd.remedies[1].id), "csrf_token": token}
    )
    header = session_cookie(response)
    assert header is not None  # the choice changed the session
    value = header.split(";")[0].removeprefix("session=")
    # Flask's own signed cookie would carry the code and choices, readable by anyone who
    # base64-decodes it; this one is not such a cookie at all.
    assert codes.normalise(code) not in value
    with pytest.raises(BadSignature):
        SecureCookieSessionInterface().get_signing_serializer(app).loads(value)
    assert len(value) >= 43  # 32 random bytes
    # The browser session cookie dies with the browser; scripts cannot read it.
    attributes = header.lower()
    assert "httponly" in attributes and "samesite=lax" in attributes
    assert "expires" not in attributes and "max-age" not in attributes
    assert stored(app)[value][f"choices:{rnd.slug}"] == [str(rnd.remedies[1].id)]
    assert stored(app)[value][f"code:{rnd.slug}"] == codes.normalise(code)


def test_casting_forgets_the_code_and_choices_and_the_old_session_id(app):
    rnd = make_round(Phase.VOTING, costs=(4000, 3000, 5000))
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    client = app.test_client()
    chosen = choose(client, rnd, code)
    before = client.get_cookie("session").value
    assert stored(app)[before][f"choices:{rnd.slug}"] == chosen

    token = ballot_token(client, rnd)
    response = client.post(f"/rounds/{rnd.slug}/cast", data={"choice": chosen, "csrf_token": token})
    assert response.headers["Location"].endswith("/receipt")
    after = client.get_cookie("session").value
    assert after != before
    kept = stored(app)
    assert before not in kept  # someone who saw the old id finds nothing
    assert set(kept) == {after}
    assert not [key for key in kept[after] if key.startswith(("code:", "choices:"))]
    assert codes.normalise(code) not in str(kept[after])
    # The voter still sees their receipt, and an old cookie brings back no code.
    assert client.get(f"/rounds/{rnd.slug}/receipt").status_code == 200
    old = app.test_client()
    old.set_cookie("session", before)
    assert old.get(f"/rounds/{rnd.slug}/ballot").headers["Location"].endswith("/take-part")


def test_showing_and_reloading_the_ballot_leaves_the_session_as_it_was(app):
    """Only a change is stored: the ballot's order comes from the code, not the session."""
    rnd = make_round(Phase.VOTING, costs=(4000, 3000, 5000, 2000, 1000))
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    client = app.test_client()
    assert enter(client, rnd, code).status_code == 302
    [before] = stored(app).values()
    pages = [client.get(f"/rounds/{rnd.slug}/ballot") for _ in range(2)]
    assert [p.status_code for p in pages] == [200, 200]
    assert [session_cookie(p) for p in pages] == [None, None]
    assert list(stored(app).values()) == [before]
    # The voter's own order, the same on every reload.
    order = [re.findall(r'name="add" value="(\d+)"', p.get_data(as_text=True)) for p in pages]
    assert order[0] == order[1] and sorted(order[0]) == sorted(str(r.id) for r in rnd.remedies)


def test_a_visitor_who_needs_no_session_gets_no_cookie_and_no_row(app, client):
    rnd = make_round(Phase.VOTING)
    for url in ("/", f"/rounds/{rnd.slug}", "/glossary", "/privacy"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert session_cookie(response) is None, url
    assert stored(app) == {}


def test_signing_in_and_out_gives_a_new_session_id_and_keeps_the_form_working(app):
    user = make_user(Role.ORGANISER)
    client = app.test_client()
    client.get("/sign-in")  # the form's CSRF token is in a session made now
    visitor = client.get_cookie("session").value
    sign_in(client, user)  # the token from that session is accepted
    signed_in = client.get_cookie("session").value
    assert signed_in != visitor and visitor not in stored(app)
    assert client.get("/staff/").status_code == 200
    # An id planted or seen before signing in gives no one the account.
    planted = app.test_client()
    planted.set_cookie("session", visitor)
    assert planted.get("/staff/").status_code == 302

    token = csrf_token(client, "/staff/")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get_cookie("session").value != signed_in
    assert signed_in not in stored(app)
    assert client.get("/staff/").status_code == 302


def test_a_message_in_lazy_text_is_kept_in_the_visitors_language(app):
    # Flask-Login's "Please sign in" is lazy text; the store keeps plain values only.
    client = app.test_client()
    response = client.get("/staff/", headers={"Accept-Language": "pl"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "pl"})
    assert page.status_code == 200
    assert "Zaloguj się, aby zobaczyć tę stronę." in page.get_data(as_text=True)


def test_what_a_request_did_not_commit_is_not_committed_by_the_session_store(app):
    def half_done():
        db.session.add(Group(slug="half-done", name="Never committed"))
        db.session.flush()
        flash("Something was refused.")  # the session changes, so it is stored
        return "refused", 400

    app.add_url_rule("/half-done", view_func=half_done)
    client = app.test_client()
    assert client.get("/half-done").status_code == 400
    assert client.get_cookie("session") is not None
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Group.id)).where(Group.slug == "half-done")) == 0


def test_expired_sessions_are_deleted_by_themselves(app, monkeypatch):
    rnd = make_round(Phase.VOTING)
    [old_code, new_code] = codes.make_codes(SECRET, rnd, 2)
    db.session.commit()
    old, new = app.test_client(), app.test_client()
    enter(old, rnd, old_code)
    enter(new, rnd, new_code)
    model = app.session_interface.sql_session_model
    old_id = "session:" + old.get_cookie("session").value
    db.session.execute(
        model.__table__.update()
        .where(model.session_id == old_id)
        .values(expiry=datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1))
    )
    db.session.commit()
    # On average once in SESSION_CLEANUP_N_REQUESTS requests: this one is it.
    monkeypatch.setattr("random.randint", lambda low, high: low)
    app.test_client().get("/privacy")
    assert set(stored(app)) == {new.get_cookie("session").value}


def test_a_server_session_lasts_hours_not_weeks(app):
    assert app.config["SESSION_PERMANENT"] is False
    assert timedelta(hours=1) <= app.permanent_session_lifetime <= timedelta(days=1)


def test_with_redis_set_but_down_a_voter_still_votes(monkeypatch, tmp_path):
    """Sessions stay in the database even when REDIS_URL is set, so Redis going down on
    the last evening of voting cannot stop anyone."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    app = make_app(f"sqlite:///{tmp_path / 'redis-down.db'}")
    with app.app_context():
        db.create_all()
        rnd = make_round(Phase.VOTING, costs=(4000, 3000, 5000))
        [code] = codes.make_codes(SECRET, rnd, 1)
        db.session.commit()
        voter = app.test_client()
        chosen = choose(voter, rnd, code)
        [kept] = stored(app).values()
        assert kept[f"choices:{rnd.slug}"] == chosen
        token = ballot_token(voter, rnd)
        cast = voter.post(f"/rounds/{rnd.slug}/cast", data={"choice": chosen, "csrf_token": token})
        assert cast.status_code == 302
        assert "receipt" in voter.get(cast.headers["Location"]).get_data(as_text=True).lower()
        db.session.remove()
        db.engine.dispose()


def test_the_cookie_is_sent_over_https_only_when_asked(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'secure.db'}", SESSION_COOKIE_SECURE=True)
    with app.app_context():
        db.create_all()
        response = app.test_client().get("/sign-in")  # the form's token needs a session
        assert "; secure" in session_cookie(response).lower()
        db.engine.dispose()
