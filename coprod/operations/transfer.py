"""Moving a whole round in and out as JSON: `flask export ROUND` / `flask import FILE`.

The export holds what the round's pages and counts need: its words in every language, its
barriers and remedies, the voter codes' hashes and used flags, ballots, ratings, counts,
responses and the audit trail. It never holds anything that links a ballot to a code.
"""

from datetime import date, datetime

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import (
    Area,
    AuditEvent,
    Ballot,
    BallotChoice,
    Barrier,
    Content,
    Count,
    Group,
    Rating,
    Remedy,
    Response,
    ResponseUpdate,
    Round,
    User,
    VoterCode,
)
from coprod.operations.rounds import RULE_FIELDS

FORMAT = "coprod-round/1"
ROUND_FIELDS = (
    "slug",
    "phase",
    "proposing_opens",
    "rating_opens",
    "voting_opens",
    "voting_closes",
    "responses_due",
    *RULE_FIELDS,
    "eligibility",
    "frozen_rules",
    "keep_contacts_days",
    "paper_double_entry",
    "pb_meta",
)
REMEDY_FIELDS = ("status", "cost", "now_cost", "proposal_cost", "external_id", "moderator_message")


class TransferError(Exception):
    """An import that cannot be done, with the reason."""


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    return getattr(value, "value", value)  # enums become their plain word


def _content(content: Content) -> dict:
    return {
        "original_lang": content.original_lang,
        "texts": [
            {"field": t.field, "lang": t.lang, "body": t.body, "reviewed": t.reviewed}
            for t in content.texts
        ],
    }


def export_round(rnd: Round) -> dict:
    """Everything about one round, as JSON-ready data."""
    remedies = db.session.scalars(
        select(Remedy).where(Remedy.round_id == rnd.id).order_by(Remedy.id)
    ).all()
    ballots = db.session.scalars(
        select(Ballot).where(Ballot.round_id == rnd.id).order_by(Ballot.id)
    ).all()
    ratings = db.session.scalars(select(Rating).where(Rating.round_id == rnd.id)).all()
    counts = db.session.scalars(select(Count).where(Count.round_id == rnd.id)).all()
    responses = db.session.scalars(select(Response).where(Response.round_id == rnd.id)).all()
    codes = db.session.scalars(select(VoterCode).where(VoterCode.round_id == rnd.id)).all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.round_id == rnd.id)).all()
    return {
        "format": FORMAT,
        "round": {f: _plain(getattr(rnd, f)) for f in ROUND_FIELDS}
        | {"content": _content(rnd.content), "area": rnd.area.slug if rnd.area else None},
        "areas": [
            {
                "slug": a.slug,
                "name": a.name,
                "population": a.population,
                "population_by_language": a.population_by_language,
            }
            for a in ([rnd.area] if rnd.area else [])
        ],
        "barriers": [{"key": b.key, "content": _content(b.content)} for b in rnd.barriers],
        "groups": sorted(
            {
                r.group.slug: {"slug": r.group.slug, "name": r.group.name, "about": r.group.about}
                for r in remedies
                if r.group
            }.values(),
            key=lambda g: g["slug"],
        ),
        "remedies": [
            {
                "id": r.id,
                "group": r.group.slug if r.group else None,
                "barrier": r.barrier.key if r.barrier else None,
                "content": _content(r.content),
            }
            | {f: _plain(getattr(r, f)) for f in REMEDY_FIELDS}
            for r in remedies
        ],
        "codes": [
            {"code_hash": c.code_hash, "used": c.used, "letter_lang": c.letter_lang} for c in codes
        ],
        "ballots": [
            {
                "receipt_hash": b.receipt_hash,
                "cast_on": b.cast_on.isoformat(),
                "channel": b.channel.value,
                "lang": b.lang,
                "choices": [[c.remedy_id, c.points] for c in b.choices],
            }
            for b in ballots
        ],
        "ratings": [
            {
                "rater": r.rater,
                "barrier": r.barrier_id and _key(r.barrier_id),
                "remedy": r.remedy_id,
                "score": r.score,
                "indicative": r.indicative,
                "lang": r.lang,
                "rated_on": r.rated_on.isoformat(),
            }
            for r in ratings
        ],
        "counts": [
            {
                "rule": c.rule,
                "utility": c.utility,
                "inputs_sha256": c.inputs_sha256,
                "ballots": c.ballots,
                "spent": c.spent,
                "selected": c.selected,
                "explanations": c.explanations,
                "counted_at": c.counted_at.isoformat(),
            }
            for c in counts
        ],
        "responses": [
            {
                "rank": r.rank,
                "barrier": r.barrier.key if r.barrier else None,
                "remedy": r.remedy_id,
                "decision_maker": r.decision_maker.email,
                "due_on": r.due_on.isoformat(),
                "decision": _plain(r.decision),
                "decided_on": _plain(r.decided_on),
                "content": _content(r.content),
                "updates": [
                    {
                        "status": u.status,
                        "on": u.on.isoformat(),
                        "author": db.session.get(User, u.author_id).email,
                        "content": _content(u.content),
                    }
                    for u in r.updates
                ],
            }
            for r in responses
        ],
        "audit": [
            {"at": e.at.isoformat(), "action": e.action, "remedy": e.remedy_id, "detail": e.detail}
            for e in events
        ],
    }


def _key(barrier_id: int) -> str:
    return db.session.get(Barrier, barrier_id).key


