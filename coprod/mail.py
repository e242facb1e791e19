"""Sending email through the SMTP server in the configuration (MAIL_* settings)."""

import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app


def mail_configured() -> bool:
    """True when MAIL_SERVER is set; otherwise staff hand links and lists out themselves."""
    return bool(current_app.config.get("MAIL_SERVER"))


def message(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text email from the site's sender address."""
    config = current_app.config
    sender = config.get("MAIL_FROM") or "no-reply@" + (
        urlsplit(config["PUBLIC_URL"]).hostname or "localhost"
    )
    email = EmailMessage()
    # Subjects carry typed titles; a line break in a header is refused (it could add headers).
    email["From"], email["To"], email["Subject"] = sender, to, " ".join(subject.splitlines())
    email.set_content(body)
    return email


def send(messages: Sequence[EmailMessage]) -> None:
    """Send messages over one SMTP connection (raises OSError or SMTPException on failure)."""
    config = current_app.config
    port = int(config.get("MAIL_PORT") or 25)
    with smtplib.SMTP(config["MAIL_SERVER"], port, timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        for email in messages:
            smtp.send_message(email)
