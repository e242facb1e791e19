"""Writing and reading a conversation: statements, marks, moderation, groups and summaries.

Operations only `flush()`; the request (or CLI command) commits once.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coprod.conversation import grouping, theme_counts
from coprod.conversation.models import (
    STATEMENT_MAX,
    Conversation,
    Mark,
    Statement,
    StatementStatus,
    StoredGrouping,
    Theme,
    ThemeCount,
)
from coprod.extensions import db
from coprod.models import Area, Barrier, Phase, Remedy, RemedyStatus, Round, User, utcnow
from coprod.operations import audit
from coprod.operations.content import new_content, write_text

VALUES = {"agree": grouping.AGREE, "disagree": grouping.DISAGREE, "pass": grouping.PASS}
HIDE_BELOW = 10  # any figure about fewer people than this is hidden


class ConversationError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Person:
    """Whoever is taking part: a keyed pseudonym, and where and how they take part."""

    key: str
    indicative: bool = False
    area_id: int | None = None
    lang: str = "en"


def of_round(rnd: Round) -> Conversation | None:
    return db.session.scalar(select(Conversation).where(Conversation.round_id == rnd.id))


def by_slug(slug: str) -> Conversation | None:
    """A stand-alone conversation by its address (round conversations have no slug)."""
    return db.session.scalar(select(Conversation).where(Conversation.slug == slug))


def standing_alone(*, only_open: bool = True) -> list[Conversation]:
    """Stand-alone conversations, newest first (open ones only, for the home page)."""
    query = select(Conversation).where(Conversation.round_id.is_(None))
    if only_open:
        query = query.where(Conversation.is_open.is_(True))
    return list(db.session.scalars(query.order_by(Conversation.id.desc())).unique())


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def start_alone(
    slug: str,
    title: str | dict[str, str],
    question: str | dict[str, str],
    area: Area | None,
    lang: str = "en",
    actor: User | None = None,
) -> Conversation:
    """Open a conversation with no round, for an area or a service; anyone may take part.

    Raises ConversationError("bad_slug") or ("slug_taken")."""
    if not SLUG.match(slug) or len(slug) > 80:
        raise ConversationError("bad_slug")
    if by_slug(slug) is not None:
        raise ConversationError("slug_taken")
    conv = Conversation(
        slug=slug, area=area, content=new_content(lang, {"title": title, "question": question})
    )
    db.session.add(conv)
    db.session.flush()
    audit.record("conversation_started", actor=actor, conversation=slug)
    db.session.flush()
    return conv


def start(rnd: Round, question: str | dict[str, str], lang: str = "en") -> Conversation:
    """Open a conversation on a round, with its question."""
    conv = Conversation(round=rnd, content=new_content(lang, {"question": question}))
    db.session.add(conv)
    db.session.flush()
    return conv


def write(conv: Conversation, person: Person | None, text: str, lang: str) -> Statement:
    """A new statement, waiting for a check (staff-typed ones have no author)."""
    text = " ".join(text.split())
    if not conv.is_open:
        raise ConversationError("closed")
    if not text:
        raise ConversationError("empty")
    if len(text) > STATEMENT_MAX:
        raise ConversationError("too_long")
    statement = Statement(
        conversation=conv,
        author=person.key if person else None,
        area_id=person.area_id if person else None,
        content=new_content(lang, {"text": text}),
    )
    db.session.add(statement)
    db.session.flush()
    if person is not None:
        # As in Pol.is, whoever says something agrees with it: their agree mark is kept
        # like any other (it counts once the statement is published, as theirs only once).
        _keep_mark(statement, person, grouping.AGREE)
    return statement


def merge_person(conv: Conversation, before: str, after: str) -> int:
    """Someone who took part without a code has now given one: their earlier marks and
    statements move to the code's pseudonym, so one voice is never counted twice. Where
    both marked the same statement, the code's mark stands. Returns the marks moved."""
    if before == after:
        return 0
    mine = set(
        db.session.scalars(
            select(Mark.statement_id).where(Mark.conversation_id == conv.id, Mark.marker == after)
        )
    )
    moved = 0
    for old in db.session.scalars(
        select(Mark).where(Mark.conversation_id == conv.id, Mark.marker == before)
    ):
        if old.statement_id in mine:
            db.session.delete(old)
        else:
            old.marker = after
            old.indicative = False
            moved += 1
    for statement in db.session.scalars(
        select(Statement).where(Statement.conversation_id == conv.id, Statement.author == before)
    ):
        statement.author = after
    db.session.flush()
    return moved


