"""Writes for ideas outside rounds: putting one up, moderating, support, the duty to answer.

Each write adds its rows and audit event to the caller's transaction and flushes; the caller
commits once. Support is counted once per person: each way (a voter code, an email address,
a paper form's name and address) once by the unique (idea, supporter) pair, and a code and an
email proved in the same browser session as one person (`IdeaSupport.person`; see
`_proved_in`). The idea's
row is locked while support is added, so exactly one request moves it into the answer queue
when the threshold is reached, however many arrive at once.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from coprod.extensions import db
from coprod.ideas.models import Idea, IdeaAnswer, IdeaRule, IdeaSupport, SupportWay
from coprod.models import Area, RemedyStatus, User, VoterCode
from coprod.operations import audit
from coprod.operations.codes import code_hash, keyed_hash
from coprod.operations.content import new_content, write_text
from coprod.operations.responses import DECISION_MAKERS, NotAllowed, Refused, can_answer

FIELDS = ("title", "now", "proposal")


class IdeaError(Refused):
    """A write on an idea that is not allowed; `code` says why."""


# --- Putting an idea up, and moderating it -------------------------------------------------


def put_up(
    area: Area,
    lang: str,
    texts: dict[str, str],
    now_cost: int | None,
    proposal_cost: int | None,
    *,
    user: User | None = None,
) -> Idea:
    """A new idea, waiting for a moderator's check before anyone else sees it."""
    idea = Idea(
        area_id=area.id,
        group_id=user.group_id if user is not None and user.is_authenticated else None,
        created_by_id=user.id if user is not None and user.is_authenticated else None,
        now_cost=now_cost,
        proposal_cost=proposal_cost,
        status=RemedyStatus.SUBMITTED,
        content=new_content(lang, {f: texts.get(f, "").strip() for f in FIELDS}),
    )
    db.session.add(idea)
    db.session.flush()
    audit.record("idea_submitted", idea=idea.id, area=area.id)
    db.session.flush()
    return idea


def waiting_for_check() -> list[Idea]:
    """Ideas sent for a check, the longest waiting first."""
    return list(
        db.session.scalars(
            select(Idea)
            .where(Idea.status == RemedyStatus.SUBMITTED)
            .order_by(Idea.created_at, Idea.id)
        )
    )


def publish(idea: Idea, moderator: User) -> None:
    """Make a checked idea public, so people can support it."""
    if idea.status != RemedyStatus.SUBMITTED:
        raise IdeaError("not_waiting")
    idea.status = RemedyStatus.PUBLISHED
    audit.record("idea_published", actor=moderator, idea=idea.id)
    db.session.flush()


def ask_for_changes(idea: Idea, moderator: User, message: str) -> None:
    """Send an idea back to its author with a message saying what to change, as remedies are."""
    _decide(idea, moderator, RemedyStatus.CHANGES_REQUESTED, message, "idea_changes_requested")


def change(
    idea: Idea,
    lang: str,
    texts: dict[str, str],
    now_cost: int | None,
    proposal_cost: int | None,
) -> None:
    """The author's changed idea, back in the moderators' queue."""
    if idea.status != RemedyStatus.CHANGES_REQUESTED:
        raise IdeaError("not_editable")
    content = idea.content
    if content.original_lang != lang:  # now written in another language: the old words go
        content.texts = [t for t in content.texts if t.lang != content.original_lang]
        content.original_lang = lang
    for field in FIELDS:
        content.set(field, lang, texts.get(field, "").strip(), reviewed=True)
    idea.now_cost, idea.proposal_cost = now_cost, proposal_cost
    idea.status = RemedyStatus.SUBMITTED
    audit.record("idea_resubmitted", idea=idea.id)
    db.session.flush()


def reject(idea: Idea, moderator: User, reason: str) -> None:
    """Turn an idea down, with a reason kept beside it."""
    _decide(idea, moderator, RemedyStatus.REJECTED, reason, "idea_rejected")


def _decide(idea: Idea, moderator: User, status: RemedyStatus, words: str, event: str) -> None:
    """A moderator's answer to a waiting idea, with the words its author will read."""
    if idea.status != RemedyStatus.SUBMITTED:
        raise IdeaError("not_waiting")
    idea.status = status
    idea.moderator_message = words.strip()
    audit.record(event, actor=moderator, idea=idea.id)
    db.session.flush()


