"""Ideas outside any round: put up by anyone, supported one per person, answered by a date.

An idea that gathers its area's threshold of support joins the council's answer queue with a
due date, as a round's top five do (`coprod.operations.responses` decides who may answer and
when an answer is overdue, for both). People who follow it hear what happens
(`coprod.ideas.following`).
"""

from __future__ import annotations

import enum
import math
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.models import (
    Area,
    AwareDateTime,
    Content,
    Group,
    HasContent,
    Model,
    RemedyStatus,
    User,
    _enum,
    answer_overdue,
    utcnow,
)


class IdeaAnswer(enum.StrEnum):
    """The council's four possible answers to an idea that reached its threshold."""

    WILL_DO = "will_do"  # yes, we will
    NEXT_BALLOT = "next_ballot"  # yes, on the next round's ballot
    NO = "no"  # no, because ...
    MORE_INFO = "more_info"  # we need more information


class SupportWay(enum.StrEnum):
    EMAIL = "email"  # confirmed by a link sent to the address
    CODE = "code"  # a voter code of a round in the idea's area
    PAPER = "paper"  # typed in by staff from a signed paper form


class IdeaRule(Model):
    """An area's threshold for ideas, set by organisers: a number, or a share of its people."""

    __tablename__ = "idea_rule"

    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    supporters: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float)  # of the area's population
    answer_days: Mapped[int] = mapped_column(Integer, default=56)
    decision_maker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Days that names and addresses typed in from paper forms are kept after the answer.
    keep_days: Mapped[int] = mapped_column(Integer, default=90)

    area: Mapped[Area] = relationship()
    decision_maker: Mapped[User | None] = relationship()

    def needed(self) -> int | None:
        """How many supporters it takes; None when no threshold can be worked out."""
        if self.supporters:
            return self.supporters
        if self.percent and self.area.population:
            return max(1, math.ceil(self.area.population * self.percent / 100))
        return None


class Idea(HasContent, Model):
    """An idea outside any round, in the workshop's template (content fields: title, now,
    proposal, reason — the council's answer in its own words)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[RemedyStatus] = mapped_column(
        _enum(RemedyStatus), default=RemedyStatus.SUBMITTED, index=True
    )
    now_cost: Mapped[int | None] = mapped_column(Integer)
    proposal_cost: Mapped[int | None] = mapped_column(Integer)
    moderator_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    # Set once, when support reaches the threshold: the duty to answer begins.
    queued_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    decision_maker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decision: Mapped[IdeaAnswer | None] = mapped_column(_enum(IdeaAnswer))
    decided_on: Mapped[date | None] = mapped_column(Date)
    answered_in: Mapped[str | None] = mapped_column(String(12))  # the answer's own language
    # The person's own words for "overdue" were sent to followers (once).
    overdue_told: Mapped[bool] = mapped_column(Boolean, default=False)

    area: Mapped[Area] = relationship()
    group: Mapped[Group | None] = relationship()
    decision_maker: Mapped[User | None] = relationship(foreign_keys=[decision_maker_id])
    content: Mapped[Content] = relationship(lazy="joined")

    def is_overdue(self, today: date) -> bool:
        """Past its due date with no answer: shown in red, in every language."""
        return self.due_on is not None and answer_overdue(self.decision, self.due_on, today)


class IdeaSupport(Model):
    """One person's support for one idea, under a keyed hash of who they are.

    The unique pair (idea, supporter) is what makes one way of supporting count once, even
    when the same person presses twice at once. `person` is what is counted: a voter code
    and an email address proved in the same browser session are one person (the later
    support takes the earlier one's `person`), so supporting both ways counts once. Names
    and addresses are kept only for paper forms (so
    staff can check them), and only until the privacy settings say (`IdeaRule.keep_days`).
    """

    __tablename__ = "idea_support"
    __table_args__ = (UniqueConstraint("idea_id", "supporter", name="one_support_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    supporter: Mapped[str] = mapped_column(String(64))
    # Until linked to another way of supporting, each supporter is their own person.
    person: Mapped[str] = mapped_column(
        String(64), default=lambda context: context.get_current_parameters()["supporter"]
    )
    # A keyed hash of the browser session that proved it (a code typed, a link opened).
    browser: Mapped[str | None] = mapped_column(String(64), index=True)
    way: Mapped[SupportWay] = mapped_column(_enum(SupportWay))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    on: Mapped[date] = mapped_column(Date)
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(400))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
