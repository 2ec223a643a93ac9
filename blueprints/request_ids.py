"""A request id for every request: taken from a trusted proxy's X-Request-ID or made here, returned in the
response, and written with audit entries and log lines so one request can be followed across them."""

from __future__ import annotations

import re
import secrets

from flask import Flask, g, has_request_context

_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request_id() -> str | None:
    return getattr(g, "request_id", None) if has_request_context() else None


def init_app(app: Flask) -> None:
    from flask import request

    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _ACCEPTED.fullmatch(incoming) else secrets.token_hex(8)

    @app.after_request
    def return_request_id(response):
        request_id = current_request_id()
        if request_id:
            response.headers["X-Request-ID"] = request_id
        return response
