"""Telling citizens who left their email that an answer came, when the site can send mail.

Sending is skipped when `MAIL_SERVER` is not configured; organisers can then download the
list from the top-5 page and tell people themselves.
"""

from email.message import EmailMessage

from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from coprod import jobs, mail, words
from coprod.extensions import db
from coprod.models import Contact, Response


def _message(contact: Contact, response: Response, link: str) -> EmailMessage:
    rnd = response.round
    thing = response.remedy or response.barrier
    assert thing is not None  # a response answers a remedy or a barrier (barrier_xor_remedy)
    assert response.decision is not None  # contacts are told once the decision is recorded
    with force_locale(contact.lang):
        round_title = rnd.t("title", contact.lang)
        title = thing.t("title", contact.lang)
        return mail.message(
            contact.address,
            _("The council has answered: %(title)s", title=title),
            "\n\n".join(
                [
                    _("Hello,"),
                    _(
                        "The council has answered priority %(rank)d in %(round)s: %(title)s.",
                        rank=response.rank,
                        round=round_title,
                        title=title,
                    ),
                    _("Their decision: %(decision)s", decision=words.DECISION[response.decision]),
                    _("Read the whole answer and what happens next: %(link)s", link=link),
                    ngettext(
                        "You get this email because you asked us to tell you. We delete your "
                        "address %(num)d day after the round ends.",
                        "You get this email because you asked us to tell you. We delete your "
                        "address %(num)d days after the round ends.",
                        rnd.keep_contacts_days,
                    ),
                ]
            ),
        )


def tell_contacts(response: Response) -> int:
    """Queue an email to everyone who asked about this round; return how many (0: mail is off)."""
    if not mail.mail_configured():
        return 0
    contacts = db.session.scalars(
        select(Contact).where(Contact.round_id == response.round_id).order_by(Contact.id)
    ).all()
    if not contacts:
        return 0
    link = current_app.config["PUBLIC_URL"] + url_for(
        "council.you_said_we_did", slug=response.round.slug
    )
    # Jobs send them: a dead mail server is retried, and organisers see what could not go.
    jobs.send_emails([_message(c, response, link) for c in contacts])
    return len(contacts)
