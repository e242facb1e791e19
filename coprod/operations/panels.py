"""Keeping a citizens' panel draw: its seed, fingerprint, results by feature and chosen ids."""

from datetime import date, timedelta

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import PanelDraw, User
from coprod.operations import audit
from coprod.seating.panel import Draw


def record_draw(
    name: str, result: Draw, volunteers: int, actor: User | None, *, queued: int | None = None
) -> PanelDraw:
    """Store a draw (the caller commits); the volunteers' file itself is never kept.
    `queued`: the wait's number when a job drew it (see jobs.panel_waiting)."""
    draw = PanelDraw(
        name=name,
        size=len(result.chosen),
        volunteers=volunteers,
        seed=result.seed,
        attempt=result.attempt,
        method=result.method,
        inputs_sha256=result.inputs_sha256,
        rows=[
            {
                "feature": r.feature,
                "value": r.value,
                "min": r.quota.least,
                "max": r.quota.most,
                "volunteers": r.volunteers,
                "chosen": r.chosen,
            }
            for r in result.rows
        ],
        chosen=result.chosen,
        drawn_by_id=actor.id if actor else None,
    )
    db.session.add(draw)
    db.session.flush()
    audit.record("panel_drawn", actor=actor, panel=draw.id, seed=draw.seed, queued=queued)
    return draw


KEEP_DAYS = 90  # days a draw keeps who was chosen: long enough to write to them all


def keep_until(draw: PanelDraw) -> date:
    """The last day a draw keeps the ids of the people chosen."""
    return draw.drawn_at.date() + timedelta(days=KEEP_DAYS)


def purge(today: date) -> int:
    """Forget who was chosen in draws past their keeping time; the seed, the fingerprint and
    the figures by feature stay, so the draw can still be checked from the files."""
    forgotten = 0
    for draw in db.session.scalars(select(PanelDraw)):
        if draw.chosen and today > keep_until(draw):
            draw.chosen = []
            audit.record("panel_ids_deleted", panel=draw.id)
            forgotten += 1
    db.session.flush()
    return forgotten
