"""Following: adding and removing followers, and telling them what happened, in their language.

`tell` writes each follower's message in their own language from the project's catalogues and
queues it (a job sends it once the caller commits). Only these events are ever sent.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from coprod.extensions import db
from coprod.following import sending
from coprod.following.models import KINDS, Follower
from coprod.models import Remedy, RemedyStatus, Round

EVENTS = {
    "answered": _l("The council has answered: %(title)s"),
    "vote": _l("It is now on the ballot: %(title)s"),
    "funded": _l("It will get the money: %(title)s"),
    "started": _l("The work has started: %(title)s"),
    "finished": _l("The work is finished: %(title)s"),
    "overdue": _l("The council's answer is late: %(title)s"),
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def target(kind: str, target_id: int):
    """The thing followed, or None when there is no such public thing."""
    from coprod.conversation.models import Theme
    from coprod.ideas.models import Idea

    model: type | None = {"idea": Idea, "remedy": Remedy, "theme": Theme, "round": Round}.get(kind)
    if model is None:
        return None
    found: Any = db.session.get(model, target_id)
    if found is None:
        return None
    if kind in ("idea", "remedy") and found.status != RemedyStatus.PUBLISHED:
        return None
    if kind == "round" and found.phase.value == "draft":
        return None
    return found


def follow(kind: str, target_id: int, channel: str, address: str, lang: str) -> str | None:
    """Follow a thing; the unfollow token (only in the link sent), or None when followed already."""
    if kind not in KINDS:
        raise ValueError(kind)
    address = address.strip().lower() if channel == sending.EMAIL else address.strip()
    token = secrets.token_urlsafe(24)
    row = Follower(
        kind=kind,
        target_id=target_id,
        channel=channel,
        address=address,
        lang=lang,
        token_hash=_hash(token),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        existing = db.session.scalar(
            select(Follower).where(
                Follower.kind == kind, Follower.target_id == target_id, Follower.address == address
            )
        )
        if existing is not None:
            existing.lang = lang
        return None
    return token


def by_token(token: str) -> Follower | None:
    return db.session.scalar(select(Follower).where(Follower.token_hash == _hash(token)))


def unfollow(token: str) -> bool:
    """Stop following by the link's token; True when someone was following."""
    result = db.session.execute(delete(Follower).where(Follower.token_hash == _hash(token)))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _url(endpoint: str, **values) -> str:
    """A full address on the public site, also from a job (the scheduled tick), which has no
    request of its own."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["PUBLIC_URL"] + path


def _where(kind: str, thing) -> tuple[str, dict]:
    if kind == "idea":
        return "ideas.idea_page", {"idea_id": thing.id}
    if kind == "remedy":
        return "public.remedy_page", {"slug": thing.round.slug, "remedy_id": thing.id}
    if kind == "round":
        return "public.round_page", {"slug": thing.slug}
    # A theme: its card on the conversation's public results, with or without a round.
    conv = thing.conversation
    where = {"slug": conv.round.slug} if conv.round is not None else {"name": conv.slug or ""}
    return "conversation.results", where | {"_anchor": f"theme-{thing.id}"}


def page(kind: str, thing) -> str:
    """The full address of a followed thing's public page, for messages."""
    endpoint, values = _where(kind, thing)
    return _url(endpoint, **values)


def local_page(kind: str, thing) -> str:
    """The path of a followed thing's public page, to go back to."""
    endpoint, values = _where(kind, thing)
    return url_for(endpoint, **values)


def _title(kind: str, thing, lang: str) -> str:
    found = thing.t("name" if kind == "theme" else "title", lang)
    return found.text if found else ""


def _new_token(follower: Follower) -> str:
    """A fresh unfollow link for each message: only its hash is kept, so the old one goes."""
    token = secrets.token_urlsafe(24)
    follower.token_hash = _hash(token)
    return token


def tell(kind: str, target_id: int, event: str) -> int:
    """Queue a message about `event` to everyone following this thing; how many."""
    return tell_all([(kind, target_id)], event)


# A follower's place in the queue: lower goes first (see `invite_rank`).
Rank = Callable[[Follower, Any], int]


def _followers(targets: list[tuple[str, int]]) -> list[tuple[str, Any, Follower]]:
    found = []
    for kind, target_id in targets:
        thing = target(kind, target_id)
        if thing is None:
            continue
        followers = db.session.scalars(
            select(Follower)
            .where(Follower.kind == kind, Follower.target_id == target_id)
            .order_by(Follower.id)
        )
        found += [(kind, thing, f) for f in followers]
    return found


def tell_all(targets: list[tuple[str, int]], event: str, rank: Rank | None = None) -> int:
    """Queue a message about `event` to the followers of each thing; with `rank`, in its
    order (lowest first; the followers of one rank in the order they came), else thing by
    thing. The job queue sends them in the order queued. Returns how many were queued."""
    if event not in EVENTS or not sending.can_send():
        return 0
    found = _followers(targets)
    if rank is not None:
        found.sort(key=lambda found: rank(found[2], found[1]))
    told = 0
    for kind, thing, follower in found:
        if not sending.can_send(follower.channel):
            continue
        token = _new_token(follower)
        unfollow_link = _url("following.unfollow", token=token)
        with force_locale(follower.lang):
            title = _title(kind, thing, follower.lang)
            subject = str(EVENTS[event]) % {"title": title}
            body = "\n\n".join(
                [
                    subject,
                    _("Read more: %(link)s", link=page(kind, thing)),
                    _("To stop these messages, open: %(link)s", link=unfollow_link),
                ]
            )
        sending.send_later(follower.channel, follower.address, subject, body, unfollow_link)
        told += 1
    db.session.flush()
    return told


def invite_rank(order: list[tuple[str, str]]) -> Rank:
    """Rank followers by the invite-first order of areas and languages (("area", area id) and
    ("language", code), lowest turnout first): a follower takes the better place of their
    language and, following an idea for one area, that area. Anyone else comes last."""
    place = {found: i for i, found in enumerate(order)}
    last = len(order)

    def rank(follower: Follower, thing: Any) -> int:
        area = getattr(thing, "area_id", None) if isinstance(thing, Remedy) else None
        return min(
            place.get(("language", follower.lang), last),
            place.get(("area", str(area)), last) if area is not None else last,
        )

    return rank


def round_targets(rnd: Round, remedies: list[int] | None = None) -> list[tuple[str, int]]:
    """The round and each remedy named (or all its published ones): whose followers hear."""
    ids = remedies
    if ids is None:
        ids = [r.id for r in rnd.remedies if r.status == RemedyStatus.PUBLISHED]
    return [("round", rnd.id)] + [("remedy", i) for i in ids]


def audience(rnd: Round) -> dict[tuple[str, str], int]:
    """How many followers of the round and its published ideas each area and language has:
    the people the invitation to vote reaches by message."""
    counts: dict[tuple[str, str], int] = {}
    for _kind, thing, follower in _followers(round_targets(rnd)):
        keys = {("language", follower.lang)}
        if isinstance(thing, Remedy) and thing.area_id is not None:
            keys.add(("area", str(thing.area_id)))
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    return counts


def tell_round(
    rnd: Round, event: str, remedies: list[int] | None = None, rank: Rank | None = None
) -> None:
    """Tell the round's followers and those of each remedy named (or all published ones),
    in `rank`'s order when given."""
    tell_all(round_targets(rnd, remedies), event, rank)
