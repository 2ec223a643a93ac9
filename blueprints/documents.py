"""Serving stored PDFs: the one download response (authorised, audited, never cached) for every blueprint."""

from __future__ import annotations

import io

from flask import abort, current_app, request, send_file
from flask_login import current_user

from extensions import db
from services import deeds
from services.documents import DocumentError


def pdf_inline(pdf: bytes, filename: str):
    """A PDF shown in the browser (previews): not stored, not cached."""
    response = send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_attachment(pdf: bytes, filename: str):
    """A stored document as a download. It carries personal data: private, never kept by a cache."""
    response = send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def deed_download(deed_id: int):
    """A deed version the current user may have (own cooperative, or officer's scope), else 404.

    A GET is recorded in the audit log; a HEAD sends the same headers and no bytes, so it is not a download.
    """
    deed = deeds.deed_for_user(db.session, current_user, deed_id)
    if deed is None:
        abort(404)
    try:
        pdf = deeds.deed_pdf(deed, current_app.config)
    except DocumentError:
        if not deed.has_document:
            abort(404)  # a version recorded without a stored document: nothing to download
        current_app.logger.error("stored founding deed %s is missing or damaged", deed.id)
        abort(500)
    if request.method == "GET":
        deeds.record_download(db.session, current_user, deed, ip_address=request.remote_addr)
    return pdf_attachment(pdf, deeds.download_name(deed))


def minutes_download(report):
    """The minutes (PDF) of a RAT report the caller has already authorised; the GET is audited."""
    from services import cooperatives

    if not report.has_minutes:
        abort(404)
    try:
        pdf = cooperatives.minutes_pdf(report, current_app.config)
    except DocumentError:
        current_app.logger.error("stored RAT minutes of report %s are missing or damaged", report.id)
        abort(500)
    if request.method == "GET":
        cooperatives.record_minutes_download(db.session, current_user, report, ip_address=request.remote_addr)
    return pdf_attachment(pdf, f"notulen-rat-{report.financial_year}-{report.cooperative_id}.pdf")


def notary_copy_download(copy_id: int):
    """A notary's signed PDF of a cooperative the current user may see (own, or officer's scope), else 404."""
    copy = deeds.notary_copy_for_user(db.session, current_user, copy_id)
    if copy is None:
        abort(404)
    try:
        pdf = deeds.notary_copy_pdf(copy, current_app.config)
    except DocumentError:
        current_app.logger.error("stored notarial copy %s is missing or damaged", copy.id)
        abort(500)
    if request.method == "GET":
        deeds.record_notary_download(db.session, current_user, copy, ip_address=request.remote_addr)
    return pdf_attachment(pdf, f"akta-notaris-{copy.sha256[:12]}.pdf")
