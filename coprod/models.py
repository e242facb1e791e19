"""The domain's data: rounds, barriers, remedies, codes, ratings, ballots, counts, responses.

Writes that must be atomic live in `coprod.operations`; these classes only describe rows.
Text that citizens read is stored per language in `Content` (see `Content.text`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.extensions import db
from coprod.i18n import readable

if TYPE_CHECKING:  # a type checker cannot see through db.Model: it is Base with extras
    from coprod.extensions import Base as Model
else:
    Model = db.Model


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class AwareDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _enum(cls: type[enum.Enum]) -> Enum:
    # Store the value (a plain word), checked by a constraint on every database.
    return Enum(
        cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        create_constraint=True,
        length=20,
        name=cls.__name__.lower(),
    )


class Phase(enum.StrEnum):
    """The life of a round, in order."""

    DRAFT = "draft"
    PROPOSING = "proposing"
    RATING = "rating"
    VOTING = "voting"
    COUNTED = "counted"
    RESPONDING = "responding"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """True while citizens can still take part."""
        return self in (Phase.PROPOSING, Phase.RATING, Phase.VOTING)

    @property
    def rules_frozen(self) -> bool:
        """True once voting has opened: budget, costs, rules and remedies cannot move."""
        return self in (Phase.VOTING, Phase.COUNTED, Phase.RESPONDING, Phase.CLOSED)


class BallotType(enum.StrEnum):
    KNAPSACK = "knapsack"  # spend up to the budget
    APPROVAL = "approval"  # choose up to k


class Eligibility(enum.StrEnum):
    CODE = "code"  # a voter code is needed for everything
    OPEN_RATING = "open_rating"  # anyone may rate (indicative); voting still needs a code


class Role(enum.StrEnum):
    MEMBER = "member"  # a community group member
    MODERATOR = "moderator"
    ORGANISER = "organiser"
    COUNCILLOR = "councillor"
    COMMISSIONER = "commissioner"


class RemedyStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Channel(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"
    API = "api"
    IMPORTED = "imported"  # from a real election's .pb file


class Decision(enum.StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NOT_NOW = "not_now"
    NO = "no"


# --- Content in several languages -------------------------------------------------


@dataclass(frozen=True)
class Localized:
    """A text in the reader's language, or the original with a note that it is not."""

    text: str
    lang: str
    is_fallback: bool
    reviewed: bool

    def __str__(self) -> str:
        return self.text


class Content(Model):
    """A bundle of translatable fields (title, summary, ...) owned by one row elsewhere."""

    id: Mapped[int] = mapped_column(primary_key=True)
    original_lang: Mapped[str] = mapped_column(String(12), default="en")
    texts: Mapped[list[ContentText]] = relationship(
        back_populates="content", cascade="all, delete-orphan", lazy="selectin"
    )

    def text(self, field: str, lang: str) -> Localized | None:
        """Return `field` in `lang`, else in a language its reader also reads (Simplified
        Chinese for Traditional), else in the language it was written in."""
        by_lang = {t.lang: t for t in self.texts if t.field == field}
        for wanted in (*readable(lang), self.original_lang):
            if wanted in by_lang and by_lang[wanted].body:
                t = by_lang[wanted]
                return Localized(t.body, t.lang, t.lang != lang, t.reviewed)
        return None

    def languages(self) -> set[str]:
        """Languages with at least one field written."""
        return {t.lang for t in self.texts if t.body}

    def set(self, field: str, lang: str, body: str, *, reviewed: bool = False) -> None:
        """Write one field in one language, replacing any earlier text."""
        for t in self.texts:
            if t.field == field and t.lang == lang:
                t.body, t.reviewed = body, reviewed
                return
        self.texts.append(ContentText(field=field, lang=lang, body=body, reviewed=reviewed))


