"""People who follow an idea, a remedy, a theme or a round, and how to reach them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coprod.models import AwareDateTime, Model, utcnow

KINDS = ("idea", "remedy", "theme", "round")


class Follower(Model):
    """One address following one thing, in one language. Only the address, the language and
    a hash of the unfollow link are kept; the row goes when they unfollow."""

    __tablename__ = "follower"
    __table_args__ = (UniqueConstraint("kind", "target_id", "address", name="follow_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # one of KINDS
    target_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10), default="email")  # email, sms
    address: Mapped[str] = mapped_column(String(254))
    lang: Mapped[str] = mapped_column(String(12), default="en")
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
