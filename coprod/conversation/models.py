"""A round's conversation: a question, people's short statements, their marks, themes.

Marks are kept under the keyed pseudonym that ratings use (never a code), one per person
per statement. A statement's author is kept the same way, so they see their own at once.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.models import (
    Area,
    AwareDateTime,
    Barrier,
    Content,
    HasContent,
    Model,
    Remedy,
    Round,
    _enum,
    utcnow,
)

STATEMENT_MAX = 280


class StatementStatus(enum.StrEnum):
    WAITING = "waiting"  # for a moderator's check; only its author sees it
    PUBLISHED = "published"
    REJECTED = "rejected"


class Conversation(HasContent, Model):
    """A question people answer in their own words (content fields: question; and title for
    a stand-alone one).

    A conversation belongs to a round, or stands alone: an organiser opens it for an area or
    a service, with its own slug, and anyone may take part (marks count as a guide)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), unique=True)
    # Only a stand-alone conversation has these: its address, and the area it is about.
    slug: Mapped[str | None] = mapped_column(String(80), unique=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)

    round: Mapped[Round | None] = relationship()
    area: Mapped[Area | None] = relationship()
    content: Mapped[Content] = relationship(lazy="joined")
    statements: Mapped[list[Statement]] = relationship(
        back_populates="conversation", order_by="Statement.id"
    )
    themes: Mapped[list[Theme]] = relationship(back_populates="conversation", order_by="Theme.id")


class Statement(HasContent, Model):
    """One person's short statement (content field: text), up to 280 characters."""

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"), index=True)
    # The author's keyed pseudonym (as on their marks); None when staff typed it in.
    author: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[StatementStatus] = mapped_column(
        _enum(StatementStatus), default=StatementStatus.WAITING, index=True
    )
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="statements")
    content: Mapped[Content] = relationship(lazy="joined")
    area: Mapped[Area | None] = relationship()
    theme: Mapped[Theme | None] = relationship(back_populates="statements")


class Mark(Model):
    """One person's agree (+1), disagree (-1) or pass (0) on one statement."""

    __table_args__ = (
        UniqueConstraint("statement_id", "marker", name="one_mark_per_person"),
        CheckConstraint("value IN (-1, 0, 1)", name="mark_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"), index=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    marker: Mapped[str] = mapped_column(String(64), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    indicative: Mapped[bool] = mapped_column(Boolean, default=False)  # no code: a guide
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    lang: Mapped[str] = mapped_column(String(12), default="en")
    marked_on: Mapped[date] = mapped_column(Date)  # the day only, never the time


class Theme(HasContent, Model):
    """Statements a moderator gathered under one plain name (content field: name)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"), index=True)
    # The problem ("brick in the wall") it became, so the public can follow it into rounds.
    barrier_id: Mapped[int | None] = mapped_column(ForeignKey("barrier.id"))
    # The idea (remedy) it became in a round, likewise followed from the theme and back.
    remedy_id: Mapped[int | None] = mapped_column(ForeignKey("remedy.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="themes")
    barrier: Mapped[Barrier | None] = relationship()
    remedy: Mapped[Remedy | None] = relationship()
    content: Mapped[Content] = relationship(lazy="joined")
    statements: Mapped[list[Statement]] = relationship(
        back_populates="theme", order_by="Statement.id"
    )
    imported: Mapped[list[ThemeCount]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", order_by="ThemeCount.id"
    )


class ThemeCount(Model):
    """How many people raised a theme somewhere else (e.g. care plans), by area: no names."""

    __table_args__ = (CheckConstraint("people >= 0", name="people_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(200), default="")
    people: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)

    theme: Mapped[Theme] = relationship(back_populates="imported")


class StoredGrouping(Model):
    """The last grouping of a big conversation, worked out by a job (not in a request).

    Derived data: it can always be worked out again from the marks, so a round's export
    leaves it out. `marks` is how many marks it was worked out from, so a page knows when
    a newer one is due."""

    __tablename__ = "conversation_grouping"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), unique=True
    )
    marks: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict] = mapped_column(JSON)
    worked_out_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
