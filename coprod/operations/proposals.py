"""Handling a proposal: drafts, sending it for a check, moderators' decisions, reports,
translations. Each write flushes into the caller's transaction, which commits once: all of
it is stored, or none of it."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import (
    AuditEvent,
    Content,
    ContentText,
    Group,
    Phase,
    Remedy,
    RemedyReport,
    RemedyStatus,
    Round,
    User,
    utcnow,
)
from coprod.operations import audit
from coprod.operations.content import write_text

# The workshop's template, in the order a group fills it in.
FIELDS = ("title", "summary", "now", "proposal", "who_helps", "offer")
EDITABLE = frozenset({RemedyStatus.DRAFT, RemedyStatus.CHANGES_REQUESTED})
# Decisions a reader sees on a published remedy's page; the reasons stay with the group.
PUBLIC_HISTORY = ("remedy_submitted", "remedy_changes_requested", "remedy_published")


class ProposalError(Exception):
    """A change to a proposal that is not allowed now; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Proposal:
    """What a group typed into the template: texts by field, costs in whole units."""

    texts: dict[str, str]
    lang: str
    barrier_id: int | None = None
    area_id: int | None = None
    pot_id: int | None = None  # in a round with pots: the pot it asks from
    cost: int | None = None
    now_cost: int | None = None
    proposal_cost: int | None = None
    helpers_wanted: int | None = None  # what it needs beyond money
    helper_hours: int | None = None  # hours a month for each helper
    from_paper: bool = False  # typed in from the paper proposal form


def can_edit(user: User, remedy: Remedy) -> bool:
    """Any member of the group that wrote a remedy may change it while it is a draft."""
    return (
        user.is_authenticated
        and user.group_id is not None
        and user.group_id == remedy.group_id
        and remedy.status in EDITABLE
    )


def _write(remedy: Remedy, proposal: Proposal) -> None:
    content = remedy.content
    if content.original_lang != proposal.lang:
        # The group now writes in another language: its old original goes, translations stay.
        old = content.original_lang
        content.texts = [t for t in content.texts if t.lang != old]
        content.original_lang = proposal.lang
    for field in FIELDS:
        body = proposal.texts.get(field, "").strip()
        before = content.text(field, proposal.lang)
        if before is not None and not before.is_fallback and before.text != body:
            # Translations of a changed field need a fresh look before they count as checked.
            for t in content.texts:
                if t.field == field and t.lang != proposal.lang:
                    t.reviewed = False
        content.set(field, proposal.lang, body, reviewed=True)
    remedy.barrier_id = proposal.barrier_id
    remedy.from_paper = proposal.from_paper
    remedy.area_id = proposal.area_id
    remedy.pot_id = proposal.pot_id
    remedy.cost = proposal.cost or 0
    remedy.now_cost = proposal.now_cost
    remedy.proposal_cost = proposal.proposal_cost
    remedy.helpers_wanted = proposal.helpers_wanted
    remedy.helper_hours = proposal.helper_hours
    remedy.updated_at = utcnow()


def save(
    rnd: Round,
    author: User,
    proposal: Proposal,
    *,
    remedy: Remedy | None = None,
    send: bool = False,
) -> Remedy:
    """Store a new or changed draft and, with `send`, send it for a check, all at once."""
    if rnd.phase != Phase.PROPOSING:
        raise ProposalError("not_proposing")
    if author.group_id is None:
        raise ProposalError("no_group")
    if remedy is not None and (remedy.round_id != rnd.id or not can_edit(author, remedy)):
        raise ProposalError("not_editable")
    if proposal.cost is not None and proposal.cost > rnd.budget:
        raise ProposalError("over_budget")
    if rnd.pots:
        pot = next((p for p in rnd.pots if p.id == proposal.pot_id), None)
        if pot is None and proposal.pot_id is not None:
            raise ProposalError("not_editable")  # a pot of another round: not from the form
        if pot is not None and proposal.cost is not None and proposal.cost > pot.budget:
            raise ProposalError("over_budget")
    if send and not (author.group is not None and author.group.approved):
        raise ProposalError("group_waiting")
    if remedy is None:
        remedy = Remedy(
            round=rnd,
            group_id=author.group_id,
            created_by_id=author.id,
            content=Content(original_lang=proposal.lang),
        )
        db.session.add(remedy)
    _write(remedy, proposal)
    db.session.flush()
    if send:
        remedy.status = RemedyStatus.SUBMITTED
        audit.record("remedy_submitted", actor=author, remedy=remedy)
    else:
        audit.record("remedy_saved", actor=author, remedy=remedy)
    db.session.flush()
    return remedy


def _decide(
    remedy: Remedy,
    moderator: User,
    allowed_from: set[RemedyStatus],
    to: RemedyStatus,
    action: str,
    message: str = "",
) -> None:
    if remedy.status not in allowed_from:
        raise ProposalError("not_waiting")
    if remedy.round.phase.rules_frozen:
        # Ballots are checked against the remedies as they were when voting opened.
        raise ProposalError("rules_frozen")
    detail: dict[str, Any] = {"before": remedy.status.value}  # unpacked as keywords
    if message:
        detail["message"] = message
    remedy.status = to
    remedy.moderator_message = message.strip()
    if to == RemedyStatus.PUBLISHED:
        remedy.published_at = utcnow()
    for report in open_reports(remedy):
        report.resolved = True
    audit.record(action, actor=moderator, remedy=remedy, **detail)
    db.session.flush()


