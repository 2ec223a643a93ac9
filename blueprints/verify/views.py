"""Public verification of issued certificates: by QR token, by number, by the PDF's bytes. Nothing personal."""

from __future__ import annotations

import hashlib

from flask import current_app, request, url_for
from flask_babel import gettext as _

from blueprints.rendering import redirect_to, render
from blueprints.verify import bp
from extensions import db, limiter
from models.permit import Permit
from services import permits

MAX_UPLOAD = 10 * 1024 * 1024


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def public_view(permit: Permit) -> dict:
    """What anyone may know about a permit: kind, number, business, kelurahan, status, dates, fingerprint."""
    today = permits.local_today(current_app.config)
    status = permit.status_on(today)
    return {
        "document_kind": "IUMK",
        "document_title": "Surat Izin Usaha Mikro dan Kecil",
        "number": permit.number,
        "business_name": permit.business_name,
        "kelurahan": permit.kelurahan.name,
        "kecamatan": permit.kelurahan.parent.name if permit.kelurahan.parent else None,
        "status": status,
        "issued_on": permit.issued_on.isoformat(),
        "valid_until": permit.valid_until.isoformat(),
        "revoked_on": permits.local_date(permit.revoked_at, current_app.config).isoformat()
        if permit.revoked_at
        else None,
        "revoke_reason": permit.revoke_reason if status == "revoked" else None,
        "superseded_by": permit.superseded_by.number if permit.superseded_by else None,
        "superseded_by_url": url_for("verify.show", token=permit.superseded_by.token, _external=False)
        if permit.superseded_by
        else None,
        "sha256": permit.document_sha256,
        "demo_signature": permit.demo_signature,
    }


@bp.get("/verify/")
@limiter.limit(_limit)
def lookup():
    """Verify by typing the number printed on the certificate."""
    number = (request.args.get("nomor") or "").strip()
    if number:
        permit = permits.find_by_number(db.session, number)
        if permit is not None:
            return redirect_to(url_for("verify.show", token=permit.token))
        return render("verify/lookup.html", number=number, not_found=True, status=404)
    return render("verify/lookup.html", number="", not_found=False)


@bp.get("/verify/<token>")
@limiter.limit(_limit)
def show(token: str):
    permit = permits.find_by_token(db.session, token)
    if permit is None:
        return render("verify/unknown.html", status=404)
    return render("verify/result.html", info=public_view(permit))


@bp.post("/verify/berkas")
@limiter.limit(_limit)
def check_file():
    """Does an uploaded PDF have exactly the bytes of an issued certificate? Only its hash is kept, never the file."""
    upload = request.files.get("berkas")
    if upload is None or not upload.filename:
        return render("verify/lookup.html", number="", upload_error=_("Pilih berkas PDF terlebih dahulu."), status=422)
    data = upload.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD or not data.startswith(b"%PDF-"):
        return render(
            "verify/lookup.html", number="", upload_error=_("Berkas bukan PDF atau lebih dari 10 MB."), status=422
        )
    digest = hashlib.sha256(data).hexdigest()
    permit = permits.find_by_sha256(db.session, digest)
    if permit is None:
        return render("verify/lookup.html", number="", upload_mismatch=digest, status=404)
    return render("verify/result.html", info=public_view(permit), matched_upload=True)


@bp.get("/api/v1/verify/<token>")
@limiter.limit(_limit)
def api_show(token: str):
    permit = permits.find_by_token(db.session, token)
    if permit is None:
        return {
            "error": {"code": 404, "title": "not found", "message": _("Dokumen dengan kode ini tidak ditemukan.")}
        }, 404
    response = current_app.json.response(public_view(permit))
    response.headers["Cache-Control"] = "no-store"
    return response
