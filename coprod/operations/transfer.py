"""Moving a whole round in and out as JSON: `flask export ROUND` / `flask import FILE`.

The export holds every row tied to the round, with every column: its words in every
language, its areas, barriers, groups and remedies, reports about remedies, the voter codes'
hashes and used flags, ballots, paper typings, ratings, counts, contacts, responses, the
conversation (statements, marks, themes and their counts), barriers marked on the map and
the community assets its remedies would use, and the audit trail. Columns are
read from the models themselves (`_columns`), so a column added later travels too; a new
reference to another row must be given a way into the file, or the export stops and says
which (`_row`).

Rows point at each other by what names them (an area's slug, a barrier's key, a person's
email) or, for rows with no such name (remedies, reports), by their id in the file; an
import gives every row a new id and keeps every link. People are named by email: an import
uses the account with that email, or makes a signed-out one (it cannot sign in until someone
sets its password).

It never holds anything that links a ballot to a code (a conversation's marks and statements
are kept under the keyed pseudonym ratings use, never a code), and ballots go out in the
order of their receipts, which says nothing about when each was cast. (A paper typing still
waiting for its second typist holds its code's hash and choices, as the database does until
then; the ballot it becomes holds neither.)
"""

import re
import secrets
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum as PyEnum

from sqlalchemy import Date, DateTime, Enum, inspect, select

from coprod.conversation.models import Conversation, Mark, Statement, Theme, ThemeCount
from coprod.delivery.models import CaseStudy, Delivery, DeliveryUpdate
from coprod.extensions import db
from coprod.map.models import Asset, BarrierMark, remedy_asset
from coprod.models import (
    Area,
    AuditEvent,
    AwareDateTime,
    Ballot,
    BallotChoice,
    Barrier,
    Contact,
    Content,
    ContentText,
    Count,
    Group,
    Offer,
    PaperEntry,
    Pot,
    Rating,
    Remedy,
    RemedyReport,
    Response,
    ResponseUpdate,
    Role,
    Round,
    User,
    VoterCode,
)

FORMAT = "coprod-round/4"
# Files an older Coprod wrote, still read: /3 is /4 without a conversation, /2 is /3
# without pots. (A /4 file from before the map has no assets or barrier marks.)
READS = (FORMAT, "coprod-round/3", "coprod-round/2")
SLUG = re.compile(r"[a-z0-9-]{1,80}")  # a round's web address, as the import form asks


class TransferError(Exception):
    """An import that cannot be done, with the reason."""


# --- Rows as plain data, column by column -----------------------------------------------------


def _columns(model) -> list:
    """The model's own columns: all of them but its id and its references to other rows."""
    return [
        attr
        for attr in inspect(model).column_attrs
        if not attr.columns[0].primary_key and not attr.columns[0].foreign_keys
    ]


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, PyEnum):
        return value.value
    return value


def _row(obj, **refs) -> dict:
    """Every column of `obj`; each reference to another row as `refs` says: a (name, value)
    pair for the file, or None for the row it sits under in the file."""
    out = {attr.key: _plain(getattr(obj, attr.key)) for attr in _columns(type(obj))}
    for attr in inspect(type(obj)).column_attrs:
        column = attr.columns[0]
        if not column.foreign_keys or column.primary_key:
            continue
        if attr.key not in refs:
            raise TransferError(f"{column.table.name}.{attr.key}: no way to write it in the file")
        if refs[attr.key] is not None:
            name, value = refs[attr.key]
            out[name] = value
    return out


def _parse(column, value):
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, AwareDateTime | DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return kind.enum_class(value)
    return value


def _values(model, data: dict) -> dict:
    """The model's own columns from a row of the file; a column it lacks keeps its default.

    A column that must have a value and has no default must be in the row: the file is
    refused, naming it, rather than failing in the database half-way through.
    """
    values = {}
    for attr in _columns(model):
        column = attr.columns[0]
        if attr.key in data:
            values[attr.key] = _parse(column, data[attr.key])
        elif not column.nullable and column.default is None and column.server_default is None:
            raise TransferError(f"a {model.__tablename__} row has no {attr.key}")
    return values


# --- Export -----------------------------------------------------------------------------------


def _email(user_id: int | None) -> str | None:
    return db.session.get_one(User, user_id).email if user_id is not None else None


