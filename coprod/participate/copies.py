"""Read-only copies of a round, its ballot rules and its published remedies, per worker.

Every citizen who votes loads the same round, rules and remedies on each page of the
ballot: on the last evening of voting, that is most of the database's work and a third of
the app's. So each worker keeps one copy of them per round, loaded in a session of its own
(a request's commit can never expire it, and no request's session ever holds it) with
everything the voter's pages show. A copy is only for showing and checking: the UPDATE
that uses a code at casting checks in the database that the round is still voting
(`codes.use`, or the one statement of `ballots._store_in_one_statement`), so a ballot is
never accepted on the word of a copy.

A copy is thrown away and loaded again when this process commits a change to anything
but ballots, codes and ratings (session events below), and when it is `ROUND_COPY_SECONDS`
old (one by default): so a change made by staff shows at once in their own worker, and
within a second in the others. Reloading a round's copy once a second costs a worker a few
milliseconds; asking Redis on every page whether anything changed cost more. A reload that
finds every column the same as before (`_fingerprint`) keeps the cards and pages already
made from the last copy: a ballot of 30 remedies is 60 cards in each language read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from itertools import chain

from flask import Flask, abort, current_app, has_app_context, render_template
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import Session, joinedload

from coprod.extensions import db
from coprod.lookups import by_slug
from coprod.models import Content, Phase, Remedy, RemedyStatus, Round
from coprod.operations.ballots import frozen_rules

# What voting itself writes, and the visitors' sessions (coprod.sessions). None of it is in
# a copy, so it leaves the copies be.
VOTING_TABLES = frozenset({"ballot", "ballot_choice", "voter_code", "rating", "sessions"})
WITH_TEXTS = (joinedload(Round.content).joinedload(Content.texts),)
# Built once: building a statement and its cache key costs as much as running it.
PUBLISHED = (
    select(Remedy)
    .where(Remedy.round_id == bindparam("round_id"), Remedy.status == RemedyStatus.PUBLISHED)
    .options(joinedload(Remedy.content).joinedload(Content.texts))
    .order_by(Remedy.id)
)


@dataclass(frozen=True)
class Copy:
    """A public round as its voters see it. Read only: shared by a worker's threads."""

    round: Round  # detached, with its texts
    rules: dict  # the rules ballots are checked against (`ballots.frozen_rules`)
    remedies: list[Remedy]  # published, with their texts, in id order
    version: int
    loaded: float
    fingerprint: tuple  # every column it was loaded from (`_fingerprint`)
    # by language, by remedy id: its ballot card, not chosen and chosen
    rendered: dict[str, dict[int, tuple[Markup, Markup]]] = field(default_factory=dict)
    pages: dict = field(default_factory=dict)  # whole pages (`templating.shared_page`)

    def cards(self) -> dict[int, tuple[Markup, Markup]]:
        """Each remedy's ballot card in the reader's language, rendered once per copy.

        A card is the same for every voter but for whether they chose it: both are made,
        and a ballot page only puts them in the voter's order.
        """
        lang = str(get_locale())
        if (cards := self.rendered.get(lang)) is None:
            cards = {r.id: (self._card(r, False), self._card(r, True)) for r in self.remedies}
            self.rendered[lang] = cards  # whole: another thread may be reading it already
        return cards

    def _card(self, remedy: Remedy, chosen: bool) -> Markup:
        html = render_template(
            "participate/ballot_card.html", remedy=remedy, round=self.round, chosen=chosen
        )
        return Markup(html)


class Copies:
    """One app's copies in this process."""

    def __init__(self, app: Flask) -> None:
        self.max_age = float(app.config.get("ROUND_COPY_SECONDS", 1))
        self.changes = 0  # changes this process has committed
        self.rounds: dict[str, Copy] = {}

    def changed(self) -> None:
        self.changes += 1
        self.rounds.clear()

    def get(self, slug: str) -> Copy | None:
        """The public round with this slug, as a copy at most max_age old; None if none."""
        version = self.changes  # before loading: a change after this reloads next time
        copy = self.rounds.get(slug)
        if (
            copy is not None
            and copy.version == version
            and time.monotonic() - copy.loaded < self.max_age
        ):
            return copy
        fresh = _load(slug, version)
        if fresh is not None:
            if copy is not None and copy.fingerprint == fresh.fingerprint:
                # Nothing it shows has changed: keep the cards and pages already made.
                fresh = replace(fresh, rendered=copy.rendered, pages=copy.pages)
            self.rounds[slug] = fresh
        return fresh


def _load(slug: str, version: int) -> Copy | None:
    with Session(db.engine) as session:
        found = session.execute(by_slug(WITH_TEXTS), {"slug": slug})
        rnd = found.unique().scalar_one_or_none()
        if rnd is None or rnd.phase == Phase.DRAFT:
            return None
        remedies = list(session.scalars(PUBLISHED, {"round_id": rnd.id}).unique())
        rules = frozen_rules(rnd)
        fingerprint = _fingerprint(rnd, remedies)
    return Copy(rnd, rules, remedies, version, time.monotonic(), fingerprint)


def _fingerprint(rnd: Round, remedies: list[Remedy]) -> tuple:
    """Every column of the round, its remedies and their texts: all that a copy shows."""
    rows = [rnd, *remedies]
    for item in (rnd, *remedies):
        rows += [item.content, *sorted(item.content.texts, key=lambda t: t.id)]
    return tuple(
        tuple(getattr(row, column.key) for column in inspect(row).mapper.column_attrs)
        for row in rows
    )


def shared_round(slug: str) -> Copy:
    """The copy of a public round for the voter's pages; 404 if there is none."""
    copy = current_app.extensions["round_copies"].get(slug)
    if copy is None:
        abort(404)
    return copy


def init_app(app: Flask) -> None:
    app.extensions["round_copies"] = Copies(app)


# --- What tells the copies that something changed ---------------------------------------


def _touched(session: Session, tables: set) -> None:
    if not tables <= VOTING_TABLES:
        session.info["rounds_changed"] = True


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    # In after_flush, new, dirty and deleted still list what the flush wrote.
    written = chain(session.new, session.dirty, session.deleted)
    _touched(session, {item.__table__.name for item in written})


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    # Statements that bypass the unit of work: an UPDATE, INSERT or DELETE names its table.
    if not state.is_select:
        table = getattr(state.statement, "table", None)
        _touched(state.session, {getattr(table, "name", None)})


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    changed = session.info.pop("rounds_changed", False)
    if changed and has_app_context() and (copies := current_app.extensions.get("round_copies")):
        copies.changed()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop("rounds_changed", None)
