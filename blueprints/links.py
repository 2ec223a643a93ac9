"""Absolute links (sitemap, feed, API, OpenAPI, canonical, invitation and reset links) built from
PUBLIC_BASE_URL alone. The Host header is the client's to choose, so it never reaches a link."""

from __future__ import annotations

from flask import current_app, flash, request, url_for
from flask_babel import gettext as _

from services import mail


def public_base_url() -> str:
    """The site's public address without a trailing slash, e.g. https://balai.jakarta.go.id."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    """`url_for` made absolute against PUBLIC_BASE_URL, whatever Host the request carried."""
    return public_base_url() + url_for(endpoint, **values)


def url_with_query(endpoint: str | None = None, **changes) -> str:
    """A link to `endpoint` (default: this page) keeping this request's query arguments, with `changes`
    applied (None removes one). Keys starting with "_" never reach url_for, where _anchor, _method,
    _scheme and _external would change the link itself or raise."""
    target = endpoint or request.endpoint
    query = {key: values for key, values in request.args.lists() if not key.startswith("_")}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = [str(value)]
    path_values = dict(request.view_args or {}) if target == request.endpoint else {}
    return url_for(target, **path_values, **query)


def email_link(to_address: str | None, to_name: str | None, subject: str, body: str) -> bool:
    """Send a single-use link by e-mail if SMTP_URL is set and there is an address; False: show it instead."""
    if not to_address or not mail.is_configured(current_app.config):
        return False
    try:
        mail.send(current_app.config, to_address, to_name, subject, body)
    except (mail.MailError, ValueError) as exc:
        current_app.logger.warning("mail not sent: %s", exc)
        flash(_("Surel tidak dapat dikirim; berikan tautan di bawah ini secara langsung."), "warning")
        return False
    return True
