"""Single-use links handed to people: their absolute URL, and delivery by e-mail when SMTP is set up."""

from __future__ import annotations

from flask import current_app, flash, url_for
from flask_babel import gettext as _

from services import mail


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on PUBLIC_BASE_URL (never the request's Host header)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def email_link(to_address: str | None, to_name: str | None, subject: str, body: str) -> bool:
    """Send the message if SMTP_URL is set and there is an address; False means: show the link instead."""
    if not to_address or not mail.is_configured(current_app.config):
        return False
    try:
        mail.send(current_app.config, to_address, to_name, subject, body)
    except (mail.MailError, ValueError) as exc:
        current_app.logger.warning("mail not sent: %s", exc)
        flash(_("Surel tidak dapat dikirim; berikan tautan di bawah ini secara langsung."), "warning")
        return False
    return True
