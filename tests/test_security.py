"""Security walks: CSRF on every browser POST, headers, no traces, failures leave nothing."""

import re

from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import Ballot, Phase, VoterCode
from coprod.operations import codes
from tests.factories import make_round

SECRET = "test-secret"
# The voter code in the body is the credential; the secret unfollow link is its own (mail
# programs post to it with one click, RFC 8058, and cannot fetch a form first).
NO_CSRF = {"api.cast_ballot", "following.unfollow"}


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