def own(conv: Conversation, person: Person) -> list[Statement]:
    """The person's own statements, whatever their state."""
    return list(
        db.session.scalars(
            select(Statement)
            .where(Statement.conversation_id == conv.id, Statement.author == person.key)
            .order_by(Statement.id)
        ).unique()
    )


def next_for(conv: Conversation, person: Person) -> Statement | None:
    """The next published statement the person has not marked, nor written.

    As Pol.is does, those with fewer marks come first, so every statement gets seen;
    among equals the oldest first.
    """
    marked = select(Mark.statement_id).where(
        Mark.conversation_id == conv.id, Mark.marker == person.key
    )
    marks = (
        select(func.count(Mark.id))
        .where(Mark.statement_id == Statement.id)
        .correlate(Statement)
        .scalar_subquery()
    )
    query = (
        select(Statement)
        .where(
            Statement.conversation_id == conv.id,
            Statement.status == StatementStatus.PUBLISHED,
            Statement.id.not_in(marked),
            (Statement.author.is_(None)) | (Statement.author != person.key),
        )
        .order_by(marks, Statement.id)
        .limit(1)
    )
    return db.session.scalars(query).unique().first()


def left_to_mark(conv: Conversation, person: Person) -> int:
    marked = select(Mark.statement_id).where(
        Mark.conversation_id == conv.id, Mark.marker == person.key
    )
    return (
        db.session.scalar(
            select(func.count(Statement.id)).where(
                Statement.conversation_id == conv.id,
                Statement.status == StatementStatus.PUBLISHED,
                Statement.id.not_in(marked),
                (Statement.author.is_(None)) | (Statement.author != person.key),
            )
        )
        or 0
    )


def mark(statement: Statement, person: Person, value: str, *, today: date | None = None) -> Mark:
    """Keep one mark per person per statement: a second mark replaces the first."""
    if value not in VALUES:
        raise ConversationError("bad_mark")
    if statement.status != StatementStatus.PUBLISHED or not statement.conversation.is_open:
        raise ConversationError("closed")
    return _keep_mark(statement, person, VALUES[value], today)


def _keep_mark(statement: Statement, person: Person, value: int, today: date | None = None) -> Mark:
    """The person's one mark on the statement, made or replaced, and flushed."""
    found = db.session.scalar(
        select(Mark).where(Mark.statement_id == statement.id, Mark.marker == person.key)
    )
    if found is None:
        found = Mark(
            conversation_id=statement.conversation_id, statement_id=statement.id, marker=person.key
        )
        db.session.add(found)
    found.value = value
    found.indicative = person.indicative
    found.area_id = person.area_id
    found.lang = person.lang
    found.marked_on = today or date.today()
    db.session.flush()
    return found


def set_open(conv: Conversation, is_open: bool, actor: User | None) -> None:
    conv.is_open = is_open
    audit.record(
        "conversation_opened" if is_open else "conversation_closed", actor=actor, round=conv.round
    )
    db.session.flush()


# --- Moderation -------------------------------------------------------------------------


def waiting() -> list[Statement]:
    return list(
        db.session.scalars(
            select(Statement)
            .where(Statement.status == StatementStatus.WAITING)
            .order_by(Statement.id)
        ).unique()
    )


