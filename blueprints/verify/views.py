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
from markupsafe import escape

from blueprints.rendering import redirect_to, render, render_lean
from blueprints.verify import bp
from extensions import csrf, db, limiter
from services import verification

MAX_UPLOAD = 10 * 1024 * 1024
# Where the time of the check goes in a memoised verdict page (the rest of the page depends only on the facts).
CHECKED_AT_SLOT = "\u2063checked-at\u2063"


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _holder_limit() -> str:
    return current_app.config["HOLDER_CHECK_RATE_LIMIT"]


def public_view(document) -> dict:
    """What anyone may know about an issued permit or deed, with a link to its successor if superseded."""
    info = verification.public_facts(db.session, document, current_app.config)
    token = info.pop("superseded_by_token")
    info["superseded_by_url"] = url_for("verify.show", token=token) if token else None
    return info


def verdict_tag(info: dict) -> str:
    """A tag of the verdict: it changes the moment anything shown changes (revocation, expiry, successor)."""
    facts = json.dumps(info, sort_keys=True, default=str) + "|" + str(get_locale())
    return hashlib.sha256(facts.encode()).hexdigest()[:32]


def _fresh(response: Response) -> Response:
    """A verdict page says when the check was made, so it is never served from a cache."""
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


class _PageMemo:
    """Rendered verdict pages by (path, tag), least recently used dropped first, per process.

    Correct because the page is a pure function of what the tag hashes (the facts and the language) plus the
    time of the check, filled into its slot on every request: the facts are read from the database on every
    request, so a revocation changes the tag and is never missed.
    """

    def __init__(self, size: int = 2048):
        self.size = size
        self._pages: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> str | None:
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
            return body

    def put(self, key: tuple[str, str], body: str) -> None:
        with self._lock:
            self._pages[key] = body
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


_verdict_pages = _PageMemo()


def _checked_at() -> str:
    return verification.checked_at_text(current_app.config)


def _verdict_page(info: dict, tag: str, token: str) -> Response:
    key = (request.path, tag)
    body = _verdict_pages.get(key)
    if body is None:
        body = render_lean("verify/result.html", info=info, token=token, checked_at=CHECKED_AT_SLOT)
        body = body.get_data(as_text=True)
        _verdict_pages.put(key, body)
    return make_response(body.replace(CHECKED_AT_SLOT, escape(_checked_at())))


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
    return _fresh(_verdict_page(info, verdict_tag(info), token))


@bp.post("/verify/<token>/pemegang")
@csrf.exempt  # the verdict page carries no session; this form changes nothing but the audit log
@limiter.limit(_limit)
@limiter.limit(_holder_limit)
def check_holder(token: str):
    """Does the NIK typed from the holder's KTP match the document? Only "cocok" or "tidak cocok"."""
    document = verification.find_by_token(db.session, token)
    if document is None:
        return render_lean("verify/unknown.html", http_status=404)
    info = public_view(document)
    if not info["holder_check_available"]:
        return _holder_refused(info, token, _("Dokumen ini tidak mencantumkan pemegang perseorangan."))
    nik = request.form.get("nik", "")
    answer = verification.holder_matches(db.session, document, nik, ip_address=request.remote_addr)
    if answer is None:
        return _holder_refused(info, token, _("NIK terdiri atas 16 angka, seperti tertulis pada KTP."))
    page = render_lean("verify/result.html", info=info, token=token, checked_at=_checked_at(), holder_result=answer)
    return _fresh(page)


def _holder_refused(info: dict, token: str, message: str):
    """The result page again, with why the holder could not be checked (422)."""
    page = render_lean(
        "verify/result.html", info=info, token=token, checked_at=_checked_at(), holder_error=message, http_status=422
    )
    return _fresh(page)


def read_upload(upload) -> tuple[bytes | None, str | None]:
    """The uploaded PDF's bytes, or an error message for the user (none chosen, not a PDF, too large)."""
    if upload is None or not upload.filename:
        return None, _("Pilih berkas PDF terlebih dahulu.")
    data = upload.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD or not data.startswith(b"%PDF-"):
        return None, _("Berkas bukan PDF atau lebih dari 10 MB.")
    return data, None


@bp.post("/verify/berkas")
@limiter.limit(_limit)
def check_file():
    """Is an uploaded PDF one of ours, unchanged or changed after signing? Nothing of the file is kept."""
    data, error = read_upload(request.files.get("berkas"))
    if error:
        return render("verify/lookup.html", number="", upload_error=error, http_status=422)
    result = verification.check_file(db.session, data, current_app.config)
    if not result.genuine:
        return render("verify/lookup.html", number="", upload_mismatch=result.sha256, http_status=404)
    return _fresh(
        render_lean(
            "verify/result.html",
            info=public_view(result.document),
            token=verification.token_of(result.document),
            checked_at=_checked_at(),
            upload_verdict=result.verdict,
            upload_sha256=result.sha256,
        )
    )
