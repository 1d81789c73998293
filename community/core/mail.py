"""Outgoing mail: SMTP when MAIL_SERVER is set, the log otherwise."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("community.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


# In tests every mail is also kept here, newest last.
outbox: list[Mail] = []


def send_mail(to: str, subject: str, body: str) -> None:
    """Deliver one plain-text mail, or write it to the log without mail settings."""
    mail = Mail(to=to, subject=subject, body=body)
    config = current_app.config
    if current_app.testing:
        outbox.append(mail)
    if not config.get("MAIL_SERVER"):
        log.info("mail to %s: %s\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