def decide(statement: Statement, actor: User, publish: bool) -> None:
    statement.status = StatementStatus.PUBLISHED if publish else StatementStatus.REJECTED
    audit.record(
        "statement_published" if publish else "statement_rejected",
        actor=actor,
        round=statement.conversation.round,
        statement=statement.id,
    )
    db.session.flush()


def translate(
    item: Statement | Theme, field: str, typed: dict[str, str], translator: User, *, checked: bool
) -> list[str]:
    """Write a statement's text (or a theme's name) in other languages; an empty box leaves
    a language as it was. A moderator's words count as checked; a volunteer's wait for a
    check, and a moderator saving the same words again checks them. Returns the languages
    written."""
    written = []
    for lang, body in typed.items():
        if not body or lang == item.content.original_lang:
            continue
        found = next((t for t in item.content.texts if t.field == field and t.lang == lang), None)
        if found is not None and found.body == body and (found.reviewed or not checked):
            continue
        write_text(item.content, field, lang, body, reviewed=checked, by=translator)
        written.append(lang)
    if written:
        conv = item.conversation
        audit.record(
            "statement_translated" if field == "text" else "theme_translated",
            actor=translator,
            round=conv.round,
            item=item.id,
            langs=written,
            checked=checked,
        )
    db.session.flush()
    return written


def make_theme(
    conv: Conversation, names: dict[str, str], statement_ids: list[int], actor: User | None
) -> Theme:
    """A theme with its name in one or more languages, gathering published statements."""
    lang = next(iter(names))
    theme = Theme(conversation=conv, content=new_content(lang, {"name": names}))
    db.session.add(theme)
    db.session.flush()
    for statement in conv.statements:
        if statement.id in statement_ids and statement.status == StatementStatus.PUBLISHED:
            statement.theme = theme
    audit.record("theme_made", actor=actor, round=conv.round, theme=theme.id)
    db.session.flush()
    return theme


def can_take(rnd: Round, kind: str) -> bool:
    """Whether a round can still take a new problem (until it closes: a problem goes to the
    council beside the top five even after the vote) or a new idea (until voting opens:
    then the ideas on the ballot are fixed)."""
    if kind == "problem":
        return rnd.phase != Phase.CLOSED
    return not rnd.phase.rules_frozen


def rounds_to_take(kind: str) -> list[Round]:
    """The rounds a theme can go to as a problem or an idea, newest first."""
    found = db.session.scalars(select(Round).order_by(Round.id.desc())).unique()
    return [r for r in found if can_take(r, kind)]


def _names(theme: Theme) -> dict[str, str]:
    return {t.lang: t.body for t in theme.content.texts if t.field == "name"}


def _hold(theme: Theme) -> None:
    """Hold the theme's row, so of two presses at once the second waits and then finds the
    first one's work (on PostgreSQL; on SQLite a unique key refuses the second)."""
    db.session.execute(select(Theme.id).where(Theme.id == theme.id).with_for_update())
    db.session.refresh(theme)  # read after the lock: what another press committed


def turn_into_problem(theme: Theme, actor: User | None, rnd: Round | None = None) -> Barrier:
    """Make the theme a problem (a "brick in the wall") of a round, linked both ways: by
    default its own round; a stand-alone conversation's theme goes to the round chosen.

    Once only (see `_hold`): the caller says it is done when the unique key refuses."""
    _hold(theme)
    if theme.barrier is not None:
        return theme.barrier
    rnd = rnd or theme.conversation.round
    if rnd is None or not can_take(rnd, "problem"):
        raise ConversationError("round_closed")
    barrier = Barrier(
        key=f"theme-{theme.id}",
        content=new_content(theme.content.original_lang, {"title": _names(theme)}),
    )
    theme.barrier = barrier
    rnd.barriers.append(barrier)
    audit.record("theme_to_problem", actor=actor, round=rnd, theme=theme.id)
    db.session.flush()
    return barrier


