"""Security walks: CSRF on every browser POST, headers, no traces, failures leave nothing."""

import re

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import Ballot, Phase, VoterCode
from coprod.operations import codes
from tests.factories import make_round

SECRET = "test-secret"
NO_CSRF = {"api.cast_ballot"}  # the voter code in the body is the credential


def test_every_browser_post_needs_a_csrf_token(app, client):
    make_round(Phase.VOTING, slug="round-x")
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) >= 25
    for rule in posts:
        url = re.sub(r"<int:\w+>", "1", rule.rule.replace("<slug>", "round-x"))
        url = re.sub(r"<any\(([\w-]+)[^>]*>", r"\1", re.sub(r"<\w+>", "1", url))
        status = client.post(url, data={"anything": "x"}).status_code
        if rule.endpoint in NO_CSRF:
            assert status != 400, rule.rule
        else:
            assert status == 400, f"{rule.rule} accepted a POST without a CSRF token"


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_crash_while_casting_leaves_the_code_unused_and_no_ballot(app, monkeypatch):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    url = f"/api/v1/rounds/{rnd.slug}/ballots"
    body = {"code": code, "choices": [str(rnd.remedies[0].id)]}

    def power_cut():
        raise RuntimeError("the server died mid-cast")

    # The code is marked used and the ballot written; then the request dies before its commit.
    with monkeypatch.context() as m:
        m.setattr(db.session, "commit", power_cut)
        assert app.test_client().post(url, json=body).status_code == 500
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Ballot.id))) == 0
    assert db.session.scalar(select(VoterCode.used)) is False
    assert app.test_client().post(url, json=body).status_code == 201  # it still works


def test_errors_show_no_trace_sql_or_path(app):
    def broken():
        raise RuntimeError("SELECT secret FROM /srv/coprod/app.py")

    app.add_url_rule("/boom", view_func=broken)
    response = app.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "SELECT" not in body and "/srv/" not in body and "Traceback" not in body


def test_an_oversized_upload_is_refused_in_plain_words(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/sign-in", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "That file is too big" in response.get_data(as_text=True)


def test_session_cookies_stay_readable_both_ways_and_refuse_tampering(app):
    """Our session serializer writes what Flask's own reads, and reads what Flask's wrote
    (compressed or not), so a deploy keeps every voter's code and choices."""
    ours = app.session_interface.get_signing_serializer(app)
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    session = {"csrf_token": "a" * 40, "code:round-1": "ABCDEFGHJKMN", "choices:round-1": ["1"]}
    long_session = session | {"choices:round-2": [str(n) for n in range(200)]}
    for data in (session, long_session):  # Flask compresses the long one
        assert ours.loads(flasks.dumps(data), max_age=60) == data
        assert flasks.loads(ours.dumps(data), max_age=60) == data
    assert flasks.dumps(long_session).startswith(".")  # the compressed form was tried
    cookie = ours.dumps(session)
    payload, stamp, signature = cookie.split(".")
    forged = session | {"code:round-1": "ZZZZZZZZZZZZ"}
    for bad in (
        ours.dumps(forged).split(".")[0] + f".{stamp}.{signature}",
        cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"),
        URLSafeTimedSerializer("another-key", salt="cookie-session").dumps(session),
    ):
        with pytest.raises(BadSignature):
            ours.loads(bad, max_age=60)
    with pytest.raises(SignatureExpired):
        ours.loads(cookie, max_age=-1)
