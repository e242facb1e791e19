"""Finding the round a URL names, in one place for every blueprint."""

from flask import abort
from sqlalchemy import select

from coprod.extensions import db
from coprod.models import Phase, Round


def round_or_404(slug: str, *, drafts: bool = False, options: tuple = ()) -> Round:
    """The round with this slug; 404 when there is none, or it is a draft the public can't see.

    `options` are loader options, so a busy page loads what it shows in one query.
    """
    found = db.session.execute(select(Round).where(Round.slug == slug).options(*options))
    rnd = found.unique().scalar_one_or_none()
    if rnd is None or (rnd.phase == Phase.DRAFT and not drafts):
        abort(404)
    return rnd