def turn_into_idea(theme: Theme, actor: User | None, rnd: Round | None = None) -> Remedy:
    """Make the theme an idea (a remedy) of a round, linked both ways. It goes to the
    moderators' queue, like any idea sent in, so they can set what it costs and publish it."""
    _hold(theme)
    if theme.remedy is not None:
        return theme.remedy
    rnd = rnd or theme.conversation.round
    if rnd is None or not can_take(rnd, "idea"):
        raise ConversationError("round_closed")
    names = _names(theme)
    remedy = Remedy(
        round=rnd,
        area_id=theme.conversation.area_id or rnd.area_id,
        barrier_id=theme.barrier_id,
        status=RemedyStatus.SUBMITTED,
        created_by_id=actor.id if actor else None,
        content=new_content(theme.content.original_lang, {"title": names}),
    )
    db.session.add(remedy)
    theme.remedy = remedy
    db.session.flush()
    audit.record("theme_to_idea", actor=actor, remedy=remedy, theme=theme.id)
    db.session.flush()
    return remedy


def theme_of(*, barrier: Barrier | None = None, remedy: Remedy | None = None) -> Theme | None:
    """The theme a problem or an idea came from, so the public can follow it back."""
    if barrier is not None:
        return db.session.scalar(select(Theme).where(Theme.barrier_id == barrier.id))
    if remedy is not None:
        return db.session.scalar(select(Theme).where(Theme.remedy_id == remedy.id))
    return None


def themes_for(rnd: Round) -> list[Theme]:
    """The themes that reach a round: its own conversation's, and any theme (from a
    stand-alone conversation too) turned into one of its problems or ideas."""
    own = of_round(rnd)
    barriers = [b.id for b in rnd.barriers]
    found = db.session.scalars(
        select(Theme)
        .outerjoin(Remedy, Remedy.id == Theme.remedy_id)
        .where(
            (Theme.conversation_id == (own.id if own else -1))
            | Theme.barrier_id.in_(barriers)
            | (Remedy.round_id == rnd.id)
        )
        .order_by(Theme.id)
    ).unique()
    return list(found)


def problems_from_themes(rnd: Round) -> list[tuple[str, int]]:
    """The problems and ideas this round's themes became, as ("barrier" | "remedy", id),
    most people first: they go to the council beside the top five, with the same duty to
    answer by the same date."""
    rows = []
    for row in theme_rows_of(themes_for(rnd), "en"):
        theme = row["theme"]
        people = -(row["people"] or 0)
        if theme.barrier_id is not None and rnd in theme.barrier.rounds:
            rows.append((people, theme.id, "barrier", theme.barrier_id))
        if theme.remedy_id is not None and theme.remedy.round_id == rnd.id:
            rows.append((people, theme.id, "remedy", theme.remedy_id))
    return [(kind, item) for _people, _id, kind, item in sorted(rows)]


def import_counts(conv: Conversation, data: bytes, source: str, actor: User | None) -> int:
    """Add theme counts collated elsewhere; refused whole (theme_counts.Refused) when any
    row is per-person or names a theme this conversation does not have."""
    rows = theme_counts.read(data)
    names = {}
    for theme in conv.themes:
        for t in theme.content.texts:
            if t.field == "name" and t.body:
                names[t.body.strip().casefold()] = theme
    unknown = [
        theme_counts.Problem(r.line, "unknown_theme", r.theme)
        for r in rows
        if r.theme.casefold() not in names
    ]
    if unknown:
        raise theme_counts.Refused(unknown)
    for r in rows:
        names[r.theme.casefold()].imported.append(
            ThemeCount(area=r.area[:200], people=r.count, source=(r.source or source.strip())[:200])
        )
    audit.record("theme_counts_imported", actor=actor, round=conv.round, rows=len(rows))
    db.session.flush()
    return len(rows)


# --- Adding it up ---------------------------------------------------------------------------


