"""Friendly error pages in the user's language: never a stack trace.

When the database cannot answer, every request gets 503 with Retry-After and a page that needs no
database (no session user, no CMS menu): one log line per request, no traceback.
"""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, g, make_response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from blueprints.errors.expired_session import SIGNED_IN_BLUEPRINTS, resend_page, session_expired, submitted_fields
from blueprints.rendering import is_htmx, render, render_lean
from blueprints.request_ids import current_request_id
from extensions import db, login_manager
from services import audit
from services.health import DATABASE_UNAVAILABLE, VALUE_REFUSED
from services.transactions import discard

RETRY_AFTER_SECONDS = 30

MESSAGES = {
    400: (
        _l("Permintaan tidak valid"),
        _l("Permintaan Anda tidak dapat diproses. Periksa isian lalu coba lagi."),
    ),
    403: (
        _l("Akses ditolak"),
        _l("Anda tidak memiliki izin untuk membuka halaman ini."),
    ),
    404: (
        _l("Halaman tidak ditemukan"),
        _l("Halaman yang Anda cari tidak ada atau sudah dipindahkan."),
    ),
    405: (
        _l("Metode tidak diizinkan"),
        _l("Halaman ini tidak menerima permintaan seperti itu."),
    ),
    413: (
        _l("Berkas terlalu besar"),
        _l("Berkas yang Anda kirim melebihi batas ukuran."),
    ),
    422: (
        _l("Isian tidak dapat diproses"),
        _l("Nilai yang dikirim di luar batas yang diterima."),
    ),
    429: (
        _l("Terlalu banyak permintaan"),
        _l("Anda terlalu sering mencoba. Tunggu sebentar lalu coba lagi."),
    ),
    500: (
        _l("Terjadi kesalahan"),
        _l("Maaf, terjadi kesalahan di server kami. Tim kami sudah dicatat; coba lagi nanti."),
    ),
    503: (
        _l("Layanan sedang tidak tersedia"),
        _l("Basis data sedang tidak dapat dihubungi. Coba lagi dalam beberapa saat; data Anda tidak berubah."),
    ),
}


def _texts(code: int, message: str | None) -> tuple[str, str]:
    title, text = (str(part) for part in MESSAGES.get(code, MESSAGES[500]))
    return title, message or text


def _page(code: int, message: str | None = None):
    title, text = _texts(code, message)
    if request.path.startswith("/api/"):
        return {"error": {"code": code, "title": title, "message": text}}, code
    try:
        return render("errors/error.html", block="content", http_status=code, code=code, title=title, message=text)
    except DATABASE_UNAVAILABLE as error:  # the page's layout asks the database (session user, menu): it is gone
        return database_down(error)


def refuse(code: int, message: str):
    """An error page with a message saying what was wrong (for checks that run before any view)."""
    return _page(code, message)


def _unavailable():
    """503 with Retry-After; the page is rendered without the database (lean layout, no session user)."""
    title, text = _texts(503, None)
    if request.path.startswith("/api/"):
        response = make_response({"error": {"code": 503, "title": title, "message": text}}, 503)
    else:
        response = render_lean("errors/unavailable.html", http_status=503, code=503, title=title, message=text)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def database_down(error: Exception):
    """One warning line (no traceback) and the 503 page."""
    _safe_rollback()
    current_app.logger.warning("Database unavailable on %s %s (%s)", request.method, request.path, _reason(error))
    return _unavailable()


def _safe_rollback() -> None:
    with contextlib.suppress(Exception):  # the connection is already gone: nothing left to undo
        discard(db.session)


def _reason(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0] if lines else ''}"


def _record_refusal(app: Flask, code: int) -> None:
    """403 and 429 go to the application log (every time) and the audit log (throttled), with the request id."""
    route = request.url_rule.rule if request.url_rule is not None else request.path[:200]
    request_id = current_request_id()
    app.logger.warning("refused %s %s %s request_id=%s", code, request.method, route, request_id)
    # The user as already loaded for this request, if any: an error page never queries the database for it.
    loaded = g.get("_login_user")
    actor = loaded if loaded is not None and loaded.is_authenticated else None
    audit.record_refusal(db.session, actor, code, request.method, route, request.remote_addr, request_id)


def register_error_handlers(app: Flask) -> None:
    login_manager.unauthorized_handler(session_expired)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        if request.method == "POST" and request.blueprint in SIGNED_IN_BLUEPRINTS:
            if not current_user.is_authenticated:
                return session_expired()
            fields = submitted_fields()
            if fields and not is_htmx():
                return resend_page(request.path, fields, http_status=400)
        return _page(400, _("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in (403, 429):
            try:
                _record_refusal(app, error.code)
            except DATABASE_UNAVAILABLE as db_error:
                return database_down(db_error)
        response = make_response(_page(error.code or 500))
        # The exception's own headers say how to recover: Allow on 405, Retry-After on 429 and 503.
        for name, value in error.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_down)

    @app.errorhandler(VALUE_REFUSED)
    def value_out_of_range(error: Exception):
        """A value the database refuses (a number too large for its column, an impossible date): the input's
        fault, so 422 and nothing written; one warning line to find the form that let it through."""
        _safe_rollback()
        app.logger.warning("Value refused by the database on %s %s (%s)", request.method, request.path, _reason(error))
        return _page(422)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        _safe_rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _page(500)
