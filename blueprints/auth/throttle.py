"""Failed log-ins slow down and block the client that fails, never the account's owner.

Three counters of failures: per account *and* client (blocks that client for that account), per client
(blocks a client trying many accounts) and per account from all clients together (a higher ceiling;
past it every attempt for the account waits LOGIN_SLOWDOWN_SECONDS, correct password or not, so a
spread-out attack is slowed while the owner can still log in). Keys come from the parsed form,
whatever the body format, and the client is `request.remote_addr` as ProxyFix corrected it.
"""

from __future__ import annotations

import time

from flask import current_app, request
from limits import parse
from werkzeug.exceptions import TooManyRequests

from extensions import soft_limits


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


class LoginThrottle:
    def __init__(self, username: str | None):
        self.account = (username or "").strip().lower()[:80]
        self.client = request.remote_addr or "unknown"

    def _blocking(self):
        config = current_app.config
        return (
            (parse(config["LOGIN_LIMIT_PER_ACCOUNT"]), f"login-account:{self.account}:{self.client}"),
            (parse(config["LOGIN_LIMIT_PER_IP"]), f"login-client:{self.client}"),
        )

    def _slowdown(self):
        return parse(current_app.config["LOGIN_SLOWDOWN_PER_ACCOUNT"]), f"login-slowdown:{self.account}"

    def retry_after(self) -> int | None:
        """Seconds this client must wait before trying again, or None when it may try now."""
        if not _enabled():
            return None
        strategy = soft_limits
        for item, key in self._blocking():
            if not strategy.test(item, key):
                reset = strategy.get_window_stats(item, key).reset_time
                return max(1, int(reset - time.time()) + 1)
        return None

    def slow_down(self) -> None:
        """Wait before checking the password when the account is under a spread-out attack."""
        if not _enabled() or not self.account:
            return
        item, key = self._slowdown()
        if not soft_limits.test(item, key):
            time.sleep(float(current_app.config.get("LOGIN_SLOWDOWN_SECONDS", 2)))

    def failed(self) -> None:
        """Count one failed attempt (wrong password or wrong second-factor code)."""
        if not _enabled():
            return
        strategy = soft_limits
        for item, key in self._blocking():
            strategy.hit(item, key)
        if self.account:
            item, key = self._slowdown()
            strategy.hit(item, key)


class LinkThrottle:
    """Refused submissions through one single-use link (an invitation): a link holder trying user names
    learns at most LINK_FAILURE_LIMIT of them before the link stops accepting attempts for a while."""

    def __init__(self, token_digest: str):
        self.key = f"link-failures:{token_digest}"

    def _item(self):
        return parse(current_app.config.get("LINK_FAILURE_LIMIT", "10 per hour"))

    def retry_after(self) -> int | None:
        if not _enabled() or soft_limits.test(self._item(), self.key):
            return None
        reset = soft_limits.get_window_stats(self._item(), self.key).reset_time
        return max(1, int(reset - time.time()) + 1)

    def failed(self) -> None:
        if _enabled():
            soft_limits.hit(self._item(), self.key)


def too_many_attempts(retry_after: int):
    """Refuse a throttled client: the one 429 handler answers (page, Retry-After, log and audit)."""
    raise TooManyRequests(retry_after=retry_after)