def marks_of(conv: Conversation) -> list[tuple[str, int, int]]:
    """(person, statement, value) for every mark on a published statement."""
    rows = db.session.execute(
        select(Mark.marker, Mark.statement_id, Mark.value)
        .join(Statement, Statement.id == Mark.statement_id)
        .where(Mark.conversation_id == conv.id, Statement.status == StatementStatus.PUBLISHED)
    )
    return [(m, s, v) for m, s, v in rows]


@dataclass
class Summary:
    """What a conversation adds up to, with every figure about too few people hidden."""

    people: int  # everyone who marked anything
    grouped: int
    left_out: int
    groups: list[dict]  # {"size": int | None, "distinctive": [(statement_id, "agree"|..., pct)]}
    common_ground: list[tuple[Hashable, int | None]]  # (statement, % agreeing overall)
    divisive: list[Hashable]
    everyone: dict[Hashable, grouping.StatementTally]
    # A big conversation's summary is worked out by a job: when it was, and from how many
    # marks; `waiting` while the first one is not done yet.
    worked_out_at: datetime | None = None
    marks: int | None = None
    waiting: bool = False

    def to_json(self) -> dict:
        return {
            "people": self.people,
            "grouped": self.grouped,
            "left_out": self.left_out,
            "groups": [
                {"size": g["size"], "distinctive": [list(d) for d in g["distinctive"]]}
                for g in self.groups
            ],
            "common_ground": [list(c) for c in self.common_ground],
            "divisive": list(self.divisive),
            "everyone": {str(s): [t.agree, t.disagree, t.passed] for s, t in self.everyone.items()},
        }

    @classmethod
    def from_json(cls, data: dict, **kept) -> Summary:
        return cls(
            people=data["people"],
            grouped=data["grouped"],
            left_out=data["left_out"],
            groups=[
                {"size": g["size"], "distinctive": [tuple(d) for d in g["distinctive"]]}
                for g in data["groups"]
            ],
            common_ground=[(s, pct) for s, pct in data["common_ground"]],
            divisive=list(data["divisive"]),
            everyone={int(s): grouping.StatementTally(*t) for s, t in data["everyone"].items()},
            **kept,
        )


def marks_count(conv: Conversation) -> int:
    """How many marks there are on the conversation's published statements."""
    return (
        db.session.scalar(
            select(func.count(Mark.id))
            .join(Statement, Statement.id == Mark.statement_id)
            .where(Mark.conversation_id == conv.id, Statement.status == StatementStatus.PUBLISHED)
        )
        or 0
    )


def summary_for_page(conv: Conversation, inline_up_to: int) -> Summary:
    """The summary a page shows: worked out now for a small conversation; for a big one,
    the one a job worked out last (`waiting` when there is none yet: the caller queues one).
    Grouping 10,000 people takes about a second of a web worker's time; a job does it."""
    if marks_count(conv) <= inline_up_to:
        return summarise(conv)
    stored = stored_summary(conv)
    if stored is None:
        return Summary(0, 0, 0, [], [], [], {}, waiting=True)
    return stored


def stored_summary(conv: Conversation) -> Summary | None:
    stored = db.session.scalar(
        select(StoredGrouping).where(StoredGrouping.conversation_id == conv.id)
    )
    if stored is None:
        return None
    return Summary.from_json(stored.result, worked_out_at=stored.worked_out_at, marks=stored.marks)


def lock_grouping(conv: Conversation) -> None:
    """Hold the conversation's row while its grouping is worked out (PostgreSQL)."""
    db.session.execute(select(Conversation.id).where(Conversation.id == conv.id).with_for_update())


def kept_is_fresh(conv: Conversation) -> bool:
    """Whether the kept grouping was worked out from the marks there are now."""
    kept = db.session.scalar(
        select(StoredGrouping.marks).where(StoredGrouping.conversation_id == conv.id)
    )
    return kept is not None and kept == marks_count(conv)


