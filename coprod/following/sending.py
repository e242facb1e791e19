"""Sending a message to one person: through GOV.UK Notify when NOTIFY_API_KEY is set, else SMTP.

Always by a job (`coprod.jobs`), retried with a growing wait, never inside a request. The
words are ours, written in the person's language from the project's catalogues; Notify gets
them through one plain template whose only fields are ((subject)) and ((body)) (email) or
((body)) (text message), so no wording lives in Notify.
"""

from __future__ import annotations

from flask import current_app

from coprod import mail

EMAIL, SMS = "email", "sms"


def notify_on() -> bool:
    return bool(current_app.config.get("NOTIFY_API_KEY"))


def can_send(channel: str = EMAIL) -> bool:
    """True when a message on this channel can go: SMS needs Notify; email, Notify or SMTP."""
    if channel == SMS:
        return notify_on()
    return notify_on() or mail.mail_configured()


def deliver(channel: str, address: str, subject: str, body: str, unfollow: str = "") -> None:
    """Send one message now (inside a job); raises on failure so the job tries again."""
    config = current_app.config
    if notify_on():
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(
            config["NOTIFY_API_KEY"], base_url=config["NOTIFY_BASE_URL"], timeout=30
        )
        if channel == SMS:
            client.send_sms_notification(
                phone_number=address,
                template_id=config["NOTIFY_SMS_TEMPLATE_ID"],
                personalisation={"body": body},
            )
        else:
            client.send_email_notification(
                email_address=address,
                template_id=config["NOTIFY_EMAIL_TEMPLATE_ID"],
                personalisation={"subject": subject, "body": body},
            )
        return
    if channel == SMS:
        raise RuntimeError("text messages need GOV.UK Notify (NOTIFY_API_KEY)")
    message = mail.message(address, subject, body)
    if unfollow:  # one click in the mail program stops the messages (RFC 8058)
        message["List-Unsubscribe"] = f"<{unfollow}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.send([message])


def send_later(channel: str, address: str, subject: str, body: str, unfollow: str = "") -> None:
    """Queue one message; it goes once the caller's writes commit."""
    from coprod import jobs

    tasks = jobs.jobs()
    jobs.later(lambda: tasks.deliver(channel, address, subject, body, unfollow))
