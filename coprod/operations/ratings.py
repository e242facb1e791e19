"""Saving one participant's ratings: one set per participant, replaced as a whole."""

from datetime import date

from sqlalchemy import delete

from coprod.extensions import db
from coprod.models import Channel, Rating, Round


def save_ratings(
    rnd: Round,
    rater: str,
    barriers: dict[int, int],
    remedies: dict[int, int],
    *,
    indicative: bool = False,
    lang: str = "en",
    today: date | None = None,
    channel: Channel = Channel.ONLINE,
) -> None:
    """Replace a rater's scores (1-5) in a round; skipped items stay unrated (the caller
    commits)."""
    day = today or date.today()
    db.session.execute(delete(Rating).where(Rating.round_id == rnd.id, Rating.rater == rater))
    targets = [("barrier_id", k, v) for k, v in barriers.items()]
    targets += [("remedy_id", k, v) for k, v in remedies.items()]
    for column, target, score in targets:
        db.session.add(
            Rating(
                round_id=rnd.id,
                rater=rater,
                score=score,
                indicative=indicative,
                lang=lang,
                rated_on=day,
                channel=channel,
                **{column: target},
            )
        )
    db.session.flush()