def _slug(area_id: int | None) -> str | None:
    return db.session.get_one(Area, area_id).slug if area_id is not None else None


def _content(content_id: int) -> dict:
    content = db.session.get_one(Content, content_id)
    texts = sorted(content.texts, key=lambda t: (t.field, t.lang))
    return _row(content) | {
        "texts": [
            _row(t, content_id=None, translated_by_id=("translated_by", _email(t.translated_by_id)))
            for t in texts
        ]
    }


def _all(model, *where, order=None) -> Sequence:
    return db.session.scalars(select(model).where(*where).order_by(order or model.id)).all()


def export_round(rnd: Round) -> dict:
    """Everything about one round, as JSON-ready data."""
    remedies = _all(Remedy, Remedy.round_id == rnd.id)
    remedy_ids = [r.id for r in remedies]
    reports = _all(RemedyReport, RemedyReport.remedy_id.in_(remedy_ids))
    codes = _all(VoterCode, VoterCode.round_id == rnd.id)
    # In the order of their receipts, which says nothing about when each was cast.
    ballots = _all(Ballot, Ballot.round_id == rnd.id, order=Ballot.receipt_hash)
    paper = _all(PaperEntry, PaperEntry.round_id == rnd.id)
    ratings = _all(Rating, Rating.round_id == rnd.id)
    counts = _all(Count, Count.round_id == rnd.id)
    contacts = _all(Contact, Contact.round_id == rnd.id)
    offers = _all(Offer, Offer.round_id == rnd.id)
    responses = _all(Response, Response.round_id == rnd.id)
    deliveries = _all(Delivery, Delivery.remedy_id.in_(remedy_ids))
    studies = _all(CaseStudy, CaseStudy.remedy_id.in_(remedy_ids))
    events = _all(AuditEvent, AuditEvent.round_id == rnd.id)
    conv = db.session.scalar(select(Conversation).where(Conversation.round_id == rnd.id))
    statements = _all(Statement, Statement.conversation_id == conv.id) if conv else []
    marks = _all(Mark, Mark.conversation_id == conv.id) if conv else []
    themes = _all(Theme, Theme.conversation_id == conv.id) if conv else []
    marks_on_map = _all(BarrierMark, BarrierMark.round_id == rnd.id)
    used = db.session.execute(
        select(remedy_asset.c.remedy_id, remedy_asset.c.asset_id)
        .where(remedy_asset.c.remedy_id.in_(remedy_ids))
        .order_by(remedy_asset.c.remedy_id, remedy_asset.c.asset_id)
    ).all()
    assets = {a.id: a for a in _all(Asset, Asset.id.in_([u.asset_id for u in used]))}

    # Every area a row points at, with the areas it lies in, the larger ones first.
    area_ids = {rnd.area_id, *(r.area_id for r in remedies), *(p.area_id for p in rnd.pots)}
    area_ids |= {c.area_id for c in codes} | {b.area_id for b in ballots}
    area_ids |= {s.area_id for s in statements} | {m.area_id for m in marks}
    area_ids |= {conv.area_id} if conv else set()
    area_ids |= {o.area_id for o in offers}
    area_ids |= {m.area_id for m in marks_on_map} | {a.area_id for a in assets.values()}
    areas: dict[int, Area] = {}
    pending = [db.session.get_one(Area, i) for i in area_ids if i is not None]
    while pending:
        area = pending.pop()
        if area.id not in areas:
            areas[area.id] = area
            if area.parent_id is not None:
                pending.append(db.session.get_one(Area, area.parent_id))

    def depth(area: Area) -> int:
        return 0 if area.parent_id is None else 1 + depth(areas[area.parent_id])

    barriers = {b.id: b for b in rnd.barriers}
    for row in (*remedies, *ratings, *responses, *themes, *offers, *marks_on_map):
        if row.barrier_id is not None and row.barrier_id not in barriers:
            barriers[row.barrier_id] = db.session.get_one(Barrier, row.barrier_id)
    groups = {r.group_id for r in (*remedies, *offers) if r.group_id is not None}
    groups |= {a.group_id for a in assets.values() if a.group_id is not None}

    def key(barrier_id: int | None) -> str | None:
        return barriers[barrier_id].key if barrier_id is not None else None

    def group_slug(group_id: int | None) -> str | None:
        return db.session.get_one(Group, group_id).slug if group_id is not None else None

    people = {r.created_by_id for r in remedies} | {p.entered_by_id for p in paper}
    people |= {r.decision_maker_id for r in responses} | {e.actor_id for e in events}
    people |= {u.author_id for r in responses for u in r.updates}
    contents = [rnd.content_id, *(b.content_id for b in barriers.values())]
    contents += [r.content_id for r in remedies] + [r.content_id for r in responses]
    contents += [u.content_id for r in responses for u in r.updates]
    contents += [conv.content_id] if conv else []
    contents += [s.content_id for s in statements] + [t.content_id for t in themes]
    people |= {t.translated_by_id for c in contents for t in db.session.get_one(Content, c).texts}
    users = sorted(
        (db.session.get_one(User, i) for i in people if i is not None), key=lambda u: u.id
    )
    groups |= {u.group_id for u in users if u.group_id is not None}

    return {
        "format": FORMAT,
        # Only what an account is known by; never its password or its sign-in record.
        "people": [
            {"email": u.email, "name": u.name, "role": u.role.value, "lang": u.lang}
            | {"group": group_slug(u.group_id)}
            for u in users
        ],
        "areas": [
            _row(a, parent_id=("parent", _slug(a.parent_id))) | {"ref": a.id}
            for a in sorted(areas.values(), key=lambda a: (depth(a), a.id))
        ],
        "groups": [_row(db.session.get(Group, g)) for g in sorted(groups)],
        "barriers": [
            _row(b, content_id=("content", _content(b.content_id))) for b in barriers.values()
        ],
        "round": _row(
            rnd,
            area_id=("area", _slug(rnd.area_id)),
            content_id=("content", _content(rnd.content_id)),
        )
        | {"barriers": [b.key for b in rnd.barriers]},
        "pots": [
            _row(p, round_id=None, area_id=("area", _slug(p.area_id))) | {"ref": p.id}
            for p in rnd.pots
        ],
        "remedies": [
            _row(
                r,
                round_id=None,
                group_id=("group", group_slug(r.group_id)),
                barrier_id=("barrier", key(r.barrier_id)),
                area_id=("area", _slug(r.area_id)),
                pot_id=("pot", r.pot_id),
                created_by_id=("created_by", _email(r.created_by_id)),
                content_id=("content", _content(r.content_id)),
            )
            | {"ref": r.id, "assets": [assets[u.asset_id].key for u in used if u.remedy_id == r.id]}
            for r in remedies
        ],
        # The community assets the round's remedies would use (they belong to the place).
        "assets": [
            _row(
                a,
                area_id=("area", _slug(a.area_id)),
                group_id=("group", group_slug(a.group_id)),
            )
            for a in assets.values()
        ],
        "barrier_marks": [
            _row(
                m,
                round_id=None,
                barrier_id=("barrier", key(m.barrier_id)),
                area_id=("area", _slug(m.area_id)),
            )
            | {"ref": m.id}
            for m in marks_on_map
        ],
        "remedy_reports": [
            _row(r, remedy_id=("remedy", r.remedy_id)) | {"ref": r.id} for r in reports
        ],
        "codes": [_row(c, round_id=None, area_id=("area", _slug(c.area_id))) for c in codes],
        "ballots": [
            _row(b, round_id=None, area_id=("area", _slug(b.area_id)))
            | {
                "choices": [
                    _row(c, ballot_id=None, remedy_id=("remedy", c.remedy_id))
                    for c in sorted(b.choices, key=lambda c: c.id)
                ]
            }
            for b in ballots
        ],
        "paper_entries": [
            _row(p, round_id=None, entered_by_id=("entered_by", _email(p.entered_by_id)))
            for p in paper
        ],
        "ratings": [
            _row(
                r,
                round_id=None,
                barrier_id=("barrier", key(r.barrier_id)),
                remedy_id=("remedy", r.remedy_id),
            )
            for r in ratings
        ],
        "counts": [_row(c, round_id=None, pot_id=("pot", c.pot_id)) for c in counts],
        "contacts": [_row(c, round_id=None) for c in contacts],
        "offers": [
            _row(
                o,
                round_id=None,
                remedy_id=("remedy", o.remedy_id),
                area_id=("area", _slug(o.area_id)),
                barrier_id=("barrier", key(o.barrier_id)),
                group_id=("group", group_slug(o.group_id)),
            )
            for o in offers
        ],
        "responses": [
            _row(
                r,
                round_id=None,
                barrier_id=("barrier", key(r.barrier_id)),
                remedy_id=("remedy", r.remedy_id),
                decision_maker_id=("decision_maker", _email(r.decision_maker_id)),
                content_id=("content", _content(r.content_id)),
            )
            | {
                "updates": [
                    _row(
                        u,
                        response_id=None,
                        author_id=("author", _email(u.author_id)),
                        content_id=("content", _content(u.content_id)),
                    )
                    for u in sorted(r.updates, key=lambda u: u.id)
                ]
            }
            for r in responses
        ],
        "deliveries": [
            _row(d, remedy_id=("remedy", d.remedy_id))
            | {"updates": [_row(u, delivery_id=None) for u in d.updates]}
            for d in deliveries
        ],
        "case_studies": [
            _row(
                c, remedy_id=("remedy", c.remedy_id), content_id=("content", _content(c.content_id))
            )
            for c in studies
        ],
        "conversation": _conversation(conv, statements, marks, themes, key, rnd),
        "audit": [
            _row(
                e,
                round_id=None,
                actor_id=("actor", _email(e.actor_id)),
                remedy_id=("remedy", e.remedy_id),
            )
            for e in events
        ],
    }


