"""Back office: officers register businesses and issue, print, revoke and reissue permits."""

from __future__ import annotations

import re
from datetime import date

from flask import abort, current_app, flash, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.backoffice import bp
from blueprints.backoffice.forms import BatchForm, BusinessForm, RevokeForm
from blueprints.confirmation import Confirmation, confirmation
from blueprints.confirmation import ask as ask_confirmation
from blueprints.documents import pdf_attachment, pdf_inline
from blueprints.pagination import page_number
from blueprints.permissions import allowed
from blueprints.rendering import is_htmx, redirect_to, render
from extensions import db, limiter
from models.business import Business
from models.permit import Permit
from services import (
    audit,
    authorization,
    batch,
    clock,
    delivery,
    labels,
    oss,
    outreach,
    permits,
    registry,
    spreadsheets,
)
from services.digits import ascii_digits
from services.documents import DocumentError
from services.paging import Page


def _business_or_404(business_id: int) -> Business:
    business = registry.get_business(db.session, current_user, business_id)
    if business is None:
        abort(404)
    return business


def _permit_or_404(permit_id: int) -> Permit:
    permit = permits.permit_for_user(db.session, current_user, permit_id)
    if permit is None:
        abort(404)
    return permit


OWNER_FIELDS = ("owner_nik", "owner_name", "owner_phone", "owner_address", "owner_birth_date")


def _owner_locked(business: Business | None) -> bool:
    """The owner has businesses outside this officer's scope: their personal data is neither shown nor changed."""
    return business is not None and not authorization.may_manage_person(db.session, current_user, business.owner)


def _locked_owner_name(business: Business | None) -> str | None:
    """The owner's masked name when their personal data is out of this officer's reach, else None."""
    return labels.mask_name(business.owner.full_name) if _owner_locked(business) else None


def _business_form(business: Business | None = None) -> BusinessForm:
    form = _unlocked_business_form(business)
    if _owner_locked(business):
        for name in OWNER_FIELDS:
            delattr(form, name)
    return form


def _outreach_request():
    """The visited outreach request a new business is being registered from (?permintaan=ID), if any."""
    return outreach.registrable(db.session, current_user, request.args.get("permintaan", type=int))


def _unlocked_business_form(business: Business | None) -> BusinessForm:
    kelurahan = registry.kelurahan_choices(db.session, current_user)
    if business is None and request.method == "GET" and (source := _outreach_request()) is not None:
        return BusinessForm(kelurahan=kelurahan, data=outreach.prefill(source))
    if business is None or request.method == "POST":
        return BusinessForm(kelurahan=kelurahan)
    owner = business.owner
    return BusinessForm(
        kelurahan=kelurahan,
        data={
            "owner_nik": owner.nik,
            "owner_name": owner.full_name,
            "owner_phone": owner.phone,
            "owner_address": owner.home_address,
            "owner_birth_date": owner.birth_date,
            "name": business.name,
            "legal_form": business.legal_form,
            "kelurahan_id": business.kelurahan_id,
            "address": business.address,
            "kbli_code": business.kbli_code,
            "kbli_other": " ".join(other.kbli_code for other in business.other_kbli),
            "activity": business.activity,
            "premises": business.premises,
            "capital_rupiah": business.capital_rupiah,
            "workers": business.workers,
            "npwp": business.npwp,
            "nib": business.nib,
            "status": business.status,
        },
    )


def _existing_owner(form: BusinessForm, business: Business | None) -> registry.OwnerMatch | None:
    """The person already registered with the typed NIK (masked when out of scope), if not this business's owner."""
    if "owner_nik" not in form:
        return None
    return registry.owner_match(
        db.session,
        current_user,
        form.owner_nik.data or "",
        exclude_person_id=business.owner_id if business is not None else None,
        ip_address=request.remote_addr,
    )


