"""Extensions, created unbound here and bound to the app in create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Should the shared store (Redis) stop answering, limits fall back to each process's memory (logged once,
# by Flask-Limiter) instead of failing the request; short socket timeouts keep a dead store from stalling it.
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[],
    in_memory_fallback_enabled=True,
    swallow_errors=True,
    storage_options={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
)
htmx = Htmx()


class _SoftLimits:
    """The limiter's strategy for code that counts by hand (log-in throttling): when the shared store does not
    answer, the counts move to this process's memory, logged once, and back to the store when it answers."""

    def __init__(self):
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self._fallback = MovingWindowRateLimiter(MemoryStorage())
        self._down = False

    def _call(self, name, *args):
        if not self._down or limiter.limiter is self._fallback:
            try:
                return getattr(limiter.limiter, name)(*args)
            except Exception as exc:  # the store is unreachable: count here instead
                import logging

                logging.getLogger("flask-limiter").warning(
                    "Rate limit storage unreachable (%s) - log-in throttling falls back to in-memory counts",
                    type(exc).__name__,
                )
                self._down = True
        elif limiter.storage.check():
            self._down = False
            return getattr(limiter.limiter, name)(*args)
        return getattr(self._fallback, name)(*args)

    def test(self, item, *identifiers):
        return self._call("test", item, *identifiers)

    def hit(self, item, *identifiers):
        return self._call("hit", item, *identifiers)

    def get_window_stats(self, item, *identifiers):
        return self._call("get_window_stats", item, *identifiers)


soft_limits = _SoftLimits()