def _conversation(conv, statements, marks, themes, key, rnd) -> dict | None:
    """The round's conversation with its statements, marks and themes; rows of the
    conversation name each other by their id in the file ("ref"). A theme's idea is kept
    when it is in this round (an idea in another round is that round's)."""
    if conv is None:
        return None
    return _row(
        conv,
        round_id=None,
        area_id=("area", _slug(conv.area_id)),
        content_id=("content", _content(conv.content_id)),
    ) | {
        "themes": [
            _row(
                t,
                conversation_id=None,
                barrier_id=("barrier", key(t.barrier_id)),
                remedy_id=(
                    "remedy",
                    t.remedy_id if t.remedy is not None and t.remedy.round_id == rnd.id else None,
                ),
                content_id=("content", _content(t.content_id)),
            )
            | {"ref": t.id, "counts": [_row(c, theme_id=None) for c in t.imported]}
            for t in themes
        ],
        "statements": [
            _row(
                s,
                conversation_id=None,
                area_id=("area", _slug(s.area_id)),
                theme_id=("theme", s.theme_id),
                content_id=("content", _content(s.content_id)),
            )
            | {"ref": s.id}
            for s in statements
        ],
        # Under the keyed pseudonym, as in the database: never a code.
        "marks": [
            _row(
                m,
                conversation_id=None,
                statement_id=("statement", m.statement_id),
                area_id=("area", _slug(m.area_id)),
            )
            for m in marks
        ],
    }