class ContentText(Model):
    """One field of a `Content` in one language."""

    __table_args__ = (UniqueConstraint("content_id", "field", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text, default="")
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    translated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    content: Mapped[Content] = relationship(back_populates="texts")


class HasContent:
    """Mixin for rows whose citizen-facing words live in a `Content`."""

    content_id: Mapped[int] = mapped_column(ForeignKey("content.id"))
    if TYPE_CHECKING:  # each model maps its own `content` relationship
        content: Mapped[Content]

    def t(self, field: str, lang: str) -> Localized | None:
        """Shortcut for `self.content.text(field, lang)`."""
        return self.content.text(field, lang)


# --- People and places ----------------------------------------------------------------


class Area(Model):
    """A ward or neighbourhood; population lets organisers see who is missing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    population: Mapped[int | None] = mapped_column(Integer)
    # Population by language spoken at home, e.g. {"ur": 4100, "bn": 1800}, for turnout.
    population_by_language: Mapped[dict] = mapped_column(JSON, default=dict)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    # Its outline on the map: a GeoJSON Polygon or MultiPolygon (lon/lat), as uploaded.
    boundary: Mapped[dict | None] = mapped_column(JSON)
    # Named places inside it people pick from a list: [{"name": ..., "lon": ..., "lat": ...}].
    landmarks: Mapped[list] = mapped_column(JSON, default=list)


class Group(Model):
    """A community group that proposes remedies."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    about: Mapped[str] = mapped_column(Text, default="")
    # A moderator approves a new group before it can send ideas; until then it drafts.
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    # The newest invitation link's secret part: joining by it clears it, so a link works once.
    invite_nonce: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    members: Mapped[list[User]] = relationship(back_populates="group")


class User(UserMixin, Model):
    """A group member or a member of staff. Citizens never need an account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MEMBER)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group.id"))
    lang: Mapped[str] = mapped_column(String(12), default="en")
    # The shared secret of an authenticator app (base32), when two-step sign-in is on.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    group: Mapped[Group | None] = relationship(back_populates="members")

    @property
    def is_staff(self) -> bool:
        return self.role != Role.MEMBER


# --- Rounds and what is in them ---------------------------------------------------------

round_barrier = db.Table(
    "round_barrier",
    db.Column("round_id", ForeignKey("round.id", ondelete="CASCADE"), primary_key=True),
    db.Column("barrier_id", ForeignKey("barrier.id", ondelete="CASCADE"), primary_key=True),
)


class Round(HasContent, Model):
    """One participatory-budgeting round: its phase, dates, budget and ballot rules."""

    __table_args__ = (
        CheckConstraint("budget >= 0", name="budget_not_negative"),
        CheckConstraint("min_spend_percent BETWEEN 0 AND 100", name="min_spend_percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    phase: Mapped[Phase] = mapped_column(_enum(Phase), default=Phase.DRAFT)
    # Dates a citizen sees: each phase opens on its date; voting closes on voting_closes.
    proposing_opens: Mapped[date | None] = mapped_column(Date)
    rating_opens: Mapped[date | None] = mapped_column(Date)
    voting_opens: Mapped[date | None] = mapped_column(Date)
    voting_closes: Mapped[date | None] = mapped_column(Date)
    responses_due: Mapped[date | None] = mapped_column(Date)
    # Money in whole units of `currency` (pabulib costs are whole numbers too).
    budget: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    ballot_type: Mapped[BallotType] = mapped_column(_enum(BallotType), default=BallotType.KNAPSACK)
    min_spend_percent: Mapped[int] = mapped_column(Integer, default=0)
    min_choices: Mapped[int] = mapped_column(Integer, default=0)
    max_choices: Mapped[int | None] = mapped_column(Integer)  # k for approval ballots
    tally_rule: Mapped[str] = mapped_column(String(40), default="equalshares/add1")
    tally_utility: Mapped[str] = mapped_column(String(20), default="cost")
    eligibility: Mapped[Eligibility] = mapped_column(_enum(Eligibility), default=Eligibility.CODE)
    # When voting opened, the rules as they were, so any later change can be refused.
    frozen_rules: Mapped[dict | None] = mapped_column(JSON)
    # The META of an election imported from a .pb file, written back out with its ballots.
    pb_meta: Mapped[dict | None] = mapped_column(JSON)
    # Paper ballots are typed in twice by different staff and count only when both agree.
    paper_double_entry: Mapped[bool] = mapped_column(Boolean, default=False)
    # Days after closing that citizens' contacts are kept (UK GDPR storage limit).
    keep_contacts_days: Mapped[int] = mapped_column(Integer, default=90)
    # The languages the round is offered in, main language first, e.g. ["en", "ur", "bn"];
    # empty for rounds made before rounds chose theirs: every language the site serves.
    languages: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)

    area: Mapped[Area | None] = relationship()
    content: Mapped[Content] = relationship(lazy="joined")
    barriers: Mapped[list[Barrier]] = relationship(
        secondary=round_barrier, back_populates="rounds", order_by="Barrier.id"
    )
    remedies: Mapped[list[Remedy]] = relationship(back_populates="round", order_by="Remedy.id")
    pots: Mapped[list[Pot]] = relationship(
        back_populates="round", order_by="Pot.id", cascade="all, delete-orphan"
    )


class Pot(Model):
    """A share of a round's money: one per area, and at most one for the whole place.

    A round with no pots is one pot: its own `budget`, voted on by everyone. A round with
    pots spends each pot apart: a voter votes in their area's pot (the area on their code)
    and in the whole-place pot if there is one. Each remedy and each count belongs to one
    pot; a voter's one ballot (one receipt) may choose remedies in each of their pots, and a
    pot's count takes the ballots that chose something in it. `area_id` is None for the
    whole-place pot.
    """

    __table_args__ = (
        UniqueConstraint("round_id", "area_id", name="one_pot_per_area"),
        CheckConstraint("budget >= 0", name="pot_budget_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    budget: Mapped[int] = mapped_column(Integer, default=0)

    round: Mapped[Round] = relationship(back_populates="pots")
    area: Mapped[Area | None] = relationship()

    @property
    def whole_place(self) -> bool:
        return self.area_id is None


class Barrier(HasContent, Model):
    """A problem that holds people back ("a brick in the wall"); it may recur across rounds."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    content: Mapped[Content] = relationship(lazy="joined")
    rounds: Mapped[list[Round]] = relationship(secondary=round_barrier, back_populates="barriers")


class Remedy(HasContent, Model):
    """A group's proposal, in the workshop's template: now X costing M, we propose Y costing N.

    Content fields: title, summary, now, proposal, who_helps, offer.
    """

    __table_args__ = (CheckConstraint("cost >= 0", name="cost_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group.id"))
    barrier_id: Mapped[int | None] = mapped_column(ForeignKey("barrier.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    # The pot that would pay for it, in a round with pots (None in a round without).
    pot_id: Mapped[int | None] = mapped_column(ForeignKey("pot.id"), index=True)
    status: Mapped[RemedyStatus] = mapped_column(
        _enum(RemedyStatus), default=RemedyStatus.DRAFT, index=True
    )
    cost: Mapped[int] = mapped_column(Integer, default=0)  # on the ballot
    # The project's id in an imported .pb file; ties are broken on it, as the file's count did.
    external_id: Mapped[str | None] = mapped_column(String(40))
    now_cost: Mapped[int | None] = mapped_column(Integer)  # what happens now costs
    proposal_cost: Mapped[int | None] = mapped_column(Integer)  # what we propose would cost
    # What the remedy needs beyond money: so many helpers for so many hours a month each.
    helpers_wanted: Mapped[int | None] = mapped_column(Integer)
    helper_hours: Mapped[int | None] = mapped_column(Integer)
    # Where it would happen, on the community map (longitude and latitude), if anywhere.
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    # Typed in by a group member from the paper proposal form of the do-it-yourself kit.
    from_paper: Mapped[bool] = mapped_column(Boolean, default=False)
    moderator_message: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(AwareDateTime)

    round: Mapped[Round] = relationship(back_populates="remedies")
    pot: Mapped[Pot | None] = relationship()
    group: Mapped[Group | None] = relationship()
    barrier: Mapped[Barrier | None] = relationship()
    area: Mapped[Area | None] = relationship()
    content: Mapped[Content] = relationship(lazy="joined")


class RemedyReport(Model):
    """A citizen's report that a published remedy is wrong or unkind."""

    id: Mapped[int] = mapped_column(primary_key=True)
    remedy_id: Mapped[int] = mapped_column(ForeignKey("remedy.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    remedy: Mapped[Remedy] = relationship()


# --- Taking part --------------------------------------------------------------------------


class VoterCode(Model):
    """A code on a letter or card. Stored only as a keyed hash; records only that it was used."""

    __table_args__ = (UniqueConstraint("round_id", "code_hash", name="one_code_per_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"))
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    letter_lang: Mapped[str] = mapped_column(String(12), default="en")
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class Rating(Model):
    """One participant's score (1-5) for one barrier or one remedy in a round.

    `rater` is a keyed hash that differs from the code's own hash, so ratings cannot be
    joined to codes or ballots.
    """

    __table_args__ = (
        UniqueConstraint("round_id", "rater", "barrier_id", "remedy_id", name="one_per_rater"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        CheckConstraint("(barrier_id IS NULL) <> (remedy_id IS NULL)", name="barrier_xor_remedy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    rater: Mapped[str] = mapped_column(String(64), index=True)
    barrier_id: Mapped[int | None] = mapped_column(ForeignKey("barrier.id"))
    remedy_id: Mapped[int | None] = mapped_column(ForeignKey("remedy.id"))
    score: Mapped[int] = mapped_column(Integer)
    indicative: Mapped[bool] = mapped_column(Boolean, default=False)  # open-to-all, no code
    lang: Mapped[str] = mapped_column(String(12), default="en")
    rated_on: Mapped[date] = mapped_column(Date)  # the day only, never the time
    # PAPER: typed in from a paper rating sheet by a group's member (coprod/toolkit).
    channel: Mapped[Channel] = mapped_column(
        _enum(Channel), default=Channel.ONLINE, server_default=Channel.ONLINE.value
    )


class Ballot(Model):
    """A cast ballot. No link to the code that cast it, and only the day it was cast."""

    __table_args__ = (UniqueConstraint("round_id", "receipt_hash", name="one_receipt_per_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"))
    receipt_hash: Mapped[str] = mapped_column(String(64))
    cast_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[Channel] = mapped_column(_enum(Channel), default=Channel.ONLINE)
    lang: Mapped[str] = mapped_column(String(12), default="en")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    choices: Mapped[list[BallotChoice]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan", lazy="selectin"
    )


class BallotChoice(Model):
    """One remedy chosen on a ballot (points for cumulative or ranked ballots)."""

    __table_args__ = (UniqueConstraint("ballot_id", "remedy_id", name="once_per_ballot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"))
    remedy_id: Mapped[int] = mapped_column(ForeignKey("remedy.id"), index=True)
    points: Mapped[int | None] = mapped_column(Integer)
    ballot: Mapped[Ballot] = relationship(back_populates="choices")


class PaperEntry(Model):
    """One typing-in of a paper ballot; with double entry two must agree before it counts.

    The code's hash and the choices are wiped in the transaction that stores the ballot,
    so no row links a code to a vote for longer than the typing takes.
    """

    __table_args__ = (
        UniqueConstraint("round_id", "sheet", "entered_by_id", name="once_per_typist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    sheet: Mapped[str] = mapped_column(String(40))  # the number printed on the paper
    code_hash: Mapped[str | None] = mapped_column(String(64))
    choices: Mapped[list | None] = mapped_column(JSON)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20), default="waiting")  # counted, mismatch
    entered_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class Count(Model):
    """A stored result of counting a round: the rule, a checksum of its inputs, the outcome."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    # The pot counted, in a round with pots (each pot is counted on its own).
    pot_id: Mapped[int | None] = mapped_column(ForeignKey("pot.id"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    utility: Mapped[str] = mapped_column(String(20))
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    ballots: Mapped[int] = mapped_column(Integer)
    spent: Mapped[int] = mapped_column(Integer)
    selected: Mapped[list] = mapped_column(JSON)  # remedy ids in the order chosen
    explanations: Mapped[dict] = mapped_column(JSON)  # remedy id -> explanation data
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. voters with a funded choice
    counted_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class CountProgress(Model):
    """How far a count running as a job has gone, for the organiser's page (not round
    data: written by the job outside its own transaction, gone when the count is stored)."""

    round_id: Mapped[int] = mapped_column(
        ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    )
    percent: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class Contact(Model):
    """A way to tell a citizen the answer came; kept apart from ballots, deleted on time."""

    __table_args__ = (UniqueConstraint("round_id", "address", name="once_per_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    address: Mapped[str] = mapped_column(String(254))
    lang: Mapped[str] = mapped_column(String(12), default="en")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class Offer(Model):
    """Someone's offer of time or a skill for a remedy, an area or a theme; how to reach them
    goes only to the group they chose (the remedy's group for a remedy), and only once a
    moderator has checked the words. Deleted on time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    # Exactly one of remedy, area and theme (a barrier) says what the offer is for.
    remedy_id: Mapped[int | None] = mapped_column(ForeignKey("remedy.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    barrier_id: Mapped[int | None] = mapped_column(ForeignKey("barrier.id"))
    # The one group that may see how to reach them.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group.id"), index=True)
    what: Mapped[str] = mapped_column(Text)  # in the person's own words and language
    lang: Mapped[str] = mapped_column(String(12), default="en")
    hours: Mapped[int | None] = mapped_column(Integer)  # hours a month they can give
    contact: Mapped[str] = mapped_column(String(254))
    consent_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="waiting")  # published, rejected
    withdraw_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    remedy: Mapped[Remedy | None] = relationship()
    area: Mapped[Area | None] = relationship()
    barrier: Mapped[Barrier | None] = relationship()
    group: Mapped[Group | None] = relationship()
    round: Mapped[Round] = relationship()


class PanelDraw(Model):
    """A citizens' panel drawn by lottery: the seed and a fingerprint of the inputs, so anyone
    can re-run it, and how each feature came out. Only the ids the organiser gave are kept,
    never the volunteers' file."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    volunteers: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)
    # "maximin" (sortition-algorithms' fair lottery) or "legacy" (person by person)
    method: Mapped[str] = mapped_column(String(20), default="maximin")
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[list] = mapped_column(JSON)  # feature, value, min, max, volunteers, chosen
    chosen: Mapped[list] = mapped_column(JSON)  # the organiser's ids: staff only
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    drawn_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class Workshop(Model):
    """An in-person session: people sign in with its short code, tables enter their bricks and
    remedies on one device each, and the room rates the round's ones as on any round."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The round whose bricks and remedies the room rates (it must be taking ratings then).
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), index=True)
    sign_in_code: Mapped[str] = mapped_column(String(12), unique=True)
    tables: Mapped[int] = mapped_column(Integer, default=8)
    # The table devices' codes, table 1 first: a table's page is reached by its code.
    table_codes: Mapped[list] = mapped_column(JSON, default=list)
    held_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    round: Mapped[Round | None] = relationship()
    people: Mapped[list[WorkshopPerson]] = relationship(
        order_by="WorkshopPerson.id", cascade="all, delete-orphan", back_populates="workshop"
    )
    entries: Mapped[list[WorkshopEntry]] = relationship(
        order_by="WorkshopEntry.id", cascade="all, delete-orphan"
    )


class WorkshopPerson(Model):
    """Someone in the room, with the facts they chose to give; deleted on the privacy schedule."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(40), default="")
    area: Mapped[str] = mapped_column(String(200), default="")
    needs_interpreter: Mapped[bool] = mapped_column(Boolean, default=False)
    interprets: Mapped[str] = mapped_column(String(40), default="")
    signed_in_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    workshop: Mapped[Workshop] = relationship(back_populates="people")


class WorkshopEntry(Model):
    """A brick (barrier) or a remedy one table wrote down during the session."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    table: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # "barrier" or "remedy"
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(12), default="en")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    # Once an organiser turns it into a round's problem or idea: which one (its source, shown
    # there as "from the workshop on 3 March, table 2").
    barrier_id: Mapped[int | None] = mapped_column(ForeignKey("barrier.id"), index=True)
    remedy_id: Mapped[int | None] = mapped_column(ForeignKey("remedy.id"), index=True)
    workshop: Mapped[Workshop] = relationship(viewonly=True)


# --- Answers from people with power ----------------------------------------------------------


def answer_overdue(decision: object | None, due_on: date, today: date) -> bool:
    """A duty to answer past its date with no decision (the top five and ideas alike)."""
    return decision is None and today > due_on


class Response(HasContent, Model):
    """A decision-maker's public answer to one ranked priority ("you said, we did").

    Content fields: reason, next_step.
    """

    __table_args__ = (
        CheckConstraint("(barrier_id IS NULL) <> (remedy_id IS NULL)", name="barrier_xor_remedy"),
        # One priority per place, so a top-5 report can only be sent once per round.
        UniqueConstraint("round_id", "rank", name="one_per_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    barrier_id: Mapped[int | None] = mapped_column(ForeignKey("barrier.id"))
    remedy_id: Mapped[int | None] = mapped_column(ForeignKey("remedy.id"))
    decision_maker_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    due_on: Mapped[date] = mapped_column(Date)
    decision: Mapped[Decision | None] = mapped_column(_enum(Decision))
    decided_on: Mapped[date | None] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)

    round: Mapped[Round] = relationship()
    barrier: Mapped[Barrier | None] = relationship()
    remedy: Mapped[Remedy | None] = relationship()
    decision_maker: Mapped[User] = relationship()
    content: Mapped[Content] = relationship(lazy="joined")
    updates: Mapped[list[ResponseUpdate]] = relationship(
        back_populates="response", order_by="ResponseUpdate.on", cascade="all, delete-orphan"
    )

    def is_overdue(self, today: date) -> bool:
        """An answer past its date with no decision shows as overdue, in plain sight."""
        return answer_overdue(self.decision, self.due_on, today)


class ResponseUpdate(HasContent, Model):
    """A later step on an answer's timeline (content field: note)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))  # planned, started, done, stopped
    on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    response: Mapped[Response] = relationship(back_populates="updates")
    content: Mapped[Content] = relationship(lazy="joined")


# --- Words --------------------------------------------------------------------------------


class GlossaryTerm(HasContent, Model):
    """A jargon word with its plain alternative and explanation.

    Content fields: term, variants (one per line), plain, explanation.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    content: Mapped[Content] = relationship(lazy="joined")


class TranslationSuggestion(Model):
    """A citizen's better wording for one interface string, for organisers to review."""

    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(12), index=True)
    msgid: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str] = mapped_column(Text)
    page: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="new")  # accepted, declined
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class AuditEvent(Model):
    """A record of a staff action or phase change, for organisers and the public history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), index=True)
    remedy_id: Mapped[int | None] = mapped_column(ForeignKey("remedy.id"), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    actor: Mapped[User | None] = relationship()


class UnsentEmail(Model):
    """An email the mail server refused: retried by its job, shown to organisers until sent.

    Staff emails keep only the address and subject (never the body, which may hold a
    password link). Messages to followers and supporters (`channel` email or sms) also keep
    their words, so an organiser can send them again. The row goes when a retry gets
    through; it stays as "gave_up" when the job stops trying.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    gave_up: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(String(300), default="")
    why: Mapped[str] = mapped_column(String(20), default="")  # a key of `emails.WHY`
    channel: Mapped[str] = mapped_column(String(10), default="email")
    body: Mapped[str] = mapped_column(Text, default="")
    unfollow: Mapped[str] = mapped_column(String(500), default="")
    first_failed_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class CouncilSettings(Model):
    """The council that runs the site: one row, edited by organisers (`id` is always 1)."""

    __table_args__ = (CheckConstraint("id = 1", name="one_council"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    controller: Mapped[str] = mapped_column(String(200), default="")
    # The last time the site was checked for accessibility (the statement must say).
    accessibility_tested: Mapped[date | None] = mapped_column(Date)
    # A small PNG or JPEG, kept in the database so every app worker serves the same one.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # not on every page
    logo_mimetype: Mapped[str] = mapped_column(String(20), default="")
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow, onupdate=utcnow)
