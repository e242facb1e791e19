"""Offers of help: making, taking back, moderating, deleting them on time; offers against asks.

Each write flushes into the caller's transaction; the request or command commits once.
"""

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, or_, select

from coprod.extensions import db
from coprod.models import (
    Area,
    Barrier,
    Group,
    Offer,
    Phase,
    Remedy,
    RemedyStatus,
    Round,
    User,
)
from coprod.operations import audit

WAITING, PUBLISHED, REJECTED = "waiting", "published", "rejected"


@dataclass(frozen=True)
class Help:
    """A remedy's ask (helpers, hours a month each) beside the published offers for it."""

    helpers_wanted: int | None
    helper_hours: int | None
    offers: int
    hours_offered: int  # hours a month, from offers that gave a number

    @property
    def hours_wanted(self) -> int | None:
        """Hours a month the remedy asks for in all, when it said both numbers."""
        if self.helpers_wanted is None or self.helper_hours is None:
            return None
        return self.helpers_wanted * self.helper_hours

    @property
    def helpers_still_wanted(self) -> int:
        """Helpers the remedy still needs (never below nought)."""
        return max(0, (self.helpers_wanted or 0) - self.offers)

    @property
    def asked(self) -> bool:
        return bool(self.helpers_wanted)


def help_for(
    helpers_wanted: int | None, helper_hours: int | None, hours: Iterable[int | None]
) -> Help:
    """Sum the offers (each its hours a month, or None when not given) against the ask."""
    given = list(hours)
    return Help(
        helpers_wanted=helpers_wanted,
        helper_hours=helper_hours,
        offers=len(given),
        hours_offered=sum(h for h in given if h),
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_offer(remedy: Remedy) -> bool:
    """People may offer help to a published remedy until its round closes."""
    return remedy.status == RemedyStatus.PUBLISHED and remedy.round.phase != Phase.CLOSED


def make(
    remedy: Remedy, what: str, lang: str, hours: int | None, contact: str
) -> tuple[Offer, str]:
    """Store an offer (consent given now) and return it with the secret that takes it back."""
    token = secrets.token_urlsafe(18)
    offer = Offer(
        round_id=remedy.round_id,
        remedy_id=remedy.id,
        group_id=remedy.group_id,
        what=what.strip(),
        lang=lang,
        hours=hours,
        contact=contact.strip(),
        status=WAITING,
        withdraw_hash=_hash(token),
    )
    db.session.add(offer)
    db.session.flush()
    audit.record("offer_made", remedy=remedy)  # no contact and no words in the log
    return offer, token


def can_offer_in(rnd: Round) -> bool:
    """People may offer help for an area or a theme of a round until it closes."""
    return rnd.phase not in (Phase.DRAFT, Phase.CLOSED)


def groups_in(rnd: Round) -> list[Group]:
    """The groups with a published remedy in the round: those someone may choose to help."""
    return list(
        db.session.scalars(
            select(Group)
            .join(Remedy, Remedy.group_id == Group.id)
            .where(Remedy.round_id == rnd.id, Remedy.status == RemedyStatus.PUBLISHED)
            .distinct()
            .order_by(Group.name)
        )
    )


def make_for(
    rnd: Round,
    target: Area | Barrier,
    group: Group,
    what: str,
    lang: str,
    hours: int | None,
    contact: str,
) -> tuple[Offer, str]:
    """An offer for an area or a theme (a barrier), whose contact only `group` will see."""
    token = secrets.token_urlsafe(18)
    offer = Offer(
        round_id=rnd.id,
        area_id=target.id if isinstance(target, Area) else None,
        barrier_id=target.id if isinstance(target, Barrier) else None,
        group_id=group.id,
        what=what.strip(),
        lang=lang,
        hours=hours,
        contact=contact.strip(),
        status=WAITING,
        withdraw_hash=_hash(token),
    )
    db.session.add(offer)
    db.session.flush()
    audit.record("offer_made", round=rnd)  # no contact and no words in the log
    return offer, token


def by_token(token: str) -> Offer | None:
    return db.session.scalar(select(Offer).where(Offer.withdraw_hash == _hash(token)))


def withdraw(offer: Offer) -> None:
    """The person took their offer back: it is deleted, with how to reach them."""
    audit.record("offer_withdrawn", round=offer.round)
    db.session.delete(offer)
    db.session.flush()


def decide(offer: Offer, actor: User, publish: bool) -> None:
    """A moderator lets the group see an offer, or turns it down (then it is deleted)."""
    audit.record("offer_published" if publish else "offer_rejected", actor=actor, round=offer.round)
    if publish:
        offer.status = PUBLISHED
    else:
        db.session.delete(offer)
    db.session.flush()


def waiting() -> list[Offer]:
    return list(db.session.scalars(select(Offer).where(Offer.status == WAITING).order_by(Offer.id)))


def for_group(group: Group) -> list[Offer]:
    """Checked offers to the group (for its remedies, or for an area or theme with the group
    chosen): the only place anyone sees how to reach them."""
    return list(
        db.session.scalars(
            select(Offer)
            .outerjoin(Remedy, Remedy.id == Offer.remedy_id)
            .where(
                or_(Offer.group_id == group.id, Remedy.group_id == group.id),
                Offer.status == PUBLISHED,
            )
            .order_by(Offer.remedy_id, Offer.id)
        )
    )


def help_by_remedy(rnd: Round) -> dict[int, Help]:
    """Each published remedy's ask beside the checked offers for it."""
    hours: dict[int, list[int | None]] = defaultdict(list)
    rows = db.session.execute(
        select(Offer.remedy_id, Offer.hours).where(
            Offer.round_id == rnd.id, Offer.status == PUBLISHED
        )
    )
    for remedy_id, h in rows:
        if remedy_id is not None:  # offers for an area or a theme are not a remedy's
            hours[remedy_id].append(h)
    return {
        r.id: help_for(r.helpers_wanted, r.helper_hours, hours.get(r.id, []))
        for r in rnd.remedies
        if r.status == RemedyStatus.PUBLISHED
    }


def help_for_remedy(remedy: Remedy) -> Help:
    rows = db.session.scalars(
        select(Offer.hours).where(Offer.remedy_id == remedy.id, Offer.status == PUBLISHED)
    )
    return help_for(remedy.helpers_wanted, remedy.helper_hours, rows)


def purge(rnd: Round, today: date) -> int:
    """Delete a closed round's offers once its contacts' keeping time is over."""
    ended = rnd.responses_due or rnd.voting_closes
    if rnd.phase != Phase.CLOSED or ended is None:
        return 0
    if today <= ended + timedelta(days=rnd.keep_contacts_days):
        return 0
    ids = list(db.session.scalars(select(Offer.id).where(Offer.round_id == rnd.id)))
    if ids:
        db.session.execute(delete(Offer).where(Offer.id.in_(ids)))
        audit.record("offers_deleted", round=rnd, count=len(ids))
    return len(ids)