# --- Import -----------------------------------------------------------------------------------


class _Links:
    """The rows an import found or made, by the names the file gives them."""

    def __init__(self) -> None:
        self.areas: dict[str, Area] = {}
        self.area_ids: dict[int, Area] = {}  # by their id in the file
        self.groups: dict[str, Group] = {}
        self.barriers: dict[str, Barrier] = {}
        self.people: dict[str, User] = {}
        self.remedies: dict[int, Remedy] = {}  # by their id in the file
        self.reports: dict[int, RemedyReport] = {}
        self.pots: dict[int, Pot] = {}  # by their id in the file
        self.statements: dict[int, Statement] = {}  # by their id in the file
        self.themes: dict[int, Theme] = {}
        self.assets: dict[str, Asset] = {}  # by their key
        self.marks: dict[int, BarrierMark] = {}  # barriers marked on the map, by file id

    def pot(self, ref: int | None) -> Pot | None:
        return self.pots[ref] if ref is not None else None

    def area(self, slug: str | None) -> Area | None:
        return self.areas[slug] if slug is not None else None

    def person(self, email: str | None) -> User | None:
        return self.people[email] if email is not None else None

    def barrier(self, key: str | None) -> Barrier | None:
        return self.barriers[key] if key is not None else None

    def remedy(self, ref: int | None) -> Remedy | None:
        return self.remedies[ref] if ref is not None else None

    def remedy_id(self, ref) -> str:
        """A remedy's new id, as the rules, counts and typings write them (a string)."""
        return str(self.remedies[int(ref)].id)


def _new_content(data: dict, links: _Links) -> Content:
    content = Content(**_values(Content, data))
    for t in data["texts"]:
        content.texts.append(
            ContentText(
                **_values(ContentText, t), translated_by_id=_id(links.person(t["translated_by"]))
            )
        )
    return content


