"""What the community map shows besides remedies: barriers marked on it and community assets.

Both are a person's own words in their own language, so a moderator checks them before
anyone else sees them (status "waiting" until then), as with statements and offers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.extensions import db
from coprod.models import Area, AwareDateTime, Barrier, Group, Model, Remedy, Round, utcnow

WAITING, PUBLISHED, REJECTED = "waiting", "published", "rejected"
NOTE_MAX = 280
NAME_MAX = 120

# The assets a remedy would use (a free hall lowers what it costs).
remedy_asset = db.Table(
    "remedy_asset",
    db.Column("remedy_id", ForeignKey("remedy.id", ondelete="CASCADE"), primary_key=True),
    db.Column("asset_id", ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
)


class Asset(Model):
    """Something a community already has: a hall free on Tuesdays, a kitchen, a library.

    Assets belong to the place, not to one round; a remedy of any round may name them.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    # A random name for the row, so a round's file can point at it on another site.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    about: Mapped[str] = mapped_column(Text, default="")  # what it offers, and when
    lang: Mapped[str] = mapped_column(String(12), default="en")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group.id"))
    status: Mapped[str] = mapped_column(String(20), default=WAITING, index=True)
    # Typed in by a group member from a paper asset-mapping sheet.
    from_paper: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)

    area: Mapped[Area | None] = relationship()
    group: Mapped[Group | None] = relationship()
    remedies: Mapped[list[Remedy]] = relationship(secondary=remedy_asset)


class BarrierMark(Model):
    """A place where one of a round's barriers bites ("this crossing is dangerous")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    barrier_id: Mapped[int] = mapped_column(ForeignKey("barrier.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(12), default="en")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default=WAITING, index=True)
    from_paper: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)

    round: Mapped[Round] = relationship()
    barrier: Mapped[Barrier] = relationship()
    area: Mapped[Area | None] = relationship()
