"""Single-use links (set-password links, cooperative invitations): how their tokens are made and found.

A token is an HMAC of a random nonce under the app's SECRET_KEY. The database keeps the nonce and the
token's SHA-256, never the token: a copy of the database holds no working link, yet the officer who
made a link can show it again until it is used, expires or is revoked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app

MAX_TOKEN_LENGTH = 100


def new_nonce() -> str:
    return secrets.token_hex(16)


def token_for(nonce: str, purpose: str) -> str:
    """The link token for a stored nonce; the same nonce and SECRET_KEY always give the same token."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    mac = hmac.new(key, f"{purpose}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def plausible(token: str | None) -> bool:
    """Cheap check before a look-up: a token from a mangled or hostile URL is refused outright."""
    return token is not None and 0 < len(token) <= MAX_TOKEN_LENGTH and token.isascii()