def _input(form: BusinessForm, existing) -> registry.BusinessInput:
    use_existing = existing is not None and form.use_existing_owner.data == str(existing.id)
    owner = {}
    if "owner_nik" in form:
        owner = {
            "nik": form.owner_nik.data,
            "full_name": form.owner_name.data.strip(),
            "phone": form.owner_phone.data,
            "home_address": form.owner_address.data.strip(),
            "birth_date": form.owner_birth_date.data,
        }
    return registry.BusinessInput(
        owner=owner,
        business={
            "name": " ".join(form.name.data.split()),
            "legal_form": form.legal_form.data,
            "address": form.address.data.strip(),
            "kelurahan_id": form.kelurahan_id.data,
            "kbli_code": form.kbli_code.data or None,
            "kbli_other": (form.kbli_other.data or "").split(),
            "activity": form.activity.data.strip(),
            "premises": form.premises.data,
            "capital_rupiah": form.capital_rupiah.data,
            "workers": form.workers.data,
            "npwp": form.npwp.data or None,
            "nib": form.nib.data or None,
            "status": form.status.data,
        },
        existing_owner_id=existing.id if use_existing else None,
    )


def _save_business(business: Business | None):
    form = _business_form(business)
    existing = _existing_owner(form, business) if request.method == "POST" else None
    template = "backoffice/business_form.html"
    if request.method == "POST":
        valid = form.validate()
        if valid and existing is not None and form.use_existing_owner.data != str(existing.id):
            form.owner_nik.errors = [
                *form.owner_nik.errors,
                _(
                    "NIK ini sudah terdaftar atas nama %(name)s. Pilih 'gunakan data pemilik ini'.",
                    name=existing.display_name,
                ),
            ]
            valid = False
        if valid:
            data = _input(form, existing)
            try:
                if business is None:
                    saved = registry.register_business(db.session, data, current_user, request.remote_addr)
                    if (source := _outreach_request()) is not None:
                        outreach.link_business(db.session, source, saved, current_user)
                    flash(_("Usaha %(name)s terdaftar.", name=saved.name), "success")
                else:
                    saved = registry.update_business(db.session, business, data, current_user, request.remote_addr)
                    flash(_("Perubahan disimpan."), "success")
            except registry.RegistryError as exc:
                target = getattr(form, exc.field, None) or (form.owner_nik if "owner_nik" in form else form.name)
                target.errors = [*target.errors, str(exc)]
            else:
                return redirect_to(url_for("backoffice.business_detail", business_id=saved.id))
        return render(
            template,
            block="business_form",
            http_status=422,
            form=form,
            business=business,
            existing=existing,
            locked_owner=_locked_owner_name(business),
            kbli_codes=registry.search_kbli(db.session, form.kbli_code.data or ""),
            outreach_request=_outreach_request() if business is None else None,
        )
    return render(
        template,
        form=form,
        business=business,
        existing=existing,
        locked_owner=_locked_owner_name(business),
        kbli_codes=registry.search_kbli(db.session, form.kbli_code.data or ""),
        outreach_request=_outreach_request() if business is None else None,
    )


@bp.route("/usaha/baru", methods=["GET", "POST"])
@allowed("business.manage")
def business_new():
    return _save_business(None)


@bp.route("/usaha/<int:business_id>/ubah", methods=["GET", "POST"])
@allowed("business.manage")
def business_edit(business_id: int):
    return _save_business(_business_or_404(business_id))


def _officer_key() -> str:
    return f"officer:{current_user.get_id()}"


@bp.post("/usaha/validasi/<field>")
@allowed("business.manage")
@limiter.limit(
    lambda: current_app.config["NIK_CHECK_LIMIT"],
    key_func=_officer_key,
    exempt_when=lambda: (request.view_args or {}).get("field") != "owner_nik",
)
def business_validate_field(field: str):
    """Check one field as the officer leaves it; answers that field's markup with its errors."""
    business_id = request.args.get("business_id", type=int)
    business = _business_or_404(business_id) if business_id else None
    form = _business_form(business)
    if field not in form or field in ("csrf_token", "use_existing_owner"):
        abort(404)
    form.validate()
    existing = _existing_owner(form, business) if field == "owner_nik" else None
    return render_template("backoffice/_field.html", form=form, f=form[field], business=business, existing=existing)


