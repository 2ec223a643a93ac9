"""The cooperative's legal record in the back office: founding deed's witnesses, amendment deeds, the
notaries' own PDFs, dissolution. Each form posts here and returns to the record's "Catatan hukum" section."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.cooperatives_admin import bp
from blueprints.cooperatives_admin.views import _cooperative_or_404
from blueprints.documents import notary_copy_download
from blueprints.permissions import allowed
from blueprints.rendering import redirect_to
from extensions import db
from services import deeds

MAX_UPLOAD = deeds.MAX_NOTARY_PDF


def _back(cooperative_id: int):
    return redirect_to(url_for(".detail", cooperative_id=cooperative_id) + "#hukum")


def _date(name: str) -> date | None:
    """A date typed as YYYY-MM-DD (the browser's date field), or None; a bad one is reported by the service."""
    try:
        return date.fromisoformat((request.form.get(name) or "").strip())
    except ValueError:
        return None


def _upload(name: str) -> bytes | None:
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return None
    return upload.stream.read(MAX_UPLOAD + 1)


@bp.post("/<int:cooperative_id>/hukum/pendirian")
@allowed("cooperative.manage")
def legal_founding(cooperative_id: int):
    """The founding deed's two witnesses and the ministry that granted legal-entity status."""
    cooperative = _cooperative_or_404(cooperative_id)
    try:
        deeds.update_founding_record(
            db.session,
            cooperative,
            current_user,
            witness_1=request.form.get("witness_1", ""),
            witness_2=request.form.get("witness_2", ""),
            ministry=request.form.get("ministry"),
            ip_address=request.remote_addr,
        )
    except deeds.DeedError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Catatan akta pendirian disimpan."), "success")
    return _back(cooperative_id)


@bp.post("/<int:cooperative_id>/hukum/akta-notaris")
@allowed("cooperative.manage")
def legal_founding_pdf(cooperative_id: int):
    """Attach the notary's own signed PDF of the founding deed."""
    cooperative = _cooperative_or_404(cooperative_id)
    try:
        deeds.attach_founding_deed_pdf(
            db.session,
            cooperative,
            current_user,
            _upload("berkas") or b"",
            config=current_app.config,
            ip_address=request.remote_addr,
        )
    except deeds.DeedError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Berkas akta pendirian dari notaris dilampirkan."), "success")
    return _back(cooperative_id)


@bp.post("/<int:cooperative_id>/hukum/perubahan")
@allowed("cooperative.manage")
def legal_amendment(cooperative_id: int):
    """Record an amendment deed, optionally with the notary's PDF."""
    cooperative = _cooperative_or_404(cooperative_id)
    data = deeds.AmendmentInput(
        number=request.form.get("number", ""),
        deed_date=_date("deed_date"),
        notary_name=request.form.get("notary_name", ""),
        ministry_act=request.form.get("ministry_act", ""),
        ministry_number=request.form.get("ministry_number", ""),
        ministry_date=_date("ministry_date"),
        changes=request.form.get("changes", ""),
    )
    try:
        amendment = deeds.record_amendment(
            db.session,
            cooperative,
            current_user,
            data,
            config=current_app.config,
            notary_pdf=_upload("berkas"),
            ip_address=request.remote_addr,
        )
    except deeds.DeedError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Akta perubahan nomor %(number)s dicatat.", number=amendment.number), "success")
    return _back(cooperative_id)


@bp.post("/<int:cooperative_id>/hukum/pembubaran")
@allowed("cooperative.manage")
def legal_dissolution(cooperative_id: int):
    """Record the dissolution: decree and date."""
    cooperative = _cooperative_or_404(cooperative_id)
    try:
        deeds.dissolve(
            db.session,
            cooperative,
            current_user,
            decree=request.form.get("decree", ""),
            dissolved_on=_date("dissolved_on"),
            ip_address=request.remote_addr,
        )
    except deeds.DeedError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Pembubaran koperasi dicatat."), "success")
    return _back(cooperative_id)


@bp.get("/akta-notaris/<int:copy_id>/unduh")
@allowed("cooperative.manage")
def legal_notary_file(copy_id: int):
    """A notary's PDF of a cooperative in the officer's scope (another kecamatan's: 404)."""
    if copy_id <= 0:
        abort(404)
    return notary_copy_download(copy_id)
