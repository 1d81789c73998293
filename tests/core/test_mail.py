"""Mail goes to the log without settings and over SMTP with them (a real local server)."""

from __future__ import annotations

import logging
import socket

import pytest
from aiosmtpd.controller import Controller

from community.core import mail


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(
            (envelope.mail_from, envelope.rcpt_tos, envelope.content.decode("utf-8"))
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def test_without_mail_server_the_mail_is_written_to_the_log(app, caplog):
    with app.app_context(), caplog.at_level(logging.INFO, logger="community.mail"):
        mail.send_mail("mia@example.com", "Hello", "The body with a link")
    assert "mia@example.com" in caplog.text and "The body with a link" in caplog.text


def test_with_mail_server_the_mail_goes_out_over_smtp(app, smtp_server, monkeypatch):
    controller, inbox = smtp_server
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Mitmach <no-reply@mitmach.test>")

    with app.app_context():
        mail.send_mail("mia@example.com", "Grüße", "Hallo Mia,\nhier ist dein Link.")

    [(sender, recipients, content)] = inbox.messages
    assert sender == "no-reply@mitmach.test"
    assert recipients == ["mia@example.com"]
    assert "Hallo Mia" in content
