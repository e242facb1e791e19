"""Finding the round a URL names, in one place for every blueprint."""

from functools import cache

from flask import abort
from sqlalchemy import Select, bindparam, select

from coprod.extensions import db
from coprod.models import Phase, Round


@cache
def by_slug(options: tuple = ()) -> Select:
    """The round with slug :slug, with these loader options."""
    # Built once per set of loader options and reused: on the busiest pages, building a
    # statement and its cache key cost as much CPU as running it.
    return select(Round).where(Round.slug == bindparam("slug")).options(*options)


def round_or_404(slug: str, *, drafts: bool = False) -> Round:
    """The round with this slug; 404 when there is none, or it is a draft the public can't see."""
    result = db.session.execute(by_slug(), {"slug": slug})
    rnd = result.unique().scalar_one_or_none()
    if rnd is None or (rnd.phase == Phase.DRAFT and not drafts):
        abort(404)
    return rnd