# --- Thresholds ------------------------------------------------------------------------------


def rule_for(area_id: int) -> IdeaRule | None:
    return db.session.get(IdeaRule, area_id)


def set_rule(
    area: Area,
    *,
    supporters: int | None,
    percent: float | None,
    answer_days: int,
    decision_maker: User | None,
    keep_days: int,
    actor: User,
) -> IdeaRule:
    """Set an area's threshold (a number, or a share of its population) and answer time."""
    if decision_maker is not None and decision_maker.role not in DECISION_MAKERS:
        raise IdeaError("not_a_decision_maker")
    rule = rule_for(area.id) or IdeaRule(area=area)
    rule.supporters, rule.percent = supporters, percent
    rule.answer_days, rule.decision_maker, rule.keep_days = answer_days, decision_maker, keep_days
    db.session.add(rule)
    audit.record(
        "idea_threshold_set",
        actor=actor,
        area=area.id,
        supporters=supporters,
        percent=percent,
        answer_days=answer_days,
    )
    db.session.flush()
    return rule


def needed(idea: Idea) -> int | None:
    rule = rule_for(idea.area_id)
    return rule.needed() if rule else None


# --- Support ---------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Lower case, no accents' variants, no punctuation, single spaces: 'Flat 2, 5 High St.'
    and 'flat 2 5 high st' are the same address."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def email_key(secret: str, address: str) -> str:
    return keyed_hash(secret, "idea-support", "email:" + address.strip().lower())


def code_key(secret: str, typed: str) -> str:
    return keyed_hash(secret, "idea-support", "code:" + code_hash(secret, typed))


def paper_key(secret: str, name: str, address: str) -> str:
    return keyed_hash(secret, "idea-support", "paper:" + _plain(name) + "|" + _plain(address))


def code_in_area(secret: str, typed: str, area_id: int) -> bool:
    """True when the voter code belongs to a round's voter in this area."""
    found = db.session.scalar(
        select(func.count(VoterCode.id)).where(
            VoterCode.code_hash == code_hash(secret, typed), VoterCode.area_id == area_id
        )
    )
    return bool(found)


def browser_key(secret: str, session_id: str) -> str:
    """A keyed hash of a browser session: what links a code and an email proved in it."""
    return keyed_hash(secret, "idea-support", "browser:" + session_id)


def supporters(idea: Idea) -> int:
    """Confirmed supporters of one idea: people, however many ways each supported."""
    return supporters_of([idea])[idea.id]


def supporters_of(ideas: list[Idea]) -> dict[int, int]:
    """Confirmed supporters of many ideas in one query."""
    if not ideas:
        return {}
    rows = db.session.execute(
        select(IdeaSupport.idea_id, func.count(IdeaSupport.person.distinct()))
        .where(IdeaSupport.idea_id.in_([i.id for i in ideas]), IdeaSupport.confirmed.is_(True))
        .group_by(IdeaSupport.idea_id)
    )
    return {idea.id: 0 for idea in ideas} | {idea_id: n for idea_id, n in rows}


def _lock(idea: Idea) -> None:
    """Hold the idea's row until the commit (PostgreSQL), so supports queue up behind it."""
    db.session.execute(select(Idea.id).where(Idea.id == idea.id).with_for_update()).one()


def _proved_in(
    idea: Idea, browser: str | None, way: SupportWay, other_than: int | None = None
) -> IdeaSupport | None:
    """The first support for this idea proved in this browser session the other way (a code
    for an email, an email for a code) by someone who has not supported this way yet.

    Two codes (or two addresses) in one session are two people: a household shares a phone.
    """
    if browser is None or way == SupportWay.PAPER:
        return None
    same_way = aliased(IdeaSupport)
    query = select(IdeaSupport).where(
        IdeaSupport.idea_id == idea.id,
        IdeaSupport.browser == browser,
        IdeaSupport.confirmed.is_(True),
        IdeaSupport.way.in_([SupportWay.CODE, SupportWay.EMAIL]),
        IdeaSupport.way != way,
        ~exists().where(
            same_way.idea_id == idea.id,
            same_way.person == IdeaSupport.person,
            same_way.way == way,
            same_way.confirmed.is_(True),
            same_way.id != (other_than or 0),
        ),
    )
    return db.session.scalars(query.order_by(IdeaSupport.id).limit(1)).first()


