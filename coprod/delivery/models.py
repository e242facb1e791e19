"""Delivery of funded remedies: stages, promised and met dates, money, updates, case studies."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.models import AwareDateTime, Content, HasContent, Model, Remedy, utcnow

STAGES = ("planned", "started", "done")


class Delivery(Model):
    """How a funded remedy is being delivered; one per remedy, made when it is funded."""

    __table_args__ = (
        CheckConstraint("stage IN ('planned', 'started', 'done')", name="known_stage"),
        CheckConstraint("money_spent >= 0", name="spent_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    remedy_id: Mapped[int] = mapped_column(ForeignKey("remedy.id"), unique=True)
    stage: Mapped[str] = mapped_column(String(10), default="planned")
    responsible: Mapped[str] = mapped_column(String(200), default="")
    money_promised: Mapped[int] = mapped_column(Integer, default=0)
    money_spent: Mapped[int] = mapped_column(Integer, default=0)
    start_promised: Mapped[date | None] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    done_promised: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    remedy: Mapped[Remedy] = relationship()
    updates: Mapped[list[DeliveryUpdate]] = relationship(
        back_populates="delivery", order_by="DeliveryUpdate.on", cascade="all, delete-orphan"
    )

    def late(self, today: date) -> list[str]:
        """The promises whose date has passed unmet: "start", "finish" (empty: on time)."""
        found = []
        if self.start_promised and not self.started_on and today > self.start_promised:
            found.append("start")
        if self.done_promised and not self.done_on and today > self.done_promised:
            found.append("finish")
        return found


class DeliveryUpdate(Model):
    """A dated note from the council or the group, in its writer's language, maybe a photo
    (uploaded, or the address of a picture on the web) with words describing it for people
    who cannot see it."""

    __tablename__ = "delivery_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("delivery.id", ondelete="CASCADE"), index=True
    )
    on: Mapped[date] = mapped_column(Date)
    by_group: Mapped[bool] = mapped_column(Boolean, default=False)  # else the council
    note: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(12), default="en")
    photo_url: Mapped[str] = mapped_column(String(500), default="")
    photo_alt: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    delivery: Mapped[Delivery] = relationship(back_populates="updates")
    photo: Mapped[DeliveryPhoto | None] = relationship(
        back_populates="update", cascade="all, delete-orphan"
    )


class DeliveryPhoto(Model):
    """An uploaded photo of an update, as it is served: checked, shrunk, with no EXIF data
    (so no place it was taken). Kept in the database, which every web worker shares."""

    __tablename__ = "delivery_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_update.id", ondelete="CASCADE"), unique=True
    )
    media_type: Mapped[str] = mapped_column(String(20))  # image/jpeg, image/png, image/webp
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    update: Mapped[DeliveryUpdate] = relationship(back_populates="photo")


class CaseStudy(HasContent, Model):
    """A done remedy's story in the workshop's words (content fields: before, after, who,
    stories). Stories are only kept when the people in them agreed."""

    __tablename__ = "case_study"

    id: Mapped[int] = mapped_column(primary_key=True)
    remedy_id: Mapped[int] = mapped_column(ForeignKey("remedy.id"), unique=True)
    before_cost: Mapped[int | None] = mapped_column(Integer)
    after_cost: Mapped[int | None] = mapped_column(Integer)
    stories_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    written_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    remedy: Mapped[Remedy] = relationship()
    content: Mapped[Content] = relationship(lazy="joined")