def _id(row) -> int | None:
    return row.id if row is not None else None


def _find(model, **where):
    return db.session.scalar(select(model).filter_by(**where))


def _people(data: list[dict], links: _Links) -> None:
    for p in data:
        user = _find(User, email=p["email"])
        if user is None:
            # Signed out, with a password no one knows: it cannot sign in until an
            # organiser gives it a password link and switches it on.
            user = User(
                email=p["email"],
                name=p["name"],
                role=Role(p["role"]),
                lang=p["lang"],
                group=links.groups.get(p["group"]) if p["group"] else None,
                password_hash="!" + secrets.token_hex(16),
                active=False,
            )
            db.session.add(user)
        links.people[p["email"]] = user


def _remap_rules(rules: dict | None, links: _Links) -> dict | None:
    if not rules or "costs" not in rules:
        return rules
    rules = rules | {"costs": {links.remedy_id(k): v for k, v in rules["costs"].items()}}
    if "pots" in rules:

        def pot_id(ref: str) -> str:
            return str(links.pots[int(ref)].id)

        rules["pots"] = [
            p
            | {
                "id": pot_id(p["id"]),
                "area_id": links.area_ids[p["area_id"]].id if p["area_id"] is not None else None,
            }
            for p in rules["pots"]
        ]
        rules["pot_of"] = {links.remedy_id(r): pot_id(p) for r, p in rules["pot_of"].items()}
    return rules


def _remap_count(count: Count, links: _Links) -> None:
    old_ids = {str(ref) for ref in links.remedies}
    count.selected = [links.remedy_id(s) for s in count.selected]
    explanations = {}
    for ref, why in count.explanations.items():
        if why.get("project_id") in old_ids and not links.remedies[int(ref)].external_id:
            why = why | {"project_id": links.remedy_id(why["project_id"])}
        explanations[links.remedy_id(ref)] = why
    count.explanations = explanations
    turnout = (count.summary or {}).get("turnout")
    if turnout and "areas" in turnout:
        areas = [[links.area_ids[a].id if a is not None else None, n] for a, n in turnout["areas"]]
        count.summary = count.summary | {"turnout": turnout | {"areas": areas}}
    fair = (count.summary or {}).get("fairness")
    if fair:  # remedies of the other rule, and groups by area, by their new ids
        other = fair["other_rule"]
        other = other | {
            k: [links.remedy_id(r) for r in other[k]]
            for k in ("selected", "only_ours", "only_theirs")
        }
        by = dict(fair["by"])
        if "area" in by:

            def area(key: str | None) -> str | None:
                return str(links.area_ids[int(key)].id) if key is not None else None

            by["area"] = [
                g
                | {"group": area(g["group"])}
                | ({"together": [area(k) for k in g["together"]]} if "together" in g else {})
                for g in by["area"]
            ]
        count.summary = count.summary | {"fairness": fair | {"other_rule": other, "by": by}}


def _import_conversation(data: dict, rnd: Round, links: _Links) -> None:
    conv = Conversation(
        **_values(Conversation, data),
        round=rnd,
        area=links.area(data.get("area")),
        content=_new_content(data["content"], links),
    )
    db.session.add(conv)
    themes, statements = links.themes, links.statements
    for t in data["themes"]:
        theme = Theme(
            **_values(Theme, t),
            conversation=conv,
            barrier=links.barrier(t["barrier"]),
            remedy=links.remedy(t.get("remedy")),
            content=_new_content(t["content"], links),
            imported=[ThemeCount(**_values(ThemeCount, c)) for c in t["counts"]],
        )
        db.session.add(theme)
        themes[t["ref"]] = theme
    for s in data["statements"]:
        statement = Statement(
            **_values(Statement, s),
            conversation=conv,
            area=links.area(s["area"]),
            theme=themes[s["theme"]] if s["theme"] is not None else None,
            content=_new_content(s["content"], links),
        )
        db.session.add(statement)
        statements[s["ref"]] = statement
    db.session.flush()  # the new ids the marks name
    for m in data["marks"]:
        area = links.area(m["area"])
        db.session.add(
            Mark(
                **_values(Mark, m),
                conversation_id=conv.id,
                statement_id=statements[m["statement"]].id,
                area_id=_id(area),
            )
        )


