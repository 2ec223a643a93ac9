"""Outgoing e-mail (set-password links, cooperative invitations) through the SMTP server in SMTP_URL.

SMTP_URL: smtp://user:password@host:587?starttls=true (STARTTLS), smtps://user:password@host:465
(TLS from the start) or smtp://host:25 (neither, e.g. a relay on the same machine). Without SMTP_URL
nothing is sent and the caller shows the link to the officer instead.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask_babel import gettext as _

TIMEOUT_SECONDS = 15


class MailError(Exception):
    """The message could not be handed to the SMTP server; the text says why, without secrets."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool

    @classmethod
    def parse(cls, url: str) -> SmtpSettings:
        """Read SMTP_URL; a malformed one raises ValueError saying what is wrong."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("SMTP_URL must start with smtp:// or smtps://")
        if not parts.hostname:
            raise ValueError("SMTP_URL has no host name")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("SMTP_URL has an invalid port") from None
        implicit_tls = parts.scheme == "smtps"
        options = {key.lower(): values[-1].lower() for key, values in parse_qs(parts.query).items()}
        starttls = options.get("starttls", "false") in ("1", "true", "yes", "on")
        if implicit_tls and starttls:
            raise ValueError("SMTP_URL: use smtps:// or starttls=true, not both")
        return cls(
            host=parts.hostname,
            port=port or (465 if implicit_tls else 587 if starttls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit_tls,
            starttls=starttls,
        )


def is_configured(config) -> bool:
    return bool((config.get("SMTP_URL") or "").strip())


def send(config, to_address: str, to_name: str | None, subject: str, body: str) -> None:
    """Send a plain-text message; raises MailError when the server refuses it or cannot be reached."""
    settings = SmtpSettings.parse(config["SMTP_URL"])
    message = EmailMessage()
    message["From"] = formataddr((config.get("SITE_NAME") or "Balai", config["MAIL_FROM"]))
    message["To"] = formataddr((to_name or "", to_address))
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    # SMTP_CA_FILE: the CA that signed a server certificate the system does not know (an internal CA).
    context = ssl.create_default_context(cafile=config.get("SMTP_CA_FILE") or None)
    try:
        server: smtplib.SMTP
        if settings.implicit_tls:
            server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
        with server:
            if settings.starttls:
                server.starttls(context=context)
            if settings.username:
                server.login(settings.username, settings.password or "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}") from None


def password_link_message(site_name: str, full_name: str, username: str, url: str, hours: int) -> tuple[str, str]:
    """Subject and body of a set-password link (Indonesian first, the user's language through gettext)."""
    subject = _("Buat kata sandi akun %(site)s Anda", site=site_name)
    body = _(
        "Yth. %(name)s,\n\n"
        "Akun %(site)s untuk Anda sudah disiapkan. Nama pengguna: %(username)s\n\n"
        "Buat kata sandi Anda melalui tautan berikut. Tautan hanya dapat dipakai sekali dan berlaku %(hours)d jam:\n"
        "%(url)s\n\n"
        "Jika Anda tidak merasa meminta akun ini, abaikan surel ini.\n",
        name=full_name,
        site=site_name,
        username=username,
        hours=hours,
        url=url,
    )
    return subject, body


def invitation_message(site_name: str, contact_name: str, cooperative: str, url: str, hours: int) -> tuple[str, str]:
    """Subject and body of a cooperative portal invitation."""
    subject = _("Undangan portal koperasi %(site)s", site=site_name)
    body = _(
        "Yth. %(name)s,\n\n"
        "Petugas mengundang %(cooperative)s ke portal koperasi %(site)s. Buat akun Anda melalui tautan berikut. "
        "Tautan hanya dapat dipakai sekali dan berlaku %(hours)d jam:\n"
        "%(url)s\n\n"
        "Jika Anda tidak mengenal undangan ini, abaikan surel ini.\n",
        name=contact_name,
        cooperative=cooperative,
        site=site_name,
        hours=hours,
        url=url,
    )
    return subject, body
