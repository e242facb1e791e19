"""Workshops in a room: starting one, signing in by short code, tables' entries, deleting
the people's facts on time. Each write flushes; the request or command commits once."""

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select

from coprod.extensions import db
from coprod.models import (
    Barrier,
    Content,
    Phase,
    Remedy,
    RemedyStatus,
    Round,
    User,
    Workshop,
    WorkshopEntry,
    WorkshopPerson,
)
from coprod.operations import audit
from coprod.operations.content import new_content
from coprod.seating.tables import Attendee

# No 0/O, 1/I/L, 5/S, 2/Z: easy to read off a screen across a room and to type.
ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
CODE_LENGTH = 6
KINDS = ("barrier", "remedy")
KEEP_DAYS = 90  # a workshop without a round keeps its people's facts this long


def normalise(typed: str) -> str:
    """A typed code as stored: capitals, without spaces or dashes."""
    return "".join(c for c in typed.upper() if c.isalnum())[: CODE_LENGTH * 2]


def _new_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def start(name: str, rnd: Round | None, tables: int, actor: User | None, today: date) -> Workshop:
    """A new workshop with its sign-in code and one code for each table's device."""
    taken = set(db.session.scalars(select(Workshop.sign_in_code)))
    for codes in db.session.scalars(select(Workshop.table_codes)):
        taken.update(codes)
    workshop = Workshop(
        name=name,
        round_id=rnd.id if rnd else None,
        sign_in_code=_new_code(taken),
        tables=tables,
        table_codes=[_new_code(taken) for _ in range(tables)],
        held_on=today,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(workshop)
    db.session.flush()
    audit.record("workshop_started", actor=actor, round=rnd, workshop=workshop.id)
    return workshop


def by_sign_in_code(typed: str) -> Workshop | None:
    code = normalise(typed)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(select(Workshop).where(Workshop.sign_in_code == code))


def by_table_code(typed: str) -> tuple[Workshop, int] | None:
    """The workshop and table number (from 1) a table's code opens, or None."""
    code = normalise(typed)
    if len(code) != CODE_LENGTH:
        return None
    # Table codes are few per workshop and workshops few: read the recent ones.
    recent = db.session.scalars(select(Workshop).order_by(Workshop.id.desc()).limit(200))
    for workshop in recent:
        if code in workshop.table_codes:
            return workshop, workshop.table_codes.index(code) + 1
    return None


def sign_in(workshop: Workshop, **facts: str | bool) -> WorkshopPerson:
    """Add someone who arrived, with the facts they chose to give."""
    person = WorkshopPerson(workshop_id=workshop.id, **facts)
    db.session.add(person)
    db.session.flush()
    return person


def add_entry(workshop: Workshop, table: int, kind: str, text: str, lang: str) -> WorkshopEntry:
    """A brick or remedy written down at one table."""
    if kind not in KINDS:
        raise ValueError(kind)
    entry = WorkshopEntry(
        workshop_id=workshop.id, table=table, kind=kind, text=text.strip(), lang=lang
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def attendees(workshop: Workshop) -> list[Attendee]:
    """The people signed in, as the seating wants them."""
    return [
        Attendee(
            id=str(p.id),
            name=p.name,
            role=p.role.lower(),
            organisation=p.organisation.lower(),
            language=p.language.lower(),
            needs_interpreter=p.needs_interpreter,
            interprets=p.interprets.lower(),
        )
        for p in workshop.people
    ]


def keep_until(workshop: Workshop) -> date:
    """The last day the people's facts are kept: the round's keeping time after its end, or
    KEEP_DAYS after the workshop when it has no round (or the round has no end date)."""
    rnd = workshop.round
    ended = (rnd.responses_due or rnd.voting_closes) if rnd else None
    if rnd is not None and ended is not None:
        return max(ended, workshop.held_on) + timedelta(days=rnd.keep_contacts_days)
    return workshop.held_on + timedelta(days=KEEP_DAYS)


def purge(today: date) -> int:
    """Delete the people (names and facts) of workshops past their keeping time."""
    deleted = 0
    for workshop in db.session.scalars(select(Workshop).where(Workshop.people.any())):
        if today <= keep_until(workshop):
            continue
        n = len(workshop.people)
        db.session.execute(delete(WorkshopPerson).where(WorkshopPerson.workshop_id == workshop.id))
        db.session.expire(workshop, ["people"])
        audit.record("workshop_people_deleted", round=workshop.round, count=n)
        deleted += n
    db.session.flush()
    return deleted


# --- A table's notes into the round's problems and ideas ------------------------------------


class TurnError(Exception):
    """The chosen notes cannot go to the round; `code` says why, `entries` which notes."""

    def __init__(self, code: str, entries: list[WorkshopEntry] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.entries = entries or []


@dataclass(frozen=True)
class Chosen:
    """One table note an organiser chose, as what (barrier or remedy), in what words."""

    entry: WorkshopEntry
    kind: str
    wording: str


def can_take(rnd: Round, kind: str) -> bool:
    """A round takes new problems until it closes, new ideas until voting opens (the ballot's
    ideas are fixed then), as for themes from a conversation."""
    if kind == "barrier":
        return rnd.phase != Phase.CLOSED
    return not rnd.phase.rules_frozen


def same_words(text: str) -> str:
    """Wording compared for duplicates: letters and digits only, any case, any spacing."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def _titles(content: Content) -> set[str]:
    return {same_words(t.body) for t in content.texts if t.field == "title"}


def _already_in(rnd: Round, kind: str, wording: str) -> Barrier | Remedy | None:
    """The round's problem or idea with this wording (in any of its languages), if any."""
    key = same_words(wording)
    if kind == "barrier":
        return next((b for b in rnd.barriers if key in _titles(b.content)), None)
    return next(
        (
            r
            for r in rnd.remedies
            if r.status != RemedyStatus.REJECTED and key in _titles(r.content)
        ),
        None,
    )


def to_round(
    workshop: Workshop, chosen: list[Chosen], rnd: Round, actor: User | None
) -> dict[str, int]:
    """Turn table notes into the round's problems (barriers) and ideas (remedies), all or none.

    A problem joins the round at once, as a theme turned into one does; an idea goes to the
    moderators' queue like any idea sent in. The same words twice (in this choice, or already
    in the round) make one: the note is linked to the one there. A note already turned is
    refused, named, and nothing is written. Returns how many were new and how many merged.
    """
    if not chosen:
        raise TurnError("none_chosen")
    taken = [c.entry for c in chosen if c.entry.barrier_id or c.entry.remedy_id]
    if taken:
        raise TurnError("already_taken", taken)
    closed = [c.entry for c in chosen if not can_take(rnd, c.kind)]
    if closed:
        raise TurnError("round_closed", closed)
    counts = {"new": 0, "merged": 0}
    for c in chosen:
        if c.entry.workshop_id != workshop.id or c.kind not in KINDS:
            raise ValueError(c)
        found = _already_in(rnd, c.kind, c.wording)
        if found is not None:
            counts["merged"] += 1
        elif c.kind == "barrier":
            found = Barrier(
                key=f"workshop-{c.entry.id}",
                content=new_content(c.entry.lang, {"title": c.wording.strip()}),
            )
            rnd.barriers.append(found)
            counts["new"] += 1
        else:
            found = Remedy(
                round=rnd,
                area_id=rnd.area_id,
                status=RemedyStatus.SUBMITTED,
                created_by_id=actor.id if actor else None,
                content=new_content(c.entry.lang, {"title": c.wording.strip()}),
            )
            db.session.add(found)
            counts["new"] += 1
        db.session.flush()
        if c.kind == "barrier":
            c.entry.barrier_id = found.id
        else:
            c.entry.remedy_id = found.id
        audit.record(
            f"workshop_to_{'problem' if c.kind == 'barrier' else 'idea'}",
            actor=actor,
            round=rnd,
            workshop=workshop.id,
            table=c.entry.table,
            **({"remedy": found} if isinstance(found, Remedy) else {"barrier": found.id}),
        )
    db.session.flush()
    return counts


def source_of(
    *, barrier: Barrier | None = None, remedy: Remedy | None = None
) -> WorkshopEntry | None:
    """The first table note a problem or an idea came from, for "from the workshop on ..."."""
    column = WorkshopEntry.barrier_id if barrier is not None else WorkshopEntry.remedy_id
    item = barrier if barrier is not None else remedy
    if item is None:
        return None
    return db.session.scalar(
        select(WorkshopEntry).where(column == item.id).order_by(WorkshopEntry.id).limit(1)
    )