def group_and_keep(conv: Conversation) -> Summary:
    """Work out a conversation's summary and keep it (the job's work); replaces the last."""
    count = marks_count(conv)
    summary = summarise(conv)
    stored = db.session.scalar(
        select(StoredGrouping).where(StoredGrouping.conversation_id == conv.id)
    )
    if stored is None:
        stored = StoredGrouping(conversation_id=conv.id)
        db.session.add(stored)
    stored.marks = count
    stored.result = summary.to_json()
    stored.worked_out_at = utcnow()
    db.session.flush()
    summary.marks, summary.worked_out_at = count, stored.worked_out_at
    return summary


def to_group_again(inline_up_to: int) -> list[int]:
    """Big conversations whose kept grouping is missing or older than their marks."""
    counts = db.session.execute(
        select(Mark.conversation_id, func.count(Mark.id))
        .join(Statement, Statement.id == Mark.statement_id)
        .where(Statement.status == StatementStatus.PUBLISHED)
        .group_by(Mark.conversation_id)
        .having(func.count(Mark.id) > inline_up_to)
    ).all()
    kept = dict(
        db.session.execute(select(StoredGrouping.conversation_id, StoredGrouping.marks)).all()
    )
    return sorted(conv for conv, n in counts if kept.get(conv) != n)


def shown(number: int) -> int | None:
    """A count, or None (shown as "fewer than 10") when it is about too few people."""
    return number if number >= HIDE_BELOW else None


def summarise(conv: Conversation, *, top: int = 5, min_marks: int | None = None) -> Summary:
    """Groups, common ground and what splits people. People who marked fewer than
    `min_marks` statements (7, or every statement when there are fewer) are not grouped."""
    marks = marks_of(conv)
    if min_marks is None:
        min_marks = min(grouping.MIN_MARKS, len({s for _p, s, _v in marks}) or 1)
    # 0.06 s for the demo's 60 people, 0.9 s for 10,000 people x 1,000 statements
    # (bench/conversation.py): a big conversation's is worked out by a job and kept.
    found = grouping.group(marks, min_marks=min_marks)
    big = [g for g, members in enumerate(found.groups) if len(members) >= HIDE_BELOW]
    groups = []
    for g, members in enumerate(found.groups):
        entry: dict = {"size": shown(len(members)), "distinctive": []}
        if g in big:
            entry["distinctive"] = _distinctive(found, g, top)
        groups.append(entry)
    common = []
    divisive: list[tuple[float, Hashable]] = []
    for s in found.statements:
        tallies = [found.tallies[g][s] for g in big]
        if not tallies or any(t.seen < 3 for t in tallies):
            continue
        lowest = min(t.p_agree for t in tallies)
        if lowest > 0.6:
            common.append((lowest, s))
        if len(tallies) > 1:
            spread = max(t.p_agree for t in tallies) - min(t.p_agree for t in tallies)
            if spread > 0.3:
                divisive.append((spread, s))
    everyone = found.everyone
    return Summary(
        people=len(found.left_out) + sum(len(m) for m in found.groups),
        grouped=sum(len(m) for m in found.groups),
        left_out=len(found.left_out),
        groups=groups,
        common_ground=[
            (s, _pct(everyone[s]) if everyone[s].seen >= HIDE_BELOW else None)
            for _p, s in sorted(common, key=lambda c: (-c[0], c[1]))[:top]
        ],
        # What splits people is shown more fully: each is a place where the groups differ.
        divisive=[s for _p, s in sorted(divisive, key=lambda d: (-d[0], d[1]))[: 2 * top]],
        everyone=everyone,
    )


def _pct(t: grouping.StatementTally) -> int:
    return round(100 * t.agree / t.seen) if t.seen else 0


