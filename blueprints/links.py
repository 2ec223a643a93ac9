"""Absolute links (sitemap, feed, API, OpenAPI, canonical, invitation and reset links) built from
PUBLIC_BASE_URL alone. The Host header is the client's to choose, so it never reaches a link."""

from __future__ import annotations

from flask import current_app, url_for


def public_base_url() -> str:
    """The site's public address without a trailing slash, e.g. https://balai.jakarta.go.id."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    """`url_for` made absolute against PUBLIC_BASE_URL, whatever Host the request carried."""
    return public_base_url() + url_for(endpoint, **values)
