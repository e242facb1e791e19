"""One transaction per request or command: a failure half-way leaves nothing half-written."""

import json
from io import BytesIO

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from coprod import tally
from coprod.extensions import db
from coprod.models import AuditEvent, Ballot, Count, Phase, Role, Round, VoterCode
from coprod.operations import ballots, codes
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

SECRET = "test-secret"
ELECTION = (
    b"META\nkey;value\nbudget;100\nnum_projects;2\nnum_votes;2\nvote_type;approval\n"
    b"PROJECTS\nproject_id;cost;name\n1;60;Bench\n2;50;Mural\n"
    b"VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
)


@pytest.fixture
def commits():
    """How many times any session commits while the test runs."""
    seen = []

    def count(_session):
        seen.append(1)

    event.listen(Session, "after_commit", count)
    yield seen
    event.remove(Session, "after_commit", count)


def _events(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _voted_round() -> Round:
    rnd = make_round(Phase.VOTING)
    for code in codes.make_codes(SECRET, rnd, 3):
        ballots.cast(SECRET, rnd, code, [str(rnd.remedies[0].id)])
    db.session.commit()
    return rnd


def test_closing_a_round_whose_count_fails_leaves_it_voting_with_nothing_stored(
    app, client, monkeypatch, commits
):
    rnd = _voted_round()
    sign_in(client, make_user(Role.ORGANISER))
    url, token = f"/staff/rounds/{rnd.slug}/phase", csrf_token(client, f"/staff/rounds/{rnd.slug}")
    phase_changes = _events("phase_changed")

    def broken_count(*args, **kwargs):
        raise RuntimeError("the count fell over")

    with monkeypatch.context() as m:
        m.setattr(tally, "count", broken_count)
        assert client.post(url, data={"csrf_token": token}).status_code == 500
    db.session.expire_all()
    assert rnd.phase == Phase.VOTING  # still taking votes, as if nobody had pressed
    assert db.session.scalar(select(func.count(Count.id))) == 0
    assert _events("phase_changed") == phase_changes and _events("round_counted") == 0

    # Pressed again with a working count: closed, counted and logged, in one commit.
    commits.clear()
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert len(commits) == 1
    db.session.expire_all()
    assert rnd.phase == Phase.COUNTED
    assert db.session.scalar(select(Count.ballots)) == 3
    assert _events("phase_changed") == phase_changes + 1 and _events("round_counted") == 1


def test_an_uploaded_election_whose_count_fails_stores_no_round(app, client, monkeypatch):
    sign_in(client, make_user(Role.ORGANISER))
    token = csrf_token(client, "/staff/import")

    def upload():
        return client.post(
            "/staff/import",
            data={"file": (BytesIO(ELECTION), "good.pb"), "slug": "good", "csrf_token": token},
            content_type="multipart/form-data",
        )

    with monkeypatch.context() as m:
        m.setattr(tally, "count", lambda *a, **k: 1 / 0)
        assert upload().status_code == 500
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Round.id))) == 0
    assert db.session.scalar(select(func.count(Ballot.id))) == 0
    assert _events("election_imported") == 0
    # Nothing is left in the way: the same upload, with the count working, goes through.
    assert upload().headers["Location"].endswith("/rounds/good/results")
    assert db.session.scalar(select(func.count(Ballot.id))) == 2


def test_an_import_that_fails_on_its_last_row_stores_nothing(app, runner, tmp_path):
    rnd = _voted_round()
    data = runner.invoke(args=["export", rnd.slug]).output
    exported = json.loads(data)
    del exported["audit"][-1]["action"]  # the very last row of the file is broken
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(exported), encoding="utf-8")
    before = {
        table: db.session.scalar(select(func.count()).select_from(table))
        for table in (Round, Ballot, VoterCode, AuditEvent)
    }

    result = runner.invoke(args=["import", str(broken), "--slug", "copy"])
    assert result.exit_code != 0 and "cannot import" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Round.id).where(Round.slug == "copy")) is None
    for table, n in before.items():
        assert db.session.scalar(select(func.count()).select_from(table)) == n, table
