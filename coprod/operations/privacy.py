"""Keeping personal data no longer than needed (UK GDPR storage limitation)."""

from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select

from coprod.extensions import db
from coprod.models import Contact, Phase, Round
from coprod.operations import audit, offers, panels, workshops


def purge_contacts(today: date | None = None) -> int:
    """Delete contacts and offers of help of rounds closed longer ago than keep_contacts_days;
    workshops' sign-ins and panel draws' chosen ids on their own schedules."""
    today = today or date.today()
    deleted = 0
    closed = db.session.scalars(select(Round).where(Round.phase == Phase.CLOSED))
    for rnd in closed:
        # Offers of help hold how to reach someone too: they go on the same day.
        offers.purge(rnd, today)
        ended = rnd.responses_due or rnd.voting_closes
        if ended is None or today <= ended + timedelta(days=rnd.keep_contacts_days):
            continue
        # a DELETE's result is a CursorResult, which has the rowcount
        result = cast(
            CursorResult[Any], db.session.execute(delete(Contact).where(Contact.round_id == rnd.id))
        )
        if result.rowcount:
            audit.record("contacts_deleted", round=rnd, count=result.rowcount)
            deleted += result.rowcount
    # Names and addresses typed in from paper support forms for ideas go on their own clock.
    from coprod.ideas.operations import forget_paper_details

    forget_paper_details(today)
    # The facts people gave when they signed in at a workshop, and panels' chosen ids.
    workshops.purge(today)
    panels.purge(today)
    db.session.flush()
    return deleted