def import_round(
    data: dict, *, slug: str | None = None, title: str | None = None, lang: str = "en"
) -> Round:
    """Recreate a round from `export_round` data, in one transaction: flushed here, committed
    once by the caller. A new `title` becomes its name in `lang` (the council's main
    language), and the old name's translations go with the old name."""
    if data.get("format") not in READS:
        raise TransferError(
            f"this is not a Coprod round export in the format {FORMAT} "
            "(a file made by an older Coprod must be exported again)"
        )
    spec = dict(data["round"])
    spec["slug"] = slug or spec["slug"]
    if not SLUG.fullmatch(spec["slug"]):
        raise TransferError(
            f"{spec['slug']!r} cannot be a web address: use 1 to 80 small letters, numbers "
            "and dashes"
        )
    if db.session.scalar(select(Round.id).where(Round.slug == spec["slug"])):
        raise TransferError(f"a round called {spec['slug']!r} already exists; choose --slug")
    links = _Links()
    try:
        for a in data["areas"]:  # larger areas first, so a parent is always there
            area = _find(Area, slug=a["slug"])
            if area is None:
                parent = links.area(a["parent"])
                area = Area(**_values(Area, a), parent_id=_id(parent))
                db.session.add(area)
                db.session.flush()  # its id, for the areas inside it
            links.areas[a["slug"]] = links.area_ids[a["ref"]] = area
        for g in data["groups"]:
            links.groups[g["slug"]] = _find(Group, slug=g["slug"]) or Group(**_values(Group, g))
        _people(data["people"], links)
        db.session.flush()  # the people's ids, which rows below name
        for b in data["barriers"]:
            links.barriers[b["key"]] = _find(Barrier, key=b["key"]) or Barrier(
                **_values(Barrier, b), content=_new_content(b["content"], links)
            )
        rnd = Round(
            **_values(Round, spec),
            area=links.area(spec["area"]),
            content=_new_content(spec["content"], links),
            barriers=[links.barriers[k] for k in spec["barriers"]],
        )
        if title:
            rnd.content.texts = [t for t in rnd.content.texts if t.field != "title"]
            for written_in in {lang, rnd.content.original_lang}:  # readers fall back to it
                rnd.content.set("title", written_in, title, reviewed=True)
        db.session.add(rnd)
        for p in data.get("pots", []):  # a /2 file has none
            pot = Pot(**_values(Pot, p), round=rnd, area=links.area(p["area"]))
            db.session.add(pot)
            links.pots[p["ref"]] = pot
        remedy: Remedy | None  # a new remedy here; the one a rating or response names below
        for r in data["remedies"]:
            creator = links.person(r["created_by"])
            remedy = Remedy(
                **_values(Remedy, r),
                round=rnd,
                group=links.groups.get(r["group"]) if r["group"] else None,
                barrier=links.barrier(r["barrier"]),
                area=links.area(r["area"]),
                pot=links.pot(r.get("pot")),
                created_by_id=_id(creator),
                content=_new_content(r["content"], links),
            )
            db.session.add(remedy)
            links.remedies[r["ref"]] = remedy
        for a in data.get("assets", []):  # a file from before the map has none
            asset = _find(Asset, key=a["key"])
            if asset is None:
                asset = Asset(
                    **_values(Asset, a),
                    area=links.area(a["area"]),
                    group=links.groups.get(a["group"]) if a["group"] else None,
                )
                db.session.add(asset)
            links.assets[a["key"]] = asset
        for m in data.get("barrier_marks", []):
            mark = BarrierMark(
                **_values(BarrierMark, m),
                round=rnd,
                barrier=links.barriers[m["barrier"]],
                area=links.area(m["area"]),
            )
            db.session.add(mark)
            links.marks[m["ref"]] = mark
        report: RemedyReport | None  # a new report here; the one an audit event names below
        for r in data["remedy_reports"]:
            report = RemedyReport(**_values(RemedyReport, r), remedy=links.remedy(r["remedy"]))
            db.session.add(report)
            links.reports[r["ref"]] = report
        db.session.flush()  # the new ids, for the rows and the rules that name them
        rnd.frozen_rules = _remap_rules(rnd.frozen_rules, links)
        uses = [
            {"remedy_id": links.remedies[r["ref"]].id, "asset_id": links.assets[k].id}
            for r in data["remedies"]
            for k in r.get("assets", [])
        ]
        if uses:
            db.session.execute(remedy_asset.insert(), uses)
        for c in data["codes"]:
            area = links.area(c["area"])
            db.session.add(VoterCode(**_values(VoterCode, c), round_id=rnd.id, area_id=_id(area)))
        for b in data["ballots"]:
            area = links.area(b["area"])
            choices = [
                BallotChoice(**_values(BallotChoice, c), remedy_id=links.remedies[c["remedy"]].id)
                for c in b["choices"]
            ]
            db.session.add(
                Ballot(
                    **_values(Ballot, b),
                    round_id=rnd.id,
                    area_id=_id(area),
                    choices=choices,
                )
            )
        for p in data["paper_entries"]:
            entry = PaperEntry(
                **_values(PaperEntry, p),
                round_id=rnd.id,
                entered_by_id=links.people[p["entered_by"]].id,
            )
            if entry.choices:
                entry.choices = [links.remedy_id(c) for c in entry.choices]
            db.session.add(entry)
        for r in data["ratings"]:
            barrier, remedy = links.barrier(r["barrier"]), links.remedy(r["remedy"])
            db.session.add(
                Rating(
                    **_values(Rating, r),
                    round_id=rnd.id,
                    barrier_id=_id(barrier),
                    remedy_id=_id(remedy),
                )
            )
        for c in data["counts"]:
            counted = links.pot(c.get("pot"))
            count = Count(**_values(Count, c), round_id=rnd.id, pot_id=_id(counted))
            _remap_count(count, links)
            db.session.add(count)
        db.session.add_all(
            Contact(**_values(Contact, c), round_id=rnd.id) for c in data["contacts"]
        )
        db.session.add_all(  # a /2 or /3 file has none; an older /4 one only remedies'
            Offer(
                **_values(Offer, o),
                round_id=rnd.id,
                remedy_id=_id(links.remedy(o.get("remedy"))),
                area=links.area(o.get("area")),
                barrier=links.barrier(o.get("barrier")),
                group=links.groups.get(o["group"]) if o.get("group") else None,
            )
            for o in data.get("offers", [])
        )
        for r in data["responses"]:
            barrier, remedy = links.barrier(r["barrier"]), links.remedy(r["remedy"])
            response = Response(
                **_values(Response, r),
                round_id=rnd.id,
                barrier_id=_id(barrier),
                remedy_id=_id(remedy),
                decision_maker=links.person(r["decision_maker"]),
                content=_new_content(r["content"], links),
            )
            for u in r["updates"]:
                response.updates.append(
                    ResponseUpdate(
                        **_values(ResponseUpdate, u),
                        author_id=links.people[u["author"]].id,
                        content=_new_content(u["content"], links),
                    )
                )
            db.session.add(response)
        for d in data.get("deliveries", []):  # older files have none
            delivery = Delivery(**_values(Delivery, d), remedy_id=links.remedies[d["remedy"]].id)
            delivery.updates = [DeliveryUpdate(**_values(DeliveryUpdate, u)) for u in d["updates"]]
            db.session.add(delivery)
        for c in data.get("case_studies", []):
            db.session.add(
                CaseStudy(
                    **_values(CaseStudy, c),
                    remedy_id=links.remedies[c["remedy"]].id,
                    content=_new_content(c["content"], links),
                )
            )
        if data.get("conversation"):  # a /2 or /3 file has none
            _import_conversation(data["conversation"], rnd, links)
        for e in data["audit"]:
            event = AuditEvent(
                **_values(AuditEvent, e),
                round_id=rnd.id,
                actor=links.person(e["actor"]),
                remedy_id=links.remedies[e["remedy"]].id if e["remedy"] is not None else None,
            )
            if "report_id" in (event.detail or {}):
                report = links.reports.get(event.detail["report_id"])
                event.detail = event.detail | {"report_id": report.id if report else None}
            for kind, made in (
                ("statement", links.statements),
                ("theme", links.themes),
                ("mark", links.marks),
            ):
                if kind in (event.detail or {}):  # a conversation's rows, by their new ids
                    found = made.get(event.detail[kind])
                    event.detail = event.detail | {kind: found.id if found else None}
            db.session.add(event)
        db.session.flush()
    except BaseException:
        db.session.rollback()  # nothing of a file that fails half-way is kept
        raise
    return rnd