@bp.get("/kbli")
@allowed("business.manage")
def kbli_search():
    """KBLI codes matching what was typed: the combobox's options for htmx, a list page without JavaScript."""
    q = (request.args.get("kbli_code") or request.args.get("q") or "").strip()[:100]
    codes = registry.search_kbli(db.session, q)
    if is_htmx():
        return render("backoffice/_kbli_options.html", codes=codes)
    return render("backoffice/kbli_list.html", codes=codes, q=q)


@bp.get("/usaha/")
@allowed("business.manage")
def business_list():
    q = (request.args.get("q") or "").strip()[:100]
    kelurahan_id = request.args.get("kelurahan", type=int)
    status = request.args.get("status") if request.args.get("status") in ("operating", "closed") else None
    page = registry.business_page(
        db.session,
        current_user,
        q=q,
        kelurahan_id=kelurahan_id,
        status=status,
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
    )
    return _business_list_page(page, q=q, kelurahan_id=kelurahan_id, status=status)


@bp.post("/usaha/cari-nik")
@allowed("business.manage")
def business_nik_search():
    """Businesses of the owner with this NIK, within the officer's scope. POST, so the NIK stays out of
    URLs, browser history and access logs."""
    nik = ascii_digits(request.form.get("nik") or "") or ""
    if not re.fullmatch(r"[0-9]{16}", nik):
        return _business_list_page(Page([], 1, 1, 0), 422, nik_error=_("NIK harus 16 angka."))
    page = registry.business_page(db.session, current_user, nik=nik, per_page=current_app.config["PER_PAGE"])
    return _business_list_page(page, nik_searched=True)


def _business_list_page(page: Page, http_status: int = 200, **context):
    context.setdefault("q", "")
    return render(
        "backoffice/business_list.html",
        block="results",
        http_status=http_status,
        page=page,
        kelurahan=registry.kelurahan_choices(db.session, current_user),
        **context,
    )


@bp.get("/usaha/<int:business_id>")
@allowed("business.manage")
def business_detail(business_id: int):
    business = _business_or_404(business_id)
    return render(
        "backoffice/business_detail.html",
        business=business,
        permits=permits.permits_of(db.session, business),
        today=permits.local_today(current_app.config),
        actions_for=lambda permit, today: permits.actions_for(permit, today, current_app.config),
        size_class=oss.rules(current_app.config).size_class(business.capital_rupiah),
        revoke_form=RevokeForm(),
        delivery_state=lambda permit: delivery.state_of(db.session, permit),
    )


@bp.get("/usaha/<int:business_id>/pratinjau.pdf")
@allowed("business.manage")
def permit_preview(business_id: int):
    business = _business_or_404(business_id)
    try:
        pdf = permits.preview_certificate(
            db.session, business, config=current_app.config, municipality=current_app.extensions["municipality"]
        )
    except permits.PermitError as exc:
        flash(str(exc), "error")
        return redirect_to(url_for("backoffice.business_detail", business_id=business.id))
    return pdf_inline(pdf, "pratinjau-izin.pdf")


def _permit_act(business_id: int, act, success):
    """Run one permit action: flash its refusal, or `success(result)`; then back to the business's page."""
    try:
        result = act()
    except permits.PermitError as exc:
        flash(str(exc), "error")
    else:
        flash(success(result), "success")
    return redirect_to(url_for("backoffice.business_detail", business_id=business_id))


def _issuing() -> dict:
    """What issuing a certificate needs from the app and the request (issue, reissue, renew)."""
    return {
        "config": current_app.config,
        "municipality": current_app.extensions["municipality"],
        "instance_path": current_app.instance_path,
        "ip_address": request.remote_addr,
        "signing_passphrase": request.form.get("signing_passphrase") or None,
    }


@bp.post("/usaha/<int:business_id>/izin")
@allowed("business.manage")
def permit_issue(business_id: int):
    business = _business_or_404(business_id)
    return _permit_act(
        business.id,
        lambda: permits.issue_permit(db.session, business, current_user, **_issuing()),
        lambda permit: _("Izin %(number)s diterbitkan.", number=permit.number),
    )


