"""Work outside the request: emails and big counts as Huey jobs, the worker, the dated tick."""

import signal
import socket
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from itertools import pairwise

from huey import RedisHuey, SqliteHuey
from sqlalchemy import func, select

from coprod import jobs
from coprod.extensions import db
from coprod.models import AuditEvent, Count, Phase, Role, Round, UnsentEmail
from coprod.operations import ballots, codes
from coprod.operations.phase import change_phase
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_propose import make_group
from tests.test_staff import PASSWORD, SECRET, sign_in

FAR_FUTURE = datetime(2999, 1, 1)  # Huey's clock is naive UTC


def closed_port() -> int:
    """A local port nothing listens on: a mail server that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def organiser_client(app):
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANISER, password=PASSWORD))
    return client


def queue_for_real(app, tmp_path):
    """Swap the test app's inline jobs for a real SQLite queue that nothing consumes yet."""
    app.config.update(HUEY_IMMEDIATE=False, HUEY_SQLITE_PATH=str(tmp_path / "jobs.db"))
    app.extensions["coprod.jobs"] = jobs.Jobs(app)
    return app.extensions["coprod.jobs"].huey


def voted_round(voters: int) -> Round:
    """A voting round where `voters` people have each chosen the first remedy."""
    rnd = make_round(Phase.VOTING, budget=100, costs=(60, 50, 30))
    first = str(rnd.remedies[0].id)
    for code in codes.make_codes(SECRET, rnd, voters):
        ballots.cast(SECRET, rnd, code, [first])
    return rnd


def close_and_count_now(client, url: str) -> str:
    """Close voting on its confirmation page, then press "Count the votes now"."""
    token = csrf_token(client, f"{url}/phase")
    client.post(f"{url}/phase", data={"csrf_token": token, "to": "counted"})
    return client.post(
        f"{url}/count", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True
    ).get_data(as_text=True)


def actions(rnd: Round) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.round_id == rnd.id).order_by(AuditEvent.id)
        )
    )


# --- Emails ----------------------------------------------------------------------------------


