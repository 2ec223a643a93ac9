"""A real SMTP server on loopback (aiosmtpd) that keeps the messages it receives, for tests to read."""

from __future__ import annotations

import email
import email.policy
from contextlib import contextmanager
from email.message import Message

from tests.e2e.harness import free_port


class Inbox:
    def __init__(self):
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def body(self, index: int = -1) -> str:
        return self.messages[index].get_body(preferencelist=("plain",)).get_content()


class _Authenticator:
    def __init__(self, username: str, password: str):
        self.username, self.password = username.encode(), password.encode()
        self.logins: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = auth_data.login == self.username and auth_data.password == self.password
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


@contextmanager
def smtp_server(username: str | None = None, password: str | None = None):
    """Yields (inbox, SMTP_URL) for an SMTP server on 127.0.0.1, requiring AUTH when credentials are given."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    options = {}
    if username:
        inbox.authenticator = _Authenticator(username, password or "")
        options = {"authenticator": inbox.authenticator, "auth_require_tls": False, "auth_required": True}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    credentials = f"{username}:{password}@" if username else ""
    try:
        yield inbox, f"smtp://{credentials}127.0.0.1:{port}"
    finally:
        controller.stop()