@bp.get("/izin/<int:permit_id>/unduh")
@allowed("business.manage")
def permit_download(permit_id: int):
    permit = _permit_or_404(permit_id)
    try:
        pdf = permits.permit_pdf(permit, current_app.config)
    except DocumentError:
        current_app.logger.error("stored certificate of permit %s is missing or damaged", permit.id)
        abort(500)
    permits.record_download(db.session, current_user, permit, ip_address=request.remote_addr)
    return pdf_attachment(pdf, "izin-" + permit.number.replace("/", "-") + ".pdf")


@confirmation("permit_revoke")
def _revoke_confirmation(permit) -> Confirmation:
    return Confirmation(
        title=_("Cabut izin %(number)s?", number=permit.number),
        consequence=_(
            "Izin langsung tidak berlaku: verifikasi sertifikat menyatakannya dicabut, dengan alasan yang Anda "
            "tulis. Pencabutan tidak dapat dibatalkan; usaha memerlukan izin baru."
        ),
        confirm_label=_("Ya, cabut izin"),
        cancel_url=url_for("backoffice.business_detail", business_id=permit.business_id),
    )


@confirmation("permit_reissue")
def _reissue_confirmation(permit) -> Confirmation:
    return Confirmation(
        title=_("Terbitkan ulang izin %(number)s?", number=permit.number),
        consequence=_(
            "Sertifikat baru dengan nomor baru diterbitkan dari data usaha sekarang; sertifikat %(number)s "
            "tidak berlaku lagi dan verifikasinya menyatakan digantikan.",
            number=permit.number,
        ),
        confirm_label=_("Ya, terbitkan ulang"),
        cancel_url=url_for("backoffice.business_detail", business_id=permit.business_id),
        danger=False,
    )


@bp.post("/izin/<int:permit_id>/cabut")
@allowed("business.manage")
def permit_revoke(permit_id: int):
    permit = _permit_or_404(permit_id)
    form = RevokeForm()
    if not form.validate():
        errors = [str(e) for field in (form.reason_code, form.note) for e in field.errors]
        flash(" ".join(errors) or _("Pilih alasan pencabutan dari daftar."), "error")
    elif (page := ask_confirmation("permit_revoke", permit)) is not None:
        return page
    else:
        return _permit_act(
            permit.business_id,
            lambda: permits.revoke_permit(
                db.session,
                permit,
                current_user,
                form.reason_code.data,
                note=form.note.data,
                config=current_app.config,
                ip_address=request.remote_addr,
            ),
            lambda revoked: _("Izin %(number)s dicabut.", number=revoked.number),
        )
    return redirect_to(url_for("backoffice.business_detail", business_id=permit.business_id))


@bp.post("/izin/<int:permit_id>/terbit-ulang")
@allowed("business.manage")
def permit_reissue(permit_id: int):
    permit = _permit_or_404(permit_id)
    page = ask_confirmation("permit_reissue", permit)
    if page is not None:
        return page
    return _permit_act(
        permit.business_id,
        lambda: permits.reissue_permit(db.session, permit, current_user, **_issuing()),
        lambda new: _("Izin %(old)s digantikan oleh %(new)s.", old=permit.number, new=new.number),
    )


@bp.post("/izin/<int:permit_id>/perpanjang")
@allowed("business.manage")
def permit_renew(permit_id: int):
    permit = _permit_or_404(permit_id)
    return _permit_act(
        permit.business_id,
        lambda: permits.renew_permit(db.session, permit, current_user, **_issuing()),
        lambda new: _("Izin %(old)s diperpanjang dengan izin %(new)s.", old=permit.number, new=new.number),
    )


