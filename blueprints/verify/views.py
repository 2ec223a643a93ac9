"""Public verification of issued documents (permits, founding deeds): by QR token, by number, by the PDF's bytes.

Nothing personal. One lookup across document kinds (services/verification.py), one result page.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from flask import Response, current_app, make_response, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from blueprints.rendering import redirect_to, render, render_lean
from blueprints.verify import bp
from extensions import db, limiter
from services import verification

MAX_UPLOAD = 10 * 1024 * 1024


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def public_view(document) -> dict:
    """What anyone may know about an issued permit or deed, with a link to its successor if superseded."""
    info = verification.public_facts(document, current_app.config)
    token = info.pop("superseded_by_token")
    info["superseded_by_url"] = url_for("verify.show", token=token) if token else None
    return info


def _verdict_tag(info: dict) -> str:
    """A weak ETag of the verdict: it changes the moment anything shown changes (revocation, expiry, successor)."""
    facts = json.dumps(info, sort_keys=True, default=str) + "|" + str(get_locale())
    return hashlib.sha256(facts.encode()).hexdigest()[:32]


def _revalidated(response: Response, tag: str) -> Response:
    """Caches may keep the verdict but must ask again every time (no-cache): a revocation shows at once."""
    response.set_etag(tag, weak=True)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")  # the reader's language is kept in the session cookie
    return response


class _PageMemo:
    """Rendered verdict pages by (path, ETag), least recently used dropped first, per process.

    Correct because the page is a pure function of what the tag hashes (the facts and the language): the
    facts are read from the database on every request, so a revocation changes the tag and is never missed.
    """

    def __init__(self, size: int = 2048):
        self.size = size
        self._pages: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
            return body

    def put(self, key: tuple[str, str], body: bytes) -> None:
        with self._lock:
            self._pages[key] = body
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


_verdict_pages = _PageMemo()


def _verdict_page(info: dict, tag: str) -> Response:
    key = (request.path, tag)
    body = _verdict_pages.get(key)
    if body is None:
        body = render_lean("verify/result.html", info=info).get_data()
        _verdict_pages.put(key, body)
    return make_response(body)


def _not_modified(tag: str) -> Response | None:
    if request.if_none_match.contains_weak(tag):  # If-None-Match compares weakly (RFC 9110)
        return _revalidated(make_response("", 304), tag)
    return None


@bp.get("/verify/")
@limiter.limit(_limit)
def lookup():
    """Verify by typing the number printed on the certificate."""
    number = (request.args.get("nomor") or "").strip()
    if number:
        document = verification.find_by_number(db.session, number)
        if document is not None:
            return redirect_to(url_for("verify.show", token=verification.token_of(document)))
        return render("verify/lookup.html", number=number, not_found=True, http_status=404)
    return render("verify/lookup.html", number="", not_found=False)


@bp.get("/verify/<token>")
@limiter.limit(_limit)
def show(token: str):
    document = verification.find_by_token(db.session, token)
    if document is None:
        return render_lean("verify/unknown.html", http_status=404)
    info = public_view(document)
    tag = _verdict_tag(info)
    return _not_modified(tag) or _revalidated(_verdict_page(info, tag), tag)


@bp.post("/verify/berkas")
@limiter.limit(_limit)
def check_file():
    """Does an uploaded PDF have exactly the bytes of an issued certificate? Only its hash is kept, never the file."""
    upload = request.files.get("berkas")
    if upload is None or not upload.filename:
        return render(
            "verify/lookup.html", number="", upload_error=_("Pilih berkas PDF terlebih dahulu."), http_status=422
        )
    data = upload.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD or not data.startswith(b"%PDF-"):
        return render(
            "verify/lookup.html", number="", upload_error=_("Berkas bukan PDF atau lebih dari 10 MB."), http_status=422
        )
    digest = hashlib.sha256(data).hexdigest()
    document = verification.find_by_sha256(db.session, digest)
    if document is None:
        return render("verify/lookup.html", number="", upload_mismatch=digest, http_status=404)
    return render_lean("verify/result.html", info=public_view(document), matched_upload=True)


@bp.get("/api/v1/verify/<token>")
@limiter.limit(_limit)
def api_show(token: str):
    document = verification.find_by_token(db.session, token)
    if document is None:
        return {
            "error": {"code": 404, "title": "not found", "message": _("Dokumen dengan kode ini tidak ditemukan.")}
        }, 404
    info = public_view(document)
    tag = _verdict_tag(info)
    return _not_modified(tag) or _revalidated(current_app.json.response(info), tag)
