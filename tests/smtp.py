"""A real SMTP server on loopback (aiosmtpd) that keeps the messages it receives, for tests to read."""

from __future__ import annotations

import email
import email.policy
import ssl
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

from services import clock
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


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files), for a STARTTLS server on loopback."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = clock.wall_now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@contextmanager
def smtp_server(username: str | None = None, password: str | None = None, tls_files: tuple[Path, Path] | None = None):
    """Yields (inbox, SMTP_URL) for an SMTP server on 127.0.0.1, requiring AUTH when credentials are given;
    with `tls_files` (certificate, key) it requires STARTTLS before anything else."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    options: dict = {}
    if username:
        inbox.authenticator = _Authenticator(username, password or "")
        options = {"authenticator": inbox.authenticator, "auth_require_tls": bool(tls_files), "auth_required": True}
    if tls_files:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls_files)
        options.update(tls_context=context, require_starttls=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    credentials = f"{username}:{password}@" if username else ""
    query = "?starttls=true" if tls_files else ""
    try:
        yield inbox, f"smtp://{credentials}127.0.0.1:{port}{query}"
    finally:
        controller.stop()