def _distinctive(found: grouping.Grouping, g: int, top: int) -> list[tuple[Hashable, str, int]]:
    """The statements this group agrees (or disagrees) with far more than the others do."""
    scored = []
    for s in found.statements:
        mine = found.tallies[g][s]
        if mine.seen < 3:
            continue
        rest = grouping.StatementTally(
            sum(found.tallies[o][s].agree for o in range(len(found.groups)) if o != g),
            sum(found.tallies[o][s].disagree for o in range(len(found.groups)) if o != g),
            sum(found.tallies[o][s].passed for o in range(len(found.groups)) if o != g),
        )
        for way, p_in, p_out in (
            ("agree", mine.p_agree, rest.p_agree),
            ("disagree", mine.p_disagree, rest.p_disagree),
        ):
            if p_in > 0.5:
                scored.append((p_in / p_out, s, way))
    scored.sort(key=lambda x: (-x[0], x[1]))
    best, seen = [], set()
    for _ratio, s, way in scored:
        if s not in seen:
            seen.add(s)
            t = found.tallies[g][s]
            count = t.agree if way == "agree" else t.disagree
            best.append((s, way, round(100 * count / t.seen)))
        if len(best) == top:
            break
    return best


def counts_by(conv: Conversation, column) -> list[tuple[object, int | None]]:
    """How many people marked, by area or by language (hidden when fewer than 10)."""
    rows = db.session.execute(
        select(column, func.count(func.distinct(Mark.marker)))
        .where(Mark.conversation_id == conv.id)
        .group_by(column)
        .order_by(column)
    )
    return [(key, shown(n)) for key, n in rows]


def theme_rows(conv: Conversation, lang: str) -> list[dict]:
    """Each theme: its name, its statements, how many people raised or agreed with it
    (hidden when fewer than 10), by area and language, and counts collated elsewhere."""
    return theme_rows_of(conv.themes, lang)


def theme_rows_of(themes: list[Theme], lang: str) -> list[dict]:
    # Three queries for all the themes together, not three for each theme, and the themes'
    # statements and outside counts loaded in one go each (a page shows up to every theme).
    if not themes:
        return []
    ids = [theme.id for theme in themes]
    db.session.scalars(
        select(Theme)
        .where(Theme.id.in_(ids))
        .options(selectinload(Theme.statements), selectinload(Theme.imported))
    ).all()
    agreed_marks = (
        select(Statement.theme_id, Mark.marker)
        .join(Statement, Statement.id == Mark.statement_id)
        .where(Statement.theme_id.in_(ids), Mark.value == 1)
    )
    agreed: dict[int | None, set[str]] = {}
    for theme_id, marker in db.session.execute(agreed_marks):
        agreed.setdefault(theme_id, set()).add(marker)
    by_area: dict[int | None, list] = {}
    for theme_id, area, n in db.session.execute(
        select(Statement.theme_id, Area.name, func.count(func.distinct(Mark.marker)))
        .select_from(Mark)
        .join(Statement, Statement.id == Mark.statement_id)
        .outerjoin(Area, Area.id == Mark.area_id)
        .where(Statement.theme_id.in_(ids), Mark.value == 1)
        .group_by(Statement.theme_id, Area.name)
        .order_by(Statement.theme_id, Area.name)
    ):
        by_area.setdefault(theme_id, []).append((area, shown(n)))
    by_lang: dict[int | None, list] = {}
    for theme_id, code, n in db.session.execute(
        select(Statement.theme_id, Mark.lang, func.count(func.distinct(Mark.marker)))
        .join(Statement, Statement.id == Mark.statement_id)
        .where(Statement.theme_id.in_(ids), Mark.value == 1)
        .group_by(Statement.theme_id, Mark.lang)
        .order_by(Statement.theme_id, Mark.lang)
    ):
        by_lang.setdefault(theme_id, []).append((code, shown(n)))
    rows = []
    for theme in themes:
        authors = {s.author for s in theme.statements if s.author}
        rows.append(
            {
                "theme": theme,
                "name": theme.t("name", lang),
                "statements": theme.statements,
                "people": shown(len(authors | agreed.get(theme.id, set()))),
                "by_area": by_area.get(theme.id, []),
                "by_lang": by_lang.get(theme.id, []),
                "imported": shown(sum(c.people for c in theme.imported)),
                "imported_by_area": [(c.area, shown(c.people)) for c in theme.imported],
            }
        )
    return rows