def test_a_dead_mail_server_is_retried_with_a_growing_wait_and_shown_to_organisers(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port())
    member = make_user(group=make_group(), lang="en")
    client = app.test_client()
    token = csrf_token(client, "/forgot-password")
    response = client.post(
        "/forgot-password", data={"email": member.email, "csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "we have sent it a link" in response.get_data(as_text=True)

    organiser = organiser_client(app)
    page = organiser.get("/staff/").get_data(as_text=True)
    assert "1 email could not be sent yet. We will keep trying." in page
    assert member.email in page and "Your link for a new Coprod password" in page

    # Time passes: Huey runs each retry when its wait is over; each wait is longer.
    huey = app.extensions["coprod.jobs"].huey
    waits = []
    while due := huey.read_schedule(FAR_FUTURE):
        [task] = due
        waits.append(task.eta - huey._get_timestamp())
        huey.execute(task, FAR_FUTURE)
    retries = app.config["MAIL_RETRIES"]
    assert len(waits) == retries and all(a < b for a, b in pairwise(waits))
    [unsent] = db.session.scalars(select(UnsentEmail)).all()
    assert unsent.attempts == retries + 1 and unsent.gave_up
    assert "ConnectionRefused" in unsent.error

    page = organiser.get("/staff/").get_data(as_text=True)
    assert "We gave up on 1 email. Please reach this person another way." in page
    assert "could not be sent yet" not in page
    # Only organisers see other people's addresses.
    moderator = app.test_client()
    sign_in(moderator, make_user(Role.MODERATOR, password=PASSWORD))
    assert member.email not in moderator.get("/staff/").get_data(as_text=True)
    # Once the organiser has reached the person another way, the warning can go.
    token = csrf_token(organiser, "/staff/")
    page = organiser.post(
        "/staff/unsent-emails/clear", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "We gave up" not in page and member.email not in page
    assert db.session.scalar(select(func.count(UnsentEmail.id))) == 0
    assert db.session.scalar(
        select(AuditEvent.detail).where(AuditEvent.action == "unsent_emails_cleared")
    ) == {"emails": 1}


def test_an_email_that_gets_through_on_a_retry_leaves_no_warning(app, monkeypatch):
    app.config["MAIL_SERVER"] = "mail.example.org"
    sent, failures = [], [ConnectionRefusedError("down")]

    def send(messages):
        if failures:
            raise failures.pop()
        sent.extend(messages)

    monkeypatch.setattr("coprod.mail.send", send)
    member = make_user(group=make_group(), lang="en")
    client = app.test_client()
    token = csrf_token(client, "/forgot-password")
    client.post("/forgot-password", data={"email": member.email, "csrf_token": token})
    assert db.session.scalar(select(func.count(UnsentEmail.id))) == 1 and not sent
    huey = app.extensions["coprod.jobs"].huey
    for task in huey.read_schedule(FAR_FUTURE):
        huey.execute(task, FAR_FUTURE)
    assert [m["To"] for m in sent] == [member.email]
    assert db.session.scalar(select(func.count(UnsentEmail.id))) == 0
    assert "could not be sent" not in organiser_client(app).get("/staff/").get_data(as_text=True)


def test_a_queue_that_is_down_does_not_fail_the_request(app, caplog):
    app.config.update(
        HUEY_IMMEDIATE=False,
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/3",
        MAIL_SERVER="mail.example.org",
    )
    app.extensions["coprod.jobs"] = jobs.Jobs(app)
    member = make_user(group=make_group(), lang="en")
    client = app.test_client()
    token = csrf_token(client, "/forgot-password")
    response = client.post("/forgot-password", data={"email": member.email, "csrf_token": token})
    assert response.status_code == 302
    assert "Could not queue a job" in caplog.text


# --- Counts ----------------------------------------------------------------------------------


def test_a_big_round_is_counted_by_a_job_and_its_page_shows_the_result_when_ready(app, tmp_path):
    app.config["COUNT_IN_JOB_OVER"] = 3
    huey = queue_for_real(app, tmp_path)
    rnd = voted_round(voters=4)
    client = organiser_client(app)
    url = f"/staff/rounds/{rnd.slug}"
    page = close_and_count_now(client, url)
    assert "Counting the votes. This page will show the result when it is ready." in page
    assert f'href="{url}">Check again</a>' in page
    assert db.session.scalar(select(func.count(Count.id))) == 0  # not in the request
    # While it counts, the round's other pages still open.
    for waiting in ("/rounds/{}", "/rounds/{}/results", "/staff/council/rounds/{}"):
        assert client.get(waiting.format(rnd.slug)).status_code == 200, waiting

    task = huey.dequeue()  # what the worker does
    count_id = huey.execute(task)
    count = db.session.get(Count, count_id)
    assert count.round_id == rnd.id and count.ballots == 4
    page = client.get(url).get_data(as_text=True)
    assert "Counting the votes" not in page and "Check again" not in page
    assert actions(rnd)[-3:] == ["phase_changed", "count_queued", "round_counted"]
    results = client.get(f"/rounds/{rnd.slug}/results").get_data(as_text=True)
    assert str(rnd.remedies[0].t("title", "en")) in results


def test_the_organiser_sees_how_far_a_queued_count_has_gone(app, tmp_path, monkeypatch):
    app.config["COUNT_IN_JOB_OVER"] = 3
    huey = queue_for_real(app, tmp_path)
    rnd = voted_round(voters=4)
    client = organiser_client(app)
    url = f"/staff/rounds/{rnd.slug}"
    assert "Counting: 0% done." in close_and_count_now(client, url)
    # The job writes on a connection of its own: the page sees it before the job ends.
    jobs.progress_writer(rnd.id, every=0)(0.4)
    assert "Counting: 40% done." in client.get(url).get_data(as_text=True)
    told = []
    writer = jobs.progress_writer

    def watched(round_id, every=0.5):
        write = writer(round_id, every=0)
        return lambda done: (told.append(done), write(done))

    monkeypatch.setattr(jobs, "progress_writer", watched)
    huey.execute(huey.dequeue())
    assert told[0] == 0 and told[-1] == 1 and told == sorted(told)
    page = client.get(url).get_data(as_text=True)
    assert "done." not in page and jobs.count_progress(rnd) is None


def test_a_big_imported_election_is_counted_by_a_job(app, tmp_path):
    app.config["COUNT_IN_JOB_OVER"] = 1
    huey = queue_for_real(app, tmp_path)
    client = organiser_client(app)
    election = (
        b"META\nkey;value\nbudget;100\nnum_projects;2\nnum_votes;2\nvote_type;approval\n"
        b"PROJECTS\nproject_id;cost;name\n1;60;Bench\n2;50;Mural\n"
        b"VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
    )
    response = client.post(
        "/staff/import",
        data={
            "file": (BytesIO(election), "big.pb"),
            "slug": "big",
            "csrf_token": csrf_token(client, "/staff/import"),
        },
        content_type="multipart/form-data",
    )
    assert response.headers["Location"].endswith("/staff/rounds/big")
    assert "Counting the votes." in client.get("/staff/rounds/big").get_data(as_text=True)
    huey.execute(huey.dequeue())
    page = client.get("/rounds/big/results").get_data(as_text=True)
    assert "2 ballots were counted." in page and "Bench" in page


def test_a_small_round_is_still_counted_in_the_request(app, tmp_path):
    huey = queue_for_real(app, tmp_path)
    rnd = voted_round(voters=2)
    client = organiser_client(app)
    url = f"/staff/rounds/{rnd.slug}"
    page = close_and_count_now(client, url)
    assert "The votes are counted." in page and huey.pending_count() == 0
    assert db.session.scalar(select(Count.ballots).where(Count.round_id == rnd.id)) == 2


# --- The dated tick --------------------------------------------------------------------------


DATES = ("proposing_opens", "rating_opens", "voting_opens", "voting_closes")


def dated_round(phase: Phase = Phase.DRAFT, **dates: date) -> Round:
    """A round in `phase` with only the dates given (the others left empty)."""
    rnd = make_round(Phase.DRAFT, budget=100, costs=(60, 50, 30))
    for name in DATES:
        setattr(rnd, name, dates.get(name))
    db.session.commit()
    if phase != Phase.DRAFT:
        change_phase(rnd, phase)
    return rnd


def test_tick_moves_rounds_on_by_their_dates_once_and_counts_when_voting_closes(app):
    day = date(2027, 3, 1)
    rnd = dated_round(
        proposing_opens=day,
        rating_opens=day + timedelta(days=10),
        voting_opens=day + timedelta(days=20),
        voting_closes=day + timedelta(days=30),
    )
    undated = dated_round(Phase.PROPOSING)

    def tick_on(days: int) -> list[str]:
        moved = jobs.tick(now=datetime(2027, 3, 1, 12, tzinfo=UTC) + timedelta(days=days))
        db.session.commit()
        return moved

    assert tick_on(-1) == []
    assert tick_on(0) == [f"{rnd.slug}: proposing"] and rnd.phase == Phase.PROPOSING
    assert tick_on(0) == []  # a second run the same day does nothing
    assert tick_on(25) == [f"{rnd.slug}: voting"]
    # Rating was passed through on the way, and the rules froze as voting opened.
    assert rnd.frozen_rules is not None
    first = str(rnd.remedies[0].id)
    for code in codes.make_codes(SECRET, rnd, 2):
        ballots.cast(SECRET, rnd, code, [first])
    assert tick_on(30) == []  # voting_closes is the last day of voting
    assert tick_on(31) == [f"{rnd.slug}: counted"]
    assert tick_on(31) == [] and tick_on(400) == []
    assert rnd.phase == Phase.COUNTED and undated.phase == Phase.PROPOSING
    counts = db.session.scalars(select(Count).where(Count.round_id == rnd.id)).all()
    assert [c.ballots for c in counts] == [2]
    changes = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.round_id == rnd.id, AuditEvent.action == "phase_changed"
        )
    ).all()
    assert [(e.detail["after"], e.actor_id) for e in changes] == [
        ("proposing", None),
        ("rating", None),
        ("voting", None),
        ("counted", None),
    ]
    assert actions(rnd)[-1] == "round_counted"


def test_tick_goes_by_the_councils_day_and_queues_the_count_of_a_big_round(app, tmp_path):
    app.config.update(BABEL_DEFAULT_TIMEZONE="Europe/London", COUNT_IN_JOB_OVER=1)
    huey = queue_for_real(app, tmp_path)
    rnd = dated_round(Phase.VOTING, voting_opens=date(2027, 6, 1), voting_closes=date(2027, 6, 30))
    first = str(rnd.remedies[0].id)
    for code in codes.make_codes(SECRET, rnd, 2):
        ballots.cast(SECRET, rnd, code, [first])
    # 23:30 UTC on 30 June is already 1 July in London (summer time): the last day of
    # voting is over there, though not yet by the server's UTC clock.
    assert jobs.tick(now=datetime(2027, 6, 30, 22, 59, tzinfo=UTC)) == []
    said = jobs.tick(now=datetime(2027, 6, 30, 23, 30, tzinfo=UTC))
    db.session.commit()
    assert said == [f"{rnd.slug}: counted", f"{rnd.slug}: the count is queued"]
    assert db.session.scalar(select(func.count(Count.id))) == 0
    huey.execute(huey.dequeue())
    assert db.session.scalar(select(Count.ballots).where(Count.round_id == rnd.id)) == 2


def test_the_tick_command_moves_rounds_on_and_says_what_it_did(app, runner):
    today = date.today()
    rnd = dated_round(proposing_opens=today - timedelta(days=1), rating_opens=today)
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"{rnd.slug}: rating"]
    db.session.expire_all()
    assert rnd.phase == Phase.RATING
    assert runner.invoke(args=["tick"]).output.strip() == "Nothing to move on."


