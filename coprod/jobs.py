"""Work done outside the request, with Huey: emails, counts of big rounds, grouping big
conversations, the scheduled tick.

Jobs are kept in a SQLite file in the instance folder (nothing to install), or in Redis when
REDIS_URL is set, so workers can run on other machines. `flask --app app worker` runs them;
`make run` starts one beside the web server. Each job runs in its own app context and
commits once at its end; a failure rolls its work back.

A job asked for after the caller has written something waits for that to commit (and is
dropped if it rolls back), so a worker never counts a round whose closing is not saved yet.
"""

from __future__ import annotations

import functools
import logging
import smtplib
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_sqlalchemy.session import Session
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import delete, event, func, select, update

from coprod import mail
from coprod.conversation import operations as conversations
from coprod.conversation.models import Conversation
from coprod.extensions import db
from coprod.models import (
    AuditEvent,
    Ballot,
    Count,
    CountProgress,
    PanelDraw,
    Phase,
    Round,
    User,
    utcnow,
)
from coprod.operations import audit, counting, emails, panels, responses, schedule
from coprod.operations import phase as phases
from coprod.seating import panel

_LATER = "coprod.jobs.later"  # the session.info key for jobs that wait for a commit
_WROTE = "coprod.jobs.wrote"


class Jobs:
    """The app's queue and its tasks (one per app, so each test app has its own)."""

    def __init__(self, app: Flask) -> None:
        config = app.config
        if config["HUEY_IMMEDIATE"]:
            # Huey's testing mode: each job runs at once, in memory, inside the caller.
            self.huey: Huey = MemoryHuey("coprod", immediate=True)
        elif config.get("REDIS_URL"):
            self.huey = RedisHuey("coprod", url=config["REDIS_URL"], utc=True)
        else:
            self.huey = SqliteHuey("coprod", filename=config["HUEY_SQLITE_PATH"], utc=True)

        def in_app(job: Callable) -> Callable:
            @functools.wraps(job)
            def run(*args, **kwargs):
                with app.app_context():  # a fresh context: its own database session
                    try:
                        result = job(*args, **kwargs)
                        db.session.commit()
                    except BaseException:
                        db.session.rollback()
                        raise
                    return result

            return run

        task = self.huey.task
        self.send_email = task(
            name="send_email",
            retries=config["MAIL_RETRIES"],
            retry_delay=config["MAIL_RETRY_DELAY"],
            retry_backoff=2,  # a growing wait: 1, 2, 4, 8 ... minutes
            context=True,
        )(in_app(_send_email))
        self.deliver = task(
            name="deliver",
            retries=config["MAIL_RETRIES"],
            retry_delay=config["MAIL_RETRY_DELAY"],
            retry_backoff=2,
            context=True,
        )(in_app(_deliver))
        self.count_round = task(name="count_round", retries=2, retry_delay=60, context=True)(
            in_app(_count_round)
        )
        self.group_conversation = task(name="group_conversation", retries=1, retry_delay=30)(
            in_app(_group_conversation)
        )
        self.draw_panel = task(name="draw_panel", context=True)(in_app(_draw_panel))
        # One tick at a time, however many workers share the queue.
        self.tick = self.huey.periodic_task(crontab(minute="*/5"), name="tick")(
            self.huey.lock_task("tick")(in_app(tick))
        )


def init_app(app: Flask) -> None:
    """Give the app its queue and the `worker` and `tick` commands."""
    app.extensions["coprod.jobs"] = Jobs(app)
    app.cli.add_command(worker)
    app.cli.add_command(tick_command)


def jobs() -> Jobs:
    """The current app's queue and tasks."""
    return current_app.extensions["coprod.jobs"]


# --- Enqueueing after the caller's writes commit ---------------------------------------------


def later(enqueue: Callable[[], object]) -> None:
    """Enqueue now, or once the session's writes commit when it has written something."""
    session = db.session()
    if session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        session.info.setdefault(_LATER, []).append(enqueue)
    else:
        _enqueue(enqueue)


def _enqueue(enqueue: Callable[[], object]) -> None:
    try:
        enqueue()
    except Exception:
        # The queue's store is down (Redis, or a locked file): the person's own work is
        # saved, so they get their page; the log says what did not start.
        logging.getLogger(__name__).exception("Could not queue a job")