@bp.route("/izin/cetak", methods=["GET", "POST"])
@allowed("business.manage")
def batch_print():
    """Choose the permits of a delivery run; the PDF is built in the background."""
    kelurahan = registry.kelurahan_choices(db.session, current_user)
    if request.method == "POST":
        form = BatchForm()
    else:  # "Tampilkan izin" sends the chosen date and kelurahan in the query; today until one is chosen
        form = BatchForm(formdata=request.args or None, data={"issued_on": permits.local_today(current_app.config)})
    form.kelurahan_id.choices = [SelectChoice(0, _("Semua kelurahan"))] + [
        SelectChoice(r.id, r.name) for r in kelurahan
    ]
    chosen: list[Permit] = []
    if form.issued_on.data:
        allowed = {r.id for r in kelurahan}
        kelurahan_id = form.kelurahan_id.data if form.kelurahan_id.data in allowed else None
        chosen = batch.select_permits(
            db.session,
            registry.kecamatan_scope(current_user),
            issued_on=form.issued_on.data,
            kelurahan_id=kelurahan_id,
            include_all=form.include_all.data,
        )
    if request.method == "POST" and form.validate():
        if not chosen:
            flash(_("Tidak ada izin yang cocok untuk dicetak."), "error")
        else:
            job = batch.start(db.session, current_user, chosen, ip_address=request.remote_addr)
            return redirect_to(url_for("backoffice.batch_status", job_id=job.id))
    status = 422 if request.method == "POST" else 200
    return render(
        "backoffice/batch_form.html",
        form=form,
        chosen=chosen,
        jobs=batch.recent(db.session, current_user),
        http_status=status,
    )


def _batch_or_404(job_id: str):
    job = batch.get(db.session, job_id, current_user)
    if job is None:
        abort(404)
    return job


@bp.get("/izin/cetak/<job_id>")
@allowed("business.manage")
def batch_status(job_id: str):
    return render("backoffice/batch_status.html", block="progress", job=_batch_or_404(job_id))


@bp.post("/izin/cetak/<job_id>/ulang")
@allowed("business.manage")
def batch_retry(job_id: str):
    job = _batch_or_404(job_id)
    try:
        batch.retry(db.session, job)
    except batch.BatchError:
        flash(_("Pekerjaan ini tidak dapat diulang karena belum gagal."), "error")
    else:
        flash(_("Pekerjaan cetak diantrekan lagi."), "success")
    return redirect_to(url_for("backoffice.batch_status", job_id=job.id))


@bp.get("/izin/cetak/<job_id>/unduh")
@allowed("business.manage")
def batch_download(job_id: str):
    job = _batch_or_404(job_id)
    path = batch.file_path(current_app.config, job)
    if job.state != "done" or path is None or not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"cetak-izin-{clock.today().isoformat()}.pdf",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/izin/")
@allowed("business.manage")
def permit_list():
    q = (request.args.get("q") or "").strip()[:100]
    page = permits.permit_page(
        db.session,
        current_user,
        q=q,
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
    )
    return render(
        "backoffice/permit_list.html", block="results", page=page, q=q, today=permits.local_today(current_app.config)
    )


@bp.get("/audit")
@allowed("audit.view")
def audit_log():
    """The audit log, filterable by action, kind of record, user and date."""
    filters = _audit_filter()
    page = audit.event_page(db.session, filters, page=page_number())
    actions = audit.recorded_actions(db.session)
    types = audit.recorded_object_types(db.session)
    return render(
        "backoffice/audit_log.html", block="results", page=page, filters=filters, actions=actions, types=types
    )


@bp.get("/audit.csv")
@allowed("audit.view")
def audit_export():
    """The filtered audit log as CSV (newest first, at most audit.EXPORT_LIMIT rows), with each entry's hash."""
    body = spreadsheets.csv_text(audit.EXPORT_HEADER, audit.export_rows(db.session, _audit_filter()))
    response = current_app.response_class(body, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="log-audit-{clock.today()}.csv"'
    return response


def _audit_filter() -> audit.EventFilter:
    return audit.EventFilter(
        action=(request.args.get("action") or "").strip()[:40],
        object_type=(request.args.get("object_type") or "").strip()[:40],
        actor=(request.args.get("actor") or "").strip()[:80],
        request_id=(request.args.get("request_id") or "").strip()[:64],
        since=_date_arg("since"),
        until=_date_arg("until"),
        tz_name=current_app.config["TIMEZONE"],
    )


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None