def _join(idea: Idea, support: IdeaSupport, browser: str | None) -> bool:
    """Make `support` the same person as one proved the other way earlier in this browser
    session; True when there was one (so this support adds nobody). Two people counted apart
    until now become one: every support of the later person moves to the earlier."""
    earlier = _proved_in(idea, browser, support.way, other_than=support.id)
    if support.browser is None:
        support.browser = browser
    if earlier is None:
        return False
    if earlier.person != support.person:
        db.session.execute(
            update(IdeaSupport)
            .where(IdeaSupport.idea_id == idea.id, IdeaSupport.person == support.person)
            .values(person=earlier.person)
        )
        db.session.refresh(support)
    return True


def add_support(
    idea: Idea,
    way: SupportWay,
    key: str,
    *,
    confirmed: bool = True,
    browser: str | None = None,
    today: date | None = None,
    name: str | None = None,
    address: str | None = None,
    entered_by: User | None = None,
) -> str:
    """Count one person's support; "counted", "waiting" (email not confirmed yet) or "already".

    Once per person: a second support under the same key, even at the same moment, is
    "already" (the unique pair refuses it; a savepoint keeps the rest of the transaction).
    A support proved in a browser session (`browser`) where this idea was supported before,
    another way, is the same person: it is kept, linked, and adds nobody ("already"); an
    email address asked for there is not even sent a link.
    """
    if idea.status != RemedyStatus.PUBLISHED:
        raise IdeaError("not_published")
    today = today or date.today()
    _lock(idea)
    found = db.session.scalar(
        select(IdeaSupport).where(IdeaSupport.idea_id == idea.id, IdeaSupport.supporter == key)
    )
    if found is not None:
        if found.confirmed and confirmed:
            _join(idea, found, browser)
            db.session.flush()
        return "already" if found.confirmed else "waiting"
    earlier = _proved_in(idea, browser, way)
    if earlier is not None and not confirmed:
        return "already"
    support = IdeaSupport(
        idea_id=idea.id,
        supporter=key,
        person=earlier.person if earlier is not None else key,
        browser=browser if confirmed else None,
        way=way,
        confirmed=confirmed,
        on=today,
        name=name.strip() if name else None,
        address=address.strip() if address else None,
        entered_by_id=entered_by.id if entered_by else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(support)
    except IntegrityError:
        return "already"
    if way == SupportWay.PAPER:
        audit.record("idea_paper_support", actor=entered_by, idea=idea.id)
    if earlier is not None:
        db.session.flush()
        return "already"
    if confirmed:
        reach_threshold(idea, today)
    db.session.flush()
    return "counted" if confirmed else "waiting"


def confirm_support(
    idea: Idea, key: str, today: date | None = None, *, browser: str | None = None
) -> str:
    """Confirm support by its email link: "counted", or "already" when it was counted before
    (by this link, or another way in the browser session that opened it)."""
    today = today or date.today()
    _lock(idea)
    found = db.session.scalar(
        select(IdeaSupport).where(IdeaSupport.idea_id == idea.id, IdeaSupport.supporter == key)
    )
    if found is None:  # the link is signed: its waiting row went (the idea was reset); count it
        return add_support(idea, SupportWay.EMAIL, key, today=today, browser=browser)
    if found.confirmed:
        _join(idea, found, browser)
        db.session.flush()
        return "already"
    # Only one of two presses at once changes the row; the other sees it done.
    changed = db.session.execute(
        update(IdeaSupport)
        .where(IdeaSupport.id == found.id, IdeaSupport.confirmed.is_(False))
        .values(confirmed=True)
    ).rowcount  # type: ignore[attr-defined]
    db.session.refresh(found)
    if not changed:
        return "already"
    if _join(idea, found, browser):
        db.session.flush()
        return "already"
    reach_threshold(idea, today)
    db.session.flush()
    return "counted"


def reach_threshold(idea: Idea, today: date) -> bool:
    """Put the idea in the council's answer queue, with its due date, once it has enough
    support; True when this call did it."""
    if idea.due_on is not None:
        return False
    rule = rule_for(idea.area_id)
    wanted = rule.needed() if rule else None
    db.session.flush()
    if rule is None or wanted is None or supporters(idea) < wanted:
        return False
    idea.queued_on = today
    idea.due_on = today + timedelta(days=rule.answer_days)
    idea.decision_maker_id = rule.decision_maker_id
    audit.record("idea_queued", idea=idea.id, supporters=wanted, due_on=idea.due_on.isoformat())
    db.session.flush()
    return True


# --- The council's answer ----------------------------------------------------------------------


def answer(
    idea: Idea,
    decision: IdeaAnswer,
    reason: str,
    decided_on: date,
    *,
    lang: str,
    actor: User,
) -> bool:
    """Store the council's answer in the language it was written in; True when it is the first.

    Translations into other languages go through the content flow: written by a volunteer,
    marked "not checked yet" until a moderator checks them.
    """
    if idea.due_on is None:
        raise IdeaError("not_in_queue")
    if not can_answer(actor, idea):
        raise NotAllowed()
    first = idea.decision is None
    # A change stays in the language the answer was first written in; translations of the
    # old words are marked "not checked" again until a moderator looks at them.
    written_in = answer_lang(idea) or lang
    for t in idea.content.texts:
        if t.field == "reason" and t.lang != written_in:
            t.reviewed = False
    idea.content.set("reason", written_in, reason.strip(), reviewed=True)
    idea.decision, idea.decided_on, idea.answered_in = decision, decided_on, written_in
    audit.record(
        "idea_answered" if first else "idea_answer_changed",
        actor=actor,
        idea=idea.id,
        decision=decision.value,
        decided_on=decided_on.isoformat(),
    )
    db.session.flush()
    return first


def answer_lang(idea: Idea) -> str | None:
    """The language the council wrote its answer in."""
    return idea.answered_in


def translate_answer(idea: Idea, lang: str, text: str, translator: User) -> None:
    """A volunteer's translation of the answer, shown marked until a moderator checks it."""
    if idea.decision is None:
        raise IdeaError("no_answer_yet")
    if lang == answer_lang(idea):
        raise IdeaError("same_language")
    write_text(idea.content, "reason", lang, text.strip(), reviewed=False, by=translator)
    audit.record("idea_answer_translated", actor=translator, idea=idea.id, lang=lang)
    db.session.flush()


def review_translation(idea: Idea, lang: str, moderator: User) -> None:
    """Mark the answer's translation into `lang` as checked."""
    for t in idea.content.texts:
        if t.lang == lang:
            t.reviewed = True
    audit.record("idea_translation_reviewed", actor=moderator, idea=idea.id, lang=lang)
    db.session.flush()


def unchecked_translations() -> list[tuple[Idea, str]]:
    """(idea, language) for every idea with a text not yet checked."""
    found = db.session.scalars(select(Idea).where(Idea.decision.is_not(None))).unique()
    return [
        (idea, t.lang) for idea in found for t in idea.content.texts if not t.reviewed and t.body
    ]


def answer_queue() -> list[Idea]:
    """Ideas in the council's answer queue with no answer yet, the soonest due first."""
    query = select(Idea).where(Idea.due_on.is_not(None), Idea.decision.is_(None))
    return list(db.session.scalars(query.order_by(Idea.due_on, Idea.id)).unique())


def newly_overdue(today: date) -> list[Idea]:
    """Overdue ideas whose followers have not been told yet; marks them told."""
    found = list(
        db.session.scalars(
            select(Idea).where(
                Idea.due_on < today, Idea.decision.is_(None), Idea.overdue_told.is_(False)
            )
        ).unique()
    )
    for idea in found:
        idea.overdue_told = True
    db.session.flush()
    return found


def forget_paper_details(today: date) -> int:
    """Wipe names and addresses typed in from paper forms once the privacy settings say."""
    wiped = 0
    for rule in db.session.scalars(select(IdeaRule)):
        cutoff = today - timedelta(days=rule.keep_days)
        ideas = select(Idea.id).where(Idea.area_id == rule.area_id, Idea.decided_on < cutoff)
        result = db.session.execute(
            update(IdeaSupport)
            .where(IdeaSupport.idea_id.in_(ideas), IdeaSupport.name.is_not(None))
            .values(name=None, address=None)
        )
        wiped += result.rowcount  # type: ignore[attr-defined]
    if wiped:
        audit.record("idea_paper_details_deleted", count=wiped)
    db.session.flush()
    return wiped