def _new_content(data: dict) -> Content:
    content = Content(original_lang=data["original_lang"])
    for t in data["texts"]:
        content.set(t["field"], t["lang"], t["body"], reviewed=t["reviewed"])
    return content


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def import_round(data: dict, *, slug: str | None = None) -> Round:
    """Recreate a round from `export_round` data, in one transaction: flushed here, committed
    once by the caller."""
    if data.get("format") != FORMAT:
        raise TransferError(f"this is not a Coprod round export (format {FORMAT} expected)")
    spec = dict(data["round"])
    spec["slug"] = slug or spec["slug"]
    if db.session.scalar(select(Round.id).where(Round.slug == spec["slug"])):
        raise TransferError(f"a round called {spec['slug']!r} already exists; choose --slug")
    try:
        areas = {}
        for a in data["areas"]:
            areas[a["slug"]] = db.session.scalar(
                select(Area).where(Area.slug == a["slug"])
            ) or Area(**a)
        barriers = {}
        for b in data["barriers"]:
            found = db.session.scalar(select(Barrier).where(Barrier.key == b["key"]))
            barriers[b["key"]] = found or Barrier(key=b["key"], content=_new_content(b["content"]))
        groups = {}
        for g in data["groups"]:
            groups[g["slug"]] = db.session.scalar(
                select(Group).where(Group.slug == g["slug"])
            ) or Group(**g)
        fields = {f: spec[f] for f in ROUND_FIELDS}
        for f in (
            "proposing_opens",
            "rating_opens",
            "voting_opens",
            "voting_closes",
            "responses_due",
        ):
            fields[f] = _day(fields[f])
        rnd = Round(
            **fields,
            content=_new_content(spec["content"]),
            area=areas.get(spec["area"]),
            barriers=list(barriers.values()),
        )
        db.session.add(rnd)
        remedy_ids = {}
        for r in data["remedies"]:
            remedy = Remedy(
                round=rnd,
                group=groups.get(r["group"]),
                barrier=barriers.get(r["barrier"]),
                content=_new_content(r["content"]),
                **{f: r[f] for f in REMEDY_FIELDS},
            )
            db.session.add(remedy)
            remedy_ids[r["id"]] = remedy
        db.session.flush()
        new_id = {old: remedy.id for old, remedy in remedy_ids.items()}
        if rnd.frozen_rules:
            # Rules refer to remedies by id; the ids are new here.
            rnd.frozen_rules = rnd.frozen_rules | {
                "costs": {str(new_id[int(k)]): v for k, v in rnd.frozen_rules["costs"].items()}
            }
        db.session.add_all(VoterCode(round_id=rnd.id, **c) for c in data["codes"])
        for b in data["ballots"]:
            db.session.add(
                Ballot(
                    round_id=rnd.id,
                    receipt_hash=b["receipt_hash"],
                    cast_on=_day(b["cast_on"]),
                    channel=b["channel"],
                    lang=b["lang"],
                    choices=[
                        BallotChoice(remedy_id=new_id[rid], points=pts) for rid, pts in b["choices"]
                    ],
                )
            )
        for r in data["ratings"]:
            db.session.add(
                Rating(
                    round_id=rnd.id,
                    rater=r["rater"],
                    score=r["score"],
                    indicative=r["indicative"],
                    lang=r["lang"],
                    rated_on=_day(r["rated_on"]),
                    barrier_id=barriers[r["barrier"]].id if r["barrier"] else None,
                    remedy_id=new_id[r["remedy"]] if r["remedy"] else None,
                )
            )
        for c in data["counts"]:
            db.session.add(
                Count(
                    round_id=rnd.id,
                    rule=c["rule"],
                    utility=c["utility"],
                    inputs_sha256=c["inputs_sha256"],
                    ballots=c["ballots"],
                    spent=c["spent"],
                    selected=[str(new_id[int(s)]) for s in c["selected"]],
                    explanations={str(new_id[int(k)]): v for k, v in c["explanations"].items()},
                    counted_at=datetime.fromisoformat(c["counted_at"]),
                )
            )
        for r in data["responses"]:
            maker = db.session.scalar(select(User).where(User.email == r["decision_maker"]))
            if maker is None:
                raise TransferError(f"no account for the decision-maker {r['decision_maker']}")
            response = Response(
                round_id=rnd.id,
                rank=r["rank"],
                decision_maker=maker,
                barrier_id=barriers[r["barrier"]].id if r["barrier"] else None,
                remedy_id=new_id[r["remedy"]] if r["remedy"] else None,
                due_on=_day(r["due_on"]),
                decision=r["decision"],
                decided_on=_day(r["decided_on"]),
                content=_new_content(r["content"]),
            )
            for u in r["updates"]:
                author = db.session.scalar(select(User).where(User.email == u["author"]))
                response.updates.append(
                    ResponseUpdate(
                        status=u["status"],
                        on=_day(u["on"]),
                        author_id=(author or maker).id,
                        content=_new_content(u["content"]),
                    )
                )
            db.session.add(response)
        for e in data["audit"]:
            db.session.add(
                AuditEvent(
                    at=datetime.fromisoformat(e["at"]),
                    action=e["action"],
                    round_id=rnd.id,
                    remedy_id=new_id.get(e["remedy"]) if e["remedy"] else None,
                    detail=e["detail"],
                )
            )
        db.session.flush()
    except BaseException:
        db.session.rollback()  # nothing of a file that fails half-way is kept
        raise
    return rnd
