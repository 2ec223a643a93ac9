"""Logging, configured here and nowhere else: JSON lines on stderr, each with the request id, and one line
per request (method, route, status, duration, user id, request id).

The route is the URL rule (/kantor/usaha/<int:business_id>), never the path or the query string, which can
hold a searched NIK or name: no personal data reaches the log.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, g, request

from blueprints.request_ids import current_request_id

REQUEST_LOGGER = "balai.request"
_HANDLER_NAME = "balai-json"
# pyHanko logs a signature it cannot trust (a self-signed or unknown certificate: an answer the verification
# page gives, not a fault) as a warning carrying the whole chain of exceptions. Below ERROR, the message of
# these loggers is kept and the traceback, which reads as a server fault, is left out.
QUIET_TRACEBACK_LOGGERS = ("pyhanko",)


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            **getattr(record, "fields", {}),
        }
        quiet = record.levelno < logging.ERROR and record.name.startswith(QUIET_TRACEBACK_LOGGERS)
        if record.exc_info and not quiet:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def configure(level: str) -> None:
    """Send every logger's records (the app's, gunicorn's workers', libraries') as JSON lines to stderr."""
    root = logging.getLogger()
    root.handlers = [handler for handler in root.handlers if handler.get_name() != _HANDLER_NAME]
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonLines())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # WeasyPrint logs each of its seven steps of every render at INFO: noise, seven lines per certificate.
    logging.getLogger("weasyprint.progress").setLevel(max(logging.WARNING, root.level))


def _user_id() -> int | None:
    """The user this request already loaded, if any: logging never queries the database (it may be down)."""
    user = g.get("_login_user")
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


def init_app(app: Flask) -> None:
    configure(app.config["LOG_LEVEL"])
    log = logging.getLogger(REQUEST_LOGGER)

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        fields = {
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user_id": _user_id(),
        }
        log.info("request", extra={"fields": fields})
        return response