def publish(remedy: Remedy, moderator: User) -> None:
    """Show a checked remedy to everyone."""
    _decide(remedy, moderator, {RemedyStatus.SUBMITTED}, RemedyStatus.PUBLISHED, "remedy_published")


def ask_for_changes(remedy: Remedy, moderator: User, message: str) -> None:
    """Send a remedy back to its group with a message saying what to change."""
    _decide(
        remedy,
        moderator,
        {RemedyStatus.SUBMITTED, RemedyStatus.PUBLISHED},
        RemedyStatus.CHANGES_REQUESTED,
        "remedy_changes_requested",
        message,
    )


def reject(remedy: Remedy, moderator: User, reason: str) -> None:
    """Turn a remedy down, with a reason its group can read."""
    _decide(
        remedy,
        moderator,
        {RemedyStatus.SUBMITTED, RemedyStatus.PUBLISHED},
        RemedyStatus.REJECTED,
        "remedy_rejected",
        reason,
    )


def report(remedy: Remedy, reason: str) -> RemedyReport:
    """Store a citizen's report about a published remedy, for the moderators' queue."""
    if remedy.status != RemedyStatus.PUBLISHED:
        raise ProposalError("not_published")
    found = RemedyReport(remedy_id=remedy.id, reason=reason.strip())
    db.session.add(found)
    db.session.flush()
    # The reason may name people: it stays in the report, not in the log.
    audit.record("remedy_reported", remedy=remedy, report_id=found.id)
    db.session.flush()
    return found


def resolve_report(found: RemedyReport, moderator: User) -> None:
    """Mark a report as dealt with, leaving the remedy as it is."""
    found.resolved = True
    remedy = db.session.get(Remedy, found.remedy_id)
    audit.record("report_resolved", actor=moderator, remedy=remedy, report_id=found.id)
    db.session.flush()


def translate(remedy: Remedy, lang: str, texts: dict[str, str], translator: User) -> None:
    """Store a volunteer's translation of a published remedy, to be checked by a moderator.

    An empty field takes away an earlier translation of it.
    """
    if remedy.status != RemedyStatus.PUBLISHED:
        raise ProposalError("not_published")
    content = remedy.content
    if lang == content.original_lang:
        raise ProposalError("same_language")
    changed = []
    for field in FIELDS:
        body = texts.get(field, "").strip()
        existing = next((t for t in content.texts if t.field == field and t.lang == lang), None)
        if not body:
            if existing is not None:
                content.texts.remove(existing)
                changed.append(field)
            continue
        if existing is not None and existing.body == body:
            continue
        write_text(content, field, lang, body, reviewed=False, by=translator)
        changed.append(field)
    if changed:
        audit.record(
            "remedy_translated", actor=translator, remedy=remedy, lang=lang, fields=changed
        )
    db.session.flush()


def review_translation(remedy: Remedy, lang: str, moderator: User) -> None:
    """Mark every field of a remedy's translation into `lang` as checked."""
    for t in remedy.content.texts:
        if t.lang == lang:
            t.reviewed = True
    audit.record("translation_reviewed", actor=moderator, remedy=remedy, lang=lang)
    db.session.flush()


# --- Reading, for the pages that show these ------------------------------------------------


def group_remedies(group: Group) -> list[Remedy]:
    """A group's remedies in every round, latest change first."""
    return list(
        db.session.scalars(
            select(Remedy).where(Remedy.group_id == group.id).order_by(Remedy.updated_at.desc())
        )
    )


def waiting_for_check() -> list[Remedy]:
    """Remedies sent for a check, the longest waiting first."""
    return list(
        db.session.scalars(
            select(Remedy)
            .where(Remedy.status == RemedyStatus.SUBMITTED)
            .order_by(Remedy.updated_at, Remedy.id)
        )
    )


def open_reports(remedy: Remedy | None = None) -> list[RemedyReport]:
    """Citizens' reports not yet dealt with, oldest first (for one remedy, or all)."""
    query = select(RemedyReport).where(RemedyReport.resolved.is_(False))
    if remedy is not None:
        query = query.where(RemedyReport.remedy_id == remedy.id)
    return list(db.session.scalars(query.order_by(RemedyReport.created_at, RemedyReport.id)))


def translations_to_check() -> list[tuple[Remedy, str]]:
    """(remedy, language) for every published remedy with a translation not yet checked."""
    rows = db.session.execute(
        select(Remedy.id, ContentText.lang)
        .join(ContentText, ContentText.content_id == Remedy.content_id)
        .join(Content, Content.id == Remedy.content_id)
        .where(
            Remedy.status == RemedyStatus.PUBLISHED,
            ContentText.reviewed.is_(False),
            ContentText.lang != Content.original_lang,
            ContentText.body != "",
        )
        .distinct()
        .order_by(Remedy.id, ContentText.lang)
    ).all()
    return [(db.session.get_one(Remedy, remedy_id), lang) for remedy_id, lang in rows]


def history(remedy: Remedy) -> list[AuditEvent]:
    """The dated decisions on a remedy that readers may see, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.remedy_id == remedy.id, AuditEvent.action.in_(PUBLIC_HISTORY))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
