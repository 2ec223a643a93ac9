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

from extensions import limiter


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
        strategy = limiter.limiter
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
        if not limiter.limiter.test(item, key):
            time.sleep(float(current_app.config.get("LOGIN_SLOWDOWN_SECONDS", 2)))

    def failed(self) -> None:
        """Count one failed attempt (wrong password or wrong second-factor code)."""
        if not _enabled():
            return
        strategy = limiter.limiter
        for item, key in self._blocking():
            strategy.hit(item, key)
        if self.account:
            item, key = self._slowdown()
            strategy.hit(item, key)
