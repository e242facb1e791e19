"""The council's answers: sending the top five, recording decisions and later steps, contacts.

Each write adds its rows and its audit event to the caller's transaction and flushes; the
caller commits once. Who may answer is decided here, once: the named decision-maker, or an
organiser acting for them.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from coprod.extensions import db
from coprod.models import (
    AuditEvent,
    Contact,
    Content,
    Decision,
    Phase,
    Response,
    ResponseUpdate,
    Role,
    Round,
    User,
)
from coprod.operations import audit
from coprod.operations.content import new_content

TOP = 5
DECISION_MAKERS = (Role.COUNCILLOR, Role.COMMISSIONER)
# What happened after the decision, in order; "stopped" ends the timeline without "done".
STATUSES = ("planned", "started", "done", "stopped")
SENDABLE = (Phase.COUNTED, Phase.RESPONDING)


class Refused(Exception):
    """A write that is not allowed; `code` says why, for a message in the person's language."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class NotAllowed(Refused):
    """The person is neither the named decision-maker nor an organiser."""

    def __init__(self) -> None:
        super().__init__("not_allowed")


def already_sent(rnd: Round) -> bool:
    """True once a round's top five have gone to a decision-maker."""
    return bool(db.session.scalar(select(exists().where(Response.round_id == rnd.id))))


def send_top5(
    rnd: Round,
    priorities: Sequence[tuple[str, int]],
    decision_maker: User,
    due_on: date,
    *,
    actor: User,
    today: date | None = None,
    themes: Sequence[tuple[str, int]] = (),
) -> list[Response]:
    """Send the first five priorities, as ("remedy" | "barrier", id), to one named person.

    `themes` are problems and ideas, as ("barrier" | "remedy", id), that came from what many
    people said in a conversation ("Virtual Voice"): they go beside the five, ranked after
    them, with the same duty to answer by the same date (those among the five already are
    not sent twice).

    Refused when the round is not counted, the person cannot decide, the date is not in
    the future, or the report was sent already (the unique rank per round makes a double
    click or two organisers at once end in one report, on every database).
    """
    today = today or date.today()
    if rnd.phase not in SENDABLE:
        raise Refused("not_counted")
    if decision_maker.role not in DECISION_MAKERS or not decision_maker.active:
        raise Refused("not_a_decision_maker")
    if due_on <= today:
        raise Refused("due_not_in_future")
    if not priorities:
        raise Refused("nothing_to_send")
    if already_sent(rnd):
        raise Refused("already_sent")
    sent = []
    chosen = list(priorities[:TOP])
    chosen += [item for item in dict.fromkeys(themes) if item not in chosen]
    for rank, (kind, item_id) in enumerate(chosen, start=1):
        response = Response(
            round_id=rnd.id,
            rank=rank,
            barrier_id=item_id if kind == "barrier" else None,
            remedy_id=item_id if kind == "remedy" else None,
            decision_maker_id=decision_maker.id,
            due_on=due_on,
            content=Content(original_lang=decision_maker.lang),
        )
        db.session.add(response)
        sent.append(response)
    audit.record(
        "top5_sent",
        actor=actor,
        round=rnd,
        decision_maker=decision_maker.id,
        due_on=due_on.isoformat(),
        priorities=[f"{kind}:{item_id}" for kind, item_id in chosen],
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # the whole unit of work: this report is all it holds
        raise Refused("already_sent") from None
    return sent


class Answerable(Protocol):
    decision_maker_id: Any


def can_answer(user: User, response: Answerable) -> bool:
    """Only the named decision-maker, or an organiser, may answer a priority or an idea."""
    return user.is_authenticated and (
        user.id == response.decision_maker_id or user.role == Role.ORGANISER
    )


def record_decision(
    response: Response,
    decision: Decision,
    reason: str,
    next_step: str,
    decided_on: date,
    *,
    lang: str,
    actor: User,
) -> bool:
    """Store the decision and its reasons; True when it is the first answer.

    The first answer is written in `lang`; later changes stay in that same language, so
    a change made with the site in another language never files the text under a wrong one.
    """
    if not can_answer(actor, response):
        raise NotAllowed()
    first = response.decision is None
    if not response.content.languages():
        response.content.original_lang = lang
    written_in = response.content.original_lang
    response.content.set("reason", written_in, reason.strip(), reviewed=True)
    response.content.set("next_step", written_in, next_step.strip(), reviewed=True)
    response.decision = decision
    response.decided_on = decided_on
    audit.record(
        "response_answered" if first else "response_changed",
        actor=actor,
        round=response.round,
        response=response.id,
        rank=response.rank,
        decision=decision.value,
        decided_on=decided_on.isoformat(),
    )
    db.session.flush()
    return first


def add_update(
    response: Response, status: str, note: str, on: date, *, lang: str, actor: User
) -> ResponseUpdate:
    """Add a dated step (planned, started, done, stopped) to an answered priority's timeline."""
    if not can_answer(actor, response):
        raise NotAllowed()
    if status not in STATUSES:
        raise Refused("unknown_status")
    if response.decision is None:
        raise Refused("no_decision_yet")
    update = ResponseUpdate(
        response=response,
        status=status,
        on=on,
        author_id=actor.id,
        content=new_content(lang, {"note": note.strip()}),
    )
    db.session.add(update)
    audit.record(
        "response_update",
        actor=actor,
        round=response.round,
        response=response.id,
        status=status,
        on=on.isoformat(),
    )
    db.session.flush()
    return update


def add_contact(rnd: Round, address: str, lang: str) -> None:
    """Keep a citizen's email to tell them when answers come; once per round and address.

    Stored on its own row with the round and the language only: nothing links it to a
    code, a rating or a ballot.
    """
    address = address.strip().lower()
    known = db.session.scalar(
        select(func.count(Contact.id)).where(Contact.round_id == rnd.id, Contact.address == address)
    )
    if known:
        return
    db.session.add(Contact(round_id=rnd.id, address=address, lang=lang))
    try:
        db.session.flush()
    except IntegrityError:  # the same address, sent twice at once: one row is enough
        db.session.rollback()


def newly_overdue(today: date) -> list[Response]:
    """Answers past their date that followers have not been told of; each is told once (an
    audit event remembers it, so no column is needed on the answer)."""
    told = select(AuditEvent.detail).where(AuditEvent.action == "answer_overdue_told")
    done = {event.get("response") for event in db.session.scalars(told)}
    found = [
        r
        for r in db.session.scalars(
            select(Response).where(Response.decision.is_(None), Response.due_on < today)
        ).unique()
        if r.id not in done
    ]
    for response in found:
        audit.record("answer_overdue_told", round=response.round, response=response.id)
    db.session.flush()
    return found