@event.listens_for(Session, "after_flush")
def _wrote(session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _enqueue_waiting(session) -> None:
    waiting = session.info.pop(_LATER, [])
    session.info.pop(_WROTE, None)
    for enqueue in waiting:
        _enqueue(enqueue)


@event.listens_for(Session, "after_transaction_end")
def _drop_waiting(session, transaction) -> None:
    if transaction.parent is None:  # rolled back or closed without a commit: nothing to do
        session.info.pop(_LATER, None)
        session.info.pop(_WROTE, None)


# --- Emails ----------------------------------------------------------------------------------


def send_emails(messages: Sequence[EmailMessage]) -> None:
    """Send each message by a job, so a slow or dead mail server never holds a request."""
    tasks = jobs()
    for message in messages:
        later(functools.partial(tasks.send_email, message))


def _send_email(message: EmailMessage, task=None) -> None:
    try:
        mail.send([message])
    except (OSError, smtplib.SMTPException) as error:
        # Keep the failure (the job's one commit), then let Huey try again after a wait.
        emails.failed(task.id, message, error, final=task.retries == 0)
        db.session.commit()
        raise
    if task.retries < current_app.config["MAIL_RETRIES"]:  # a retry got through
        emails.sent(task.id)


def _deliver(channel: str, address: str, subject: str, body: str, unfollow: str, task=None) -> None:
    from coprod.following import sending

    try:
        sending.deliver(channel, address, subject, body, unfollow)
    except Exception as error:  # Notify's errors, the network's, SMTP's: all worth a retry
        emails.message_failed(
            task.id, channel, address, subject, body, unfollow, error, final=task.retries == 0
        )
        db.session.commit()
        raise
    if task.retries < current_app.config["MAIL_RETRIES"]:  # a retry got through
        emails.sent(task.id)


# --- Counts ----------------------------------------------------------------------------------


def count_or_queue(rnd: Round, *, actor: User | None = None) -> Count | None:
    """Count a round now, or by a job when it has many ballots (None: the count is coming).

    Raises ValueError, as `count_round` does, when the round's voting has not closed.
    """
    phases.lock(rnd)  # not while someone opens its voting again
    if not rnd.phase.rules_frozen or rnd.phase == Phase.VOTING:
        raise ValueError("a round is counted only after voting has closed")
    ballots = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.round_id == rnd.id))
    if ballots <= current_app.config["COUNT_IN_JOB_OVER"]:
        return counting.count_round(rnd, actor=actor)
    audit.record("count_queued", actor=actor, round=rnd, ballots=ballots)
    db.session.merge(CountProgress(round_id=rnd.id, percent=0, updated_at=utcnow()))
    later(functools.partial(jobs().count_round, rnd.id, actor.id if actor else None))
    return None


def _count_round(round_id: int, actor_id: int | None, task=None) -> int:
    rnd = db.session.get_one(Round, round_id)  # queued for a round, and rounds stay
    actor = db.session.get(User, actor_id) if actor_id else None
    try:
        done = counting.count_round(rnd, actor=actor, progress=progress_writer(round_id)).id
        db.session.execute(delete(CountProgress).where(CountProgress.round_id == round_id))
        return done
    except Exception:
        if task.retries == 0:  # the last try: say so, so the page stops waiting
            db.session.rollback()
            audit.record("count_failed", round=rnd)
            db.session.commit()
        raise


def progress_writer(round_id: int, every: float = 0.5) -> Callable[[float], None]:
    """A `progress` for a count's job: it writes the percent done for the organiser's page.

    The job commits once, at its end; so progress goes in on a connection of its own,
    committed at once, at most every `every` seconds, and only when the percent moved.
    It never says 100: the count is done when its result is stored.
    """
    last = {"percent": -1, "at": float("-inf")}

    def report(done: float) -> None:
        percent = max(0, min(int(done * 100), 99))
        now = time.monotonic()
        if percent <= last["percent"] or now - last["at"] < every:
            return
        last.update(percent=percent, at=now)
        with db.engine.begin() as connection:
            connection.execute(
                update(CountProgress)
                .where(CountProgress.round_id == round_id)
                .values(percent=percent, updated_at=utcnow())
            )

    return report


def count_progress(rnd: Round) -> int | None:
    """The percent done of the round's queued count, if its job has said."""
    return db.session.scalar(select(CountProgress.percent).where(CountProgress.round_id == rnd.id))


def count_waiting(rnd: Round) -> str | None:
    """ "counting" while a queued count has not finished, "failed" if it gave up, else None."""
    last = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.round_id == rnd.id,
            AuditEvent.action.in_(["count_queued", "count_failed", "round_counted"]),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if last is None or last.action == "round_counted":
        return None
    return "counting" if last.action == "count_queued" else "failed"


# --- Citizens' panels ------------------------------------------------------------------------


def panel_or_queue(
    name: str,
    volunteers: list[panel.Volunteer],
    quotas: panel.Quotas,
    size: int,
    seed: int,
    *,
    actor: User | None = None,
) -> PanelDraw | int:
    """Draw a panel now, or by a job when there are many volunteers (a maximin draw of 500
    takes half a minute). Returns the draw, or the number of the wait to show
    (`panel_waiting`). Raises DrawFailed at once for quotas that cannot work."""
    problems = panel.check(volunteers, quotas, size)
    if problems:
        raise panel.DrawFailed(*problems)
    if len(volunteers) <= current_app.config["PANEL_IN_JOB_OVER"]:
        result = panel.draw(volunteers, quotas, size, seed)
        return panels.record_draw(name, result, len(volunteers), actor)
    queued = audit.record("panel_queued", actor=actor, name=name, volunteers=len(volunteers))
    db.session.flush()
    # The volunteers go with the job (ids and features only, never names) and are kept in
    # the queue only until it runs: the database keeps the ids chosen, as for any draw.
    later(
        functools.partial(
            jobs().draw_panel, queued.id, name, volunteers, quotas, size, seed, actor and actor.id
        )
    )
    return queued.id


