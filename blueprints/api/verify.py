"""Verification API: the facts of a document by QR token or SHA-256, and the check of an uploaded PDF.

The same facts as the /verify pages (services/verification.py), as JSON; nothing personal. Answers by token
or hash carry a weak ETag over the facts and `Cache-Control: no-cache`, so a revocation shows at once.
"""

from __future__ import annotations

from flask import Response, current_app, make_response, request

from blueprints.api import bp
from blueprints.verify.views import public_view, read_upload, verdict_tag
from extensions import db
from services import verification

VERDICT_LABELS = {
    verification.INTACT: "asli, utuh",
    verification.CHANGED: "asli; ada perubahan setelah ditandatangani",
    verification.FOREIGN: "bukan dokumen kami",
}


def _error(status: int, message: str):
    return {"error": {"code": status, "title": "not found" if status == 404 else "invalid", "message": message}}, status


def _facts_response(document) -> Response:
    info = public_view(document)
    info["checked_at"] = verification.checked_at_text(current_app.config)
    tag = verdict_tag({key: value for key, value in info.items() if key != "checked_at"})
    unchanged = request.if_none_match.contains_weak(tag)  # If-None-Match compares weakly (RFC 9110)
    response = make_response("", 304) if unchanged else current_app.json.response(info)
    response.set_etag(tag, weak=True)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")
    return response


@bp.get("/verify/<token>")
def verify_token(token: str):
    """The facts of the document a QR code points to."""
    document = verification.find_by_token(db.session, token)
    if document is None:
        return _error(404, "Dokumen dengan kode ini tidak ditemukan.")
    return _facts_response(document)


@bp.get("/verify/sha256/<digest>")
def verify_sha256(digest: str):
    """The facts of the document whose stored PDF has this SHA-256 (64 hexadecimal digits)."""
    document = verification.find_by_sha256(db.session, digest)
    if document is None:
        return _error(404, "Tidak ada dokumen dengan sidik jari ini.")
    return _facts_response(document)


@bp.post("/verify/file")
def verify_file():
    """Check an uploaded PDF (multipart field `berkas`): intact, changed after signing, or not ours."""
    data, error = read_upload(request.files.get("berkas"))
    if error:
        return _error(422, error)
    result = verification.check_file(db.session, data, current_app.config)
    body = {
        "verdict": result.verdict,
        "label": VERDICT_LABELS[result.verdict],
        "sha256": result.sha256,
        "checked_at": verification.checked_at_text(current_app.config),
        "document": None,
    }
    if result.document is not None:
        body["document"] = public_view(result.document)
    return body
