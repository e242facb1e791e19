"""One transaction per request or command: a failure half-way leaves nothing half-written."""

import json
import threading
import time
from io import BytesIO
from itertools import chain

import pytest
from sqlalchemy import column, event, func, select, table
from sqlalchemy.orm import Session

from coprod import tally
from coprod.extensions import db
from coprod.models import AuditEvent, Ballot, Count, Phase, Role, Round, VoterCode
from coprod.operations import ballots, codes, counting
from coprod.operations.ballots import CastError
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

SECRET = "test-secret"
ELECTION = (
    b"META\nkey;value\nbudget;100\nnum_projects;2\nnum_votes;2\nvote_type;approval\n"
    b"PROJECTS\nproject_id;cost;name\n1;60;Bench\n2;50;Mural\n"
    b"VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
)
ACTIVITY = table("pg_stat_activity", column("pid"), column("wait_event_type"))


@pytest.fixture
def commits():
    """The commits that store the site's own rows while the test runs (the session store
    commits a visitor's session by itself; that is not the request's work)."""
    seen, written = [], set()

    def flushed(session, _context):
        rows = chain(session.new, session.dirty, session.deleted)
        written.update(row.__table__.name for row in rows)

    def committed(_session):
        if written - {"sessions"}:
            seen.append(sorted(written))
        written.clear()

    event.listen(Session, "after_flush", flushed)
    event.listen(Session, "after_commit", committed)
    yield seen
    event.remove(Session, "after_flush", flushed)
    event.remove(Session, "after_commit", committed)


def _events(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _voted_round() -> Round:
    rnd = make_round(Phase.VOTING)
    for code in codes.make_codes(SECRET, rnd, 3):
        ballots.cast(SECRET, rnd, code, [str(rnd.remedies[0].id)])
    db.session.commit()
    return rnd


def test_counting_a_closed_round_that_fails_stores_nothing_and_can_be_pressed_again(
    app, client, monkeypatch, commits
):
    rnd = _voted_round()
    sign_in(client, make_user(Role.ORGANISER))
    page = f"/staff/rounds/{rnd.slug}"
    close = client.post(
        f"{page}/phase", data={"csrf_token": csrf_token(client, f"{page}/phase"), "to": "counted"}
    )
    assert close.status_code == 302
    url, token = f"{page}/count", csrf_token(client, page)
    phase_changes = _events("phase_changed")

    def broken_count(*args, **kwargs):
        raise RuntimeError("the count fell over")

    with monkeypatch.context() as m:
        m.setattr(tally, "count", broken_count)
        assert client.post(url, data={"csrf_token": token}).status_code == 500
    db.session.expire_all()
    assert rnd.phase == Phase.COUNTED  # closed, waiting for its count, as before the press
    assert db.session.scalar(select(func.count(Count.id))) == 0
    assert _events("round_counted") == 0
    assert "Open voting again" in client.get(page).get_data(as_text=True)

    # Pressed again with a working count: counted and logged, in one commit.
    commits.clear()
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert len(commits) == 1
    db.session.expire_all()
    assert db.session.scalar(select(Count.ballots)) == 3
    assert _events("phase_changed") == phase_changes and _events("round_counted") == 1
    assert "Open voting again" not in client.get(page).get_data(as_text=True)


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
        model: db.session.scalar(select(func.count()).select_from(model))
        for model in (Round, Ballot, VoterCode, AuditEvent)
    }

    result = runner.invoke(args=["import", str(broken), "--slug", "copy"])
    assert result.exit_code != 0 and "cannot import" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Round.id).where(Round.slug == "copy")) is None
    for model, n in before.items():
        assert db.session.scalar(select(func.count()).select_from(model)) == n, model


def test_closing_waits_for_a_cast_under_way_and_counts_it(app):
    """An organiser closes voting while a citizen's cast is between its writes and its
    commit: the close waits for that commit, so the count has the ballot; a cast after the
    close is refused as closed, even by a worker that still thinks the round is voting."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: on SQLite one writer at a time is the whole story")
    rnd = make_round(Phase.VOTING)
    early, late = codes.make_codes(SECRET, rnd, 2)
    db.session.commit()
    slug, choice = rnd.slug, str(rnd.remedies[0].id)
    cast_written, may_commit = threading.Event(), threading.Event()
    closer, counted = [], []

    def the_round() -> Round:
        return db.session.scalar(select(Round).where(Round.slug == slug))

    def voter() -> None:
        with app.app_context():
            ballots.cast(SECRET, the_round(), early, [choice])
            cast_written.set()
            may_commit.wait(60)
            db.session.commit()

    def organiser() -> None:
        with app.app_context():
            closer.append(db.session.connection().connection.dbapi_connection.info.backend_pid)
            counted.append(counting.close_and_count(the_round()).ballots)
            db.session.commit()

    def held_up() -> bool:
        if not closer:
            return False
        with db.engine.connect() as conn:  # a fresh snapshot of the server's activity
            waits = conn.scalar(
                select(ACTIVITY.c.wait_event_type).where(ACTIVITY.c.pid == closer[0])
            )
        return waits == "Lock"

    voting = threading.Thread(target=voter)
    voting.start()
    assert cast_written.wait(60)
    closing = threading.Thread(target=organiser)
    closing.start()
    for _ in range(600):  # until the close waits on the cast (or, wrongly, is done)
        if not closing.is_alive() or held_up():
            break
        time.sleep(0.05)
    may_commit.set()
    voting.join()
    closing.join()
    assert counted == [1]
    with pytest.raises(CastError) as refused:  # `rnd` here still says voting
        ballots.cast(SECRET, rnd, late, [choice])
    assert [p.code for p in refused.value.problems] == ["closed"]