def _draw_panel(
    queued: int,
    name: str,
    volunteers: list[panel.Volunteer],
    quotas: panel.Quotas,
    size: int,
    seed: int,
    actor_id: int | None,
    task=None,
) -> int | None:
    actor = db.session.get(User, actor_id) if actor_id else None
    try:
        result = panel.draw(volunteers, quotas, size, seed)
    except panel.DrawFailed as failed:  # the same files would fail again: no retry
        audit.record("panel_failed", actor=actor, queued=queued, problems=failed.problems)
        return None
    except Exception:
        db.session.rollback()
        audit.record("panel_failed", actor=actor, queued=queued, problems=[("error", {})])
        db.session.commit()
        raise
    draw = panels.record_draw(name, result, len(volunteers), actor, queued=queued)
    return draw.id


def panel_waiting(queued: int) -> tuple[str, object] | None:
    """A queued draw: ("drawing", None), ("drawn", its PanelDraw id), ("failed", problems),
    or None when there is no such wait."""
    asked = db.session.get(AuditEvent, queued)
    if asked is None or asked.action != "panel_queued":
        return None
    for done in db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.id > queued, AuditEvent.action.in_(["panel_drawn", "panel_failed"]))
        .order_by(AuditEvent.id)
    ):
        if done.detail.get("queued") == queued:
            if done.action == "panel_drawn":
                return "drawn", done.detail["panel"]
            return "failed", done.detail.get("problems", [("error", {})])
    return "drawing", None


# --- Grouping big conversations ------------------------------------------------------------


def group_later(conv: Conversation) -> None:
    """Queue the grouping of a big conversation (its pages show the last one kept)."""
    later(functools.partial(jobs().group_conversation, conv.id))


def _group_conversation(conversation_id: int) -> int:
    conv = db.session.get(Conversation, conversation_id)
    if conv is None:  # gone since it was queued: nothing to do
        return 0
    # One at a time per conversation: a second job waits for the row, then finds it done.
    conversations.lock_grouping(conv)
    if conversations.kept_is_fresh(conv):
        return 0
    return conversations.group_and_keep(conv).people


# --- The scheduled tick ----------------------------------------------------------------------


def today_here(now: datetime | None = None):
    """Today's date where the council is (BABEL_DEFAULT_TIMEZONE), not on the server."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (now or datetime.now(UTC)).astimezone(zone).date()


def tick(now: datetime | None = None) -> list[str]:
    """Move rounds on by their dates and count the ones whose voting closed; say what moved.

    A round closed by its date is counted at once (the date was public: nothing to undo).
    A round closed by hand is counted once the day it closed is over, so that until then
    the organiser can open voting again (`phase.reopen_voting`).
    """
    today = today_here(now)
    said = []
    for rnd, phase in schedule.advance_rounds(today):
        said.append(f"{rnd.slug}: {phase.value}")
        if phase == Phase.COUNTED and count_or_queue(rnd) is None:
            said.append(f"{rnd.slug}: the count is queued")
    for rnd in phases.rounds_to_count(today):
        queued = count_or_queue(rnd) is None
        said.append(f"{rnd.slug}: the count is queued" if queued else f"{rnd.slug}: counted")
    from coprod.following.operations import tell
    from coprod.ideas import operations as ideas

    for idea in ideas.newly_overdue(today):  # followers hear once that the answer is late
        tell("idea", idea.id, "overdue")
        said.append(f"idea {idea.id}: the answer is overdue")
    for response in responses.newly_overdue(today):  # a top-five answer: the remedy's
        if response.remedy_id:
            tell("remedy", response.remedy_id, "overdue")
        said.append(f"{response.round.slug}: the answer to priority {response.rank} is overdue")
    for conversation_id in conversations.to_group_again(current_app.config["GROUP_IN_JOB_OVER"]):
        later(functools.partial(jobs().group_conversation, conversation_id))
        said.append(f"conversation {conversation_id}: grouping queued")
    return said


@click.command("tick")
@with_appcontext
def tick_command() -> None:
    """Move rounds on by their dates (the worker also does this every 5 minutes)."""
    said = tick()
    db.session.commit()
    click.echo("\n".join(said) if said else "Nothing to move on.")


@click.command("worker")
@click.option("--workers", "-w", type=click.IntRange(1, 64), default=2, show_default=True)
@with_appcontext
def worker(workers: int) -> None:
    """Run jobs (emails, big counts) and the 5-minute tick until stopped (Ctrl-C)."""
    queue = jobs().huey
    if queue.immediate:
        raise click.ClickException("HUEY_IMMEDIATE is on: jobs run inline, there is no queue")
    click.echo(f"Worker for {type(queue.storage).__name__}, {workers} threads.")
    # Say which job ran, retried or failed, as Huey's own consumer command does.
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(levelname)s %(message)s")
    queue.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