# --- The worker ------------------------------------------------------------------------------


def test_the_worker_command_exists(runner):
    result = runner.invoke(args=["worker", "--help"])
    assert result.exit_code == 0 and "Run jobs" in result.output


def test_a_real_sqlite_worker_counts_a_round_end_to_end(app, tmp_path):
    huey = queue_for_real(app, tmp_path)
    rnd = voted_round(voters=3)
    change_phase(rnd, Phase.COUNTED)
    db.session.commit()
    result = jobs.jobs().count_round(rnd.id, None)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = huey.create_consumer(workers=1, periodic=False, worker_type="thread")
    consumer.start()
    try:
        count_id = result.get(blocking=True, timeout=120)  # a bound, not a speed check
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():  # start() set the worker's own handlers
            signal.signal(sig, handler)
    assert db.session.get(Count, count_id).ballots == 3


def test_jobs_use_redis_when_redis_url_is_set_and_a_sqlite_file_otherwise(app, tmp_path):
    app.config.update(HUEY_IMMEDIATE=False, HUEY_SQLITE_PATH=str(tmp_path / "jobs.db"))
    assert isinstance(jobs.Jobs(app).huey, SqliteHuey)
    app.config["REDIS_URL"] = "redis://127.0.0.1:6379/3"
    assert isinstance(jobs.Jobs(app).huey, RedisHuey)
