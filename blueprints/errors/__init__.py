"""Friendly error pages in the user's language: never a stack trace."""

from __future__ import annotations

from flask import Flask, g, make_response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from blueprints.rendering import render
from blueprints.request_ids import current_request_id
from extensions import db
from services import audit
from services.transactions import discard

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
    429: (
        _l("Terlalu banyak permintaan"),
        _l("Anda terlalu sering mencoba. Tunggu sebentar lalu coba lagi."),
    ),
    500: (
        _l("Terjadi kesalahan"),
        _l("Maaf, terjadi kesalahan di server kami. Tim kami sudah dicatat; coba lagi nanti."),
    ),
}


def _page(code: int, message: str | None = None):
    title, text = (str(part) for part in MESSAGES.get(code, MESSAGES[500]))
    if request.path.startswith("/api/"):
        return {"error": {"code": code, "title": title, "message": message or text}}, code
    return render(
        "errors/error.html", block="content", http_status=code, code=code, title=title, message=message or text
    )


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
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return _page(400, _("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in (403, 429):
            _record_refusal(app, error.code)
        response = make_response(_page(error.code or 500))
        # The exception's own headers say how to recover: Allow on 405, Retry-After on 429 and 503.
        for name, value in error.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        discard(db.session)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _page(500)
