"""Back office for cooperatives: register, edit (rows added in place), RAT reports, invitations, dashboard."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

from flask import Response, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.confirmation import Confirmation, confirmation
from blueprints.confirmation import ask as ask_confirmation
from blueprints.cooperatives_admin import bp
from blueprints.cooperatives_admin.forms import (
    ROW_FORMS,
    CooperativeForm,
    InvitationForm,
    MinutesForm,
    RatForm,
    RejectRatForm,
)
from blueprints.documents import deed_download, minutes_download, pdf_inline
from blueprints.links import absolute_url, email_link
from blueprints.pagination import page_number
from blueprints.permissions import allowed
from blueprints.rendering import redirect_to, render
from extensions import db
from models.cooperative import RAT_PENDING, RatReport
from models.region import Region
from services import clock, mail, regions, spreadsheets
from services import cooperatives as coops
from services import deeds as deed_service
from services.deeds import deeds_of
from services.invitations import (
    create_invitation,
    invitation_lifetime_hours,
    invitation_link_token,
    invitation_of,
    mark_invitation_emailed,
    open_invitations,
    revoke_invitation,
)
from services.labels import ACTIVITY_STATUS_LABELS, COOPERATIVE_KIND_LABELS
from services.registry import kecamatan_scope
from services.users import UserError, cooperative_accounts

DASHBOARD_OVERDUE_ROWS = 100  # the rest is in the CSV and the filtered list


def _today() -> date:
    return clock.today()


def _cooperative_or_404(cooperative_id: int):
    cooperative = coops.cooperative_for_officer(db.session, current_user, cooperative_id)
    if cooperative is None:
        abort(404)
    return cooperative


def _kelurahan_groups() -> list[tuple[str, list[Region]]]:
    """Kelurahan the user may choose, grouped by kecamatan."""
    return regions.kelurahan_groups(db.session, kecamatan_scope(current_user))


def _kecamatan_choices() -> list[Region]:
    return regions.kecamatan_list(db.session, kecamatan_scope(current_user))


# --- List and dashboard ---------------------------------------------------------------------------


@bp.get("/")
@allowed("cooperative.manage")
def index():
    kecamatan_id = request.args.get("kecamatan", type=int)
    status = request.args.get("status") or None
    q = (request.args.get("q") or "").strip()[:100]
    page = coops.search_cooperatives(
        db.session,
        current_user,
        _today(),
        q=q,
        status=status,
        kecamatan_id=kecamatan_id,
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
    )
    return render(
        "cooperatives_admin/index.html",
        block="results",
        page=page,
        q=q,
        status=status,
        kecamatan_id=kecamatan_id,
        kecamatan_list=_kecamatan_choices(),
    )


@bp.get("/dasbor")
@allowed("cooperative.manage")
def dashboard():
    today = _today()
    counts = coops.status_counts_by_kecamatan(db.session, current_user, today)
    totals = coops.status_totals(db.session, current_user, today)
    return render(
        "cooperatives_admin/dashboard.html",
        counts=counts,
        totals=totals,
        overdue=coops.overdue_cooperatives(db.session, current_user, today, limit=DASHBOARD_OVERDUE_ROWS),
        overdue_rows=DASHBOARD_OVERDUE_ROWS,
        last_closed_year=coops.last_closed_financial_year(today),
        rules=coops.status_rules(),
        pending_rat=coops.pending_rat_count(db.session, current_user),
    )


def _overdue_table() -> tuple[list[str], list[list]]:
    """The overdue list for download: public facts only, never founders' data."""
    header = [_("ID"), _("Nama koperasi"), _("Jenis"), _("Kelurahan"), _("Kecamatan"), _("Status"), _("RAT terakhir")]
    rows = []
    for row in coops.overdue_cooperatives(db.session, current_user, _today()):
        cooperative = row.Cooperative
        rows.append(
            [
                cooperative.id,
                cooperative.name,
                str(COOPERATIVE_KIND_LABELS.get(cooperative.kind, cooperative.kind)),
                cooperative.kelurahan.name,
                cooperative.kelurahan.parent.name if cooperative.kelurahan.parent else "",
                str(ACTIVITY_STATUS_LABELS[row.activity_status]),
                row.last_rat_year or "",
            ]
        )
    return [str(cell) for cell in header], rows


def _download(body, mimetype: str, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    filename = f"koperasi-terlambat-rat-{_today()}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/dasbor.csv")
@allowed("cooperative.manage")
def dashboard_csv():
    return _download(spreadsheets.csv_text(*_overdue_table()), "text/csv; charset=utf-8", "csv")


@bp.get("/dasbor.xlsx")
@allowed("cooperative.manage")
def dashboard_xlsx():
    header, rows = _overdue_table()
    return _download(
        spreadsheets.xlsx_bytes(header, rows, title=_("Terlambat RAT")), spreadsheets.XLSX_MIMETYPE, "xlsx"
    )


# --- Register and edit ----------------------------------------------------------------------------


def _form_data(cooperative) -> dict:
    data = {name: getattr(cooperative, name) for name in coops.SCALAR_FIELDS}
    data["kampungs"] = "\n".join(k.name for k in cooperative.kampungs)
    data["founders"] = [
        {
            "full_name": f.full_name,
            "nik": f.nik,
            "birth_place": f.birth_place,
            "birth_date": f.birth_date,
            "address": f.address,
        }
        for f in cooperative.founders
    ]
    data["board"] = [{"full_name": o.full_name, "title": o.title} for o in cooperative.board]
    data["supervisors"] = [{"full_name": o.full_name, "title": o.title} for o in cooperative.supervisors]
    data["members"] = [
        {"name": m.name, "legal_entity_number": m.legal_entity_number} for m in cooperative.member_cooperatives
    ]
    return data


def _is_blank(entry) -> bool:
    return all(field.data in (None, "") for field in entry.form)


def _drop_blank_rows(form: CooperativeForm) -> None:
    """Rows left empty are not meant: drop them before checking, as a person would expect."""
    for kind in ROW_FORMS:
        rows = getattr(form, kind)
        rows.entries = [entry for entry in rows.entries if not _is_blank(entry)]


def _to_input(form: CooperativeForm) -> coops.CooperativeInput:
    kelurahan = (form.kelurahan_id.data or "").strip()
    return coops.CooperativeInput(
        name=form.name.data or "",
        kind=form.kind.data,
        level=form.level.data,
        seat_address=form.seat_address.data or "",
        kelurahan_id=int(kelurahan) if kelurahan.isdigit() else 0,
        kampung_names=[line for line in (form.kampungs.data or "").replace(",", "\n").splitlines() if line.strip()],
        founding_date=form.founding_date.data,
        deed_number=form.deed_number.data,
        deed_date=form.deed_date.data,
        notary_name=form.notary_name.data,
        notary_npak_decree=form.notary_npak_decree.data,
        legal_entity_number=form.legal_entity_number.data,
        legal_entity_date=form.legal_entity_date.data,
        nib=form.nib.data,
        nomor_induk_koperasi=form.nomor_induk_koperasi.data,
        purpose=form.purpose.data,
        business_fields=form.business_fields.data,
        duration=form.duration.data,
        simpanan_pokok_rupiah=form.simpanan_pokok_rupiah.data,
        simpanan_wajib_rupiah=form.simpanan_wajib_rupiah.data,
        member_count=form.member_count.data,
        founders=[coops.FounderInput(**entry.data) for entry in form.founders],
        board=[coops.OfficialInput(**entry.data) for entry in form.board],
        supervisors=[coops.OfficialInput(**entry.data) for entry in form.supervisors],
        members=[coops.MemberInput(**entry.data) for entry in form.members],
    )


def _apply_rule_errors(form: CooperativeForm, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Put the service's messages on the fields they concern; return those about a whole section."""
    sections: dict[str, list[str]] = {}
    for key, messages in errors.items():
        kind, _sep, rest = key.partition("-")
        if kind in ROW_FORMS and rest:
            index, _sep, name = rest.partition("-")
            getattr(form, kind).entries[int(index)].form[name].errors.extend(messages)
        elif kind in ROW_FORMS:
            sections[kind] = messages
        elif key in form:
            form[key].errors = [*form[key].errors, *messages]
        else:
            sections[key] = messages
    return sections


def _error_items(form: CooperativeForm, sections: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(anchor, label, message) for the error summary at the top of the form."""
    items = []
    for field in form:
        if field.name == "csrf_token":
            continue
        if field.name in ROW_FORMS:
            for message in sections.get(field.name, []):
                items.append((f"section-{field.name}", str(field.label.text), message))
            for position, entry in enumerate(field.entries, start=1):
                for sub in entry.form:
                    for message in sub.errors:
                        label = f"{field.label.text} {position}, {sub.label.text}"
                        items.append((sub.id, label, message))
        else:
            for message in field.errors:
                items.append((field.id, str(field.label.text), message))
    for key, messages in sections.items():
        if key not in ROW_FORMS:
            items.extend((key, key, message) for message in messages)
    return items


def _edit(cooperative=None):
    if request.method == "POST":
        form = CooperativeForm()
    elif cooperative is not None:
        form = CooperativeForm(data=_form_data(cooperative))
    else:
        form = CooperativeForm()
    sections: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action_add = request.form.get("add_row")
        action_remove = request.form.get("remove_row")
        if action_add in ROW_FORMS:
            getattr(form, action_add).append_entry()
        elif action_remove:
            kind = action_remove.partition("-")[0]
            if kind in ROW_FORMS:
                rows = getattr(form, kind)
                rows.entries = [entry for entry in rows.entries if entry.name != action_remove]
        else:
            _drop_blank_rows(form)
            if form.validate():
                try:
                    saved = coops.save_cooperative(
                        db.session, current_user, _to_input(form), cooperative, ip_address=request.remote_addr
                    )
                except coops.CooperativeRuleError as exc:
                    sections = _apply_rule_errors(form, exc.errors)
                else:
                    flash(_("Data koperasi %(name)s disimpan.", name=saved.name), "success")
                    return redirect_to(url_for(".detail", cooperative_id=saved.id))
            status = 422
            for kind in ROW_FORMS:
                if kind != "members" and not getattr(form, kind).entries:
                    getattr(form, kind).append_entry()
    return render(
        "cooperatives_admin/edit.html",
        block="cooperative_form",
        http_status=status,
        form=form,
        cooperative=cooperative,
        sections=sections,
        error_items=_error_items(form, sections) if status == 422 else [],
        kelurahan_groups=_kelurahan_groups(),
    )


@bp.route("/baru", methods=["GET", "POST"])
@allowed("cooperative.manage")
def create():
    return _edit()


@bp.route("/<int:cooperative_id>/ubah", methods=["GET", "POST"])
@allowed("cooperative.manage")
def edit(cooperative_id: int):
    return _edit(_cooperative_or_404(cooperative_id))


@bp.post("/baris/<kind>")
@allowed("cooperative.manage")
def add_row(kind: str):
    """htmx: one more empty row of founders, board, supervisors or member cooperatives.

    Numbered after the highest row the browser holds (rows removed in place leave gaps that WTForms
    closes up on the next full render), so a new row never takes the name of an existing one.
    """
    if kind not in ROW_FORMS:
        abort(404)
    prefix = f"{kind}-"
    numbers = [int(key.split("-")[1]) for key in request.form if re.match(rf"^{kind}-\d+-", key)]
    number = max(numbers, default=-1) + 1
    entry = SimpleNamespace(name=f"{prefix}{number}", form=ROW_FORMS[kind](prefix=f"{prefix}{number}-"))
    return render("cooperatives_admin/_row.html", kind=kind, entry=entry)


@bp.post("/baris/hapus")
@allowed("cooperative.manage")
def remove_row():
    """htmx: the row is removed in the browser; nothing is saved until the form is."""
    return render("cooperatives_admin/_empty.html")


# --- One cooperative ------------------------------------------------------------------------------


def _detail_page(
    cooperative, rat_form=None, invitation_form=None, status=200, invitation_link=None, invitation_hours=None
):
    return render(
        "cooperatives_admin/detail.html",
        http_status=status,
        cooperative=cooperative,
        activity=coops.activity_status(cooperative, _today()),
        rat_form=rat_form or RatForm(formdata=None),
        invitation_form=invitation_form or InvitationForm(formdata=None),
        invitation_link=invitation_link,
        invitation_hours=invitation_hours,
        open_invitations=open_invitations(db.session, cooperative),
        deeds=deeds_of(db.session, cooperative),
        deed_up_to_date=deed_service.is_up_to_date(cooperative),
        accounts=cooperative_accounts(db.session, cooperative.id),
    )


@bp.get("/<int:cooperative_id>")
@allowed("cooperative.manage")
def detail(cooperative_id: int):
    return _detail_page(_cooperative_or_404(cooperative_id))


def rat_input(form: RatForm) -> coops.RatInput:
    return coops.RatInput(
        financial_year=form.financial_year.data,
        meeting_date=form.meeting_date.data,
        members_present=form.members_present.data,
        shu_rupiah=form.shu_rupiah.data,
        total_assets_rupiah=form.total_assets_rupiah.data,
    )


def attach_minutes_from_form(report, report_page):
    """The minutes upload of a RAT report, for officers and the cooperative alike: attached and back to the
    report page, or that page again (422) with the upload's errors."""
    form = MinutesForm()
    if form.validate():
        try:
            coops.attach_minutes(
                db.session, current_user, report, minutes_upload(form, required=True), ip_address=request.remote_addr
            )
        except coops.RatError as exc:
            apply_errors(form, exc.errors)
        else:
            flash(_("Notulen RAT dilampirkan."), "success")
            return redirect_to(url_for(".rat_report", report_id=report.id))
    return report_page(report, minutes_form=form, status=422)


def minutes_upload(form, required: bool = False) -> coops.MinutesUpload | None:
    """The uploaded minutes of a RAT form, or None when no file was chosen (and none is required)."""
    upload = form.minutes.data
    if upload is None or not getattr(upload, "filename", ""):
        return coops.MinutesUpload(b"") if required else None
    limit = coops.minutes_max_bytes()
    # Read one byte past the limit: enough to refuse a file that is too large without holding all of it.
    return coops.MinutesUpload(upload.stream.read(limit + 1), upload.filename)


def apply_errors(form, errors: dict[str, list[str]]) -> None:
    for key, messages in errors.items():
        if key in form:
            form[key].errors = [*form[key].errors, *messages]
        else:
            form.form_errors.extend(messages)


@bp.post("/<int:cooperative_id>/rat")
@allowed("cooperative.manage")
def record_rat(cooperative_id: int):
    cooperative = _cooperative_or_404(cooperative_id)
    form = RatForm()
    if form.validate():
        try:
            coops.record_rat_report(
                db.session,
                current_user,
                cooperative,
                rat_input(form),
                _today(),
                ip_address=request.remote_addr,
                minutes=minutes_upload(form),
            )
        except coops.RatError as exc:
            apply_errors(form, exc.errors)
        else:
            flash(_("RAT tahun buku %(year)d dicatat.", year=form.financial_year.data), "success")
            return redirect_to(url_for(".detail", cooperative_id=cooperative.id) + "#rat")
    return _detail_page(cooperative, rat_form=form, status=422)


def _report_or_404(report_id: int) -> RatReport:
    report = coops.rat_report_for_user(db.session, current_user, report_id)
    if report is None:
        abort(404)
    return report


def _pending_report_or_404(report_id: int) -> RatReport:
    report = _report_or_404(report_id)
    if report.status != RAT_PENDING:
        abort(404)
    return report


@bp.get("/rat/menunggu")
@allowed("cooperative.manage")
def rat_queue():
    """Reports submitted by cooperatives that wait for an officer, oldest first, in the officer's scope."""
    return render("cooperatives_admin/rat_queue.html", reports=coops.pending_rat_reports(db.session, current_user))


@bp.get("/rat/<int:report_id>")
@allowed("cooperative.manage")
def rat_report(report_id: int):
    report = _report_or_404(report_id)
    return _rat_report_page(report)


def _rat_report_page(report, reject_form=None, minutes_form=None, status=200):
    return render(
        "cooperatives_admin/rat_report.html",
        http_status=status,
        report=report,
        cooperative=report.cooperative,
        reject_form=reject_form or RejectRatForm(formdata=None),
        minutes_upload_form=minutes_form or MinutesForm(formdata=None),
        back=_safe_back(),
    )


def _safe_back() -> str:
    """Where "back" leads: the queue when the officer came from it, else the cooperative's page."""
    return "queue" if request.values.get("dari") == "antrean" else "cooperative"


@bp.post("/rat/<int:report_id>/konfirmasi")
@allowed("cooperative.manage")
def confirm_rat(report_id: int):
    report = _pending_report_or_404(report_id)
    coops.confirm_rat_report(db.session, current_user, report, ip_address=request.remote_addr)
    flash(
        _("RAT tahun buku %(year)d %(name)s dikonfirmasi.", year=report.financial_year, name=report.cooperative.name),
        "success",
    )
    if _safe_back() == "queue":
        return redirect_to(url_for(".rat_queue"))
    return redirect_to(url_for(".detail", cooperative_id=report.cooperative_id) + "#rat")


@confirmation("rat_reject")
def _reject_confirmation(report: RatReport) -> Confirmation:
    return Confirmation(
        title=_(
            "Tolak laporan RAT tahun buku %(year)d %(name)s?", year=report.financial_year, name=report.cooperative.name
        ),
        consequence=_(
            "Laporan tidak dihitung untuk status keaktifan. Koperasi melihat laporan ini sebagai ditolak, "
            "beserta alasan Anda, dan dapat mengirim laporan yang diperbaiki."
        ),
        confirm_label=_("Ya, tolak laporan"),
        cancel_url=url_for(".rat_report", report_id=report.id),
    )


@bp.post("/rat/<int:report_id>/tolak")
@allowed("cooperative.manage")
def reject_rat(report_id: int):
    """Reject with a reason: the reason is checked first, then confirmed (dialog, or a page without JavaScript)."""
    report = _pending_report_or_404(report_id)
    form = RejectRatForm()
    if not form.validate():
        return _rat_report_page(report, reject_form=form, status=422)
    page = ask_confirmation("rat_reject", report)
    if page is not None:
        return page
    try:
        coops.reject_rat_report(db.session, current_user, report, form.reason.data, ip_address=request.remote_addr)
    except coops.RatError as exc:
        apply_errors(form, exc.errors)
        return _rat_report_page(report, reject_form=form, status=422)
    flash(
        _(
            "Laporan RAT tahun buku %(year)d %(name)s ditolak; koperasi melihat alasannya dan dapat mengirim ulang.",
            year=report.financial_year,
            name=report.cooperative.name,
        ),
        "info",
    )
    if _safe_back() == "queue":
        return redirect_to(url_for(".rat_queue"))
    return redirect_to(url_for(".detail", cooperative_id=report.cooperative_id) + "#rat")


@bp.post("/rat/<int:report_id>/notulen")
@allowed("cooperative.manage")
def rat_minutes_upload(report_id: int):
    return attach_minutes_from_form(_report_or_404(report_id), _rat_report_page)


@bp.get("/rat/<int:report_id>/notulen.pdf")
@allowed("cooperative.manage")
def rat_minutes(report_id: int):
    return minutes_download(_report_or_404(report_id))


@bp.post("/<int:cooperative_id>/undangan")
@allowed("cooperative.manage")
def invite(cooperative_id: int):
    """Create a portal invitation: e-mailed when SMTP is set up and an address is given, else shown on the page."""
    cooperative = _cooperative_or_404(cooperative_id)
    form = InvitationForm()
    if not form.validate():
        return _detail_page(cooperative, invitation_form=form, status=422)
    invitation, token = create_invitation(
        db.session, current_user, cooperative, form.contact_name.data, form.email.data, ip_address=request.remote_addr
    )
    link = absolute_url("portal.accept_invitation", token=token)
    subject, body = mail.invitation_message(
        current_app.config["SITE_NAME"], invitation.contact_name, cooperative.name, link, invitation_lifetime_hours()
    )
    if email_link(invitation.email, invitation.contact_name, subject, body):
        mark_invitation_emailed(db.session, invitation)
        flash(_("Undangan dikirim ke %(email)s.", email=invitation.email), "success")
        return redirect_to(url_for(".detail", cooperative_id=cooperative.id))
    response = _detail_page(cooperative, invitation_link=link, invitation_hours=invitation_lifetime_hours())
    response.headers["Cache-Control"] = "no-store"
    return response


def _invitation_or_404(cooperative, invitation_id: int):
    invitation = invitation_of(db.session, cooperative, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


@bp.post("/<int:cooperative_id>/undangan/<int:invitation_id>/tampilkan")
@allowed("cooperative.manage")
def show_invitation(cooperative_id: int, invitation_id: int):
    """Show an unused invitation link again (audited)."""
    cooperative = _cooperative_or_404(cooperative_id)
    invitation = _invitation_or_404(cooperative, invitation_id)
    try:
        token = invitation_link_token(db.session, current_user, invitation, ip_address=request.remote_addr)
    except UserError as exc:
        flash(str(exc), "error")
        return redirect_to(url_for(".detail", cooperative_id=cooperative.id))
    link = absolute_url("portal.accept_invitation", token=token)
    response = _detail_page(cooperative, invitation_link=link, invitation_hours=invitation_lifetime_hours())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:cooperative_id>/undangan/<int:invitation_id>/cabut")
@allowed("cooperative.manage")
def revoke_invitation_link(cooperative_id: int, invitation_id: int):
    cooperative = _cooperative_or_404(cooperative_id)
    invitation = _invitation_or_404(cooperative, invitation_id)
    revoke_invitation(db.session, current_user, invitation, ip_address=request.remote_addr)
    flash(_("Undangan dicabut; tautannya tidak dapat dipakai lagi."), "info")
    return redirect_to(url_for(".detail", cooperative_id=cooperative.id))


# --- Founding deed: preview, issue, download ------------------------------------------------------


@bp.get("/<int:cooperative_id>/akta/pratinjau.pdf")
@allowed("cooperative.manage")
def deed_preview(cooperative_id: int):
    """The deed the record would give, unsigned and watermarked; nothing is numbered or stored."""
    return pdf_inline(deed_service.preview_deed(_cooperative_or_404(cooperative_id)), "pratinjau-akta.pdf")


@bp.post("/<int:cooperative_id>/akta")
@allowed("cooperative.manage")
def deed_issue(cooperative_id: int):
    cooperative = _cooperative_or_404(cooperative_id)
    try:
        deed = deed_service.issue_deed(
            db.session,
            cooperative,
            current_user,
            config=current_app.config,
            instance_path=current_app.instance_path,
            ip_address=request.remote_addr,
            correction_note=request.form.get("correction_note"),
        )
    except deed_service.DeedError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _("Salinan register versi %(version)d diterbitkan: %(number)s.", version=deed.version, number=deed.number),
            "success",
        )
    return redirect_to(url_for(".detail", cooperative_id=cooperative_id) + "#akta")


@bp.get("/akta/<int:deed_id>/unduh")
@allowed("cooperative.manage")
def deed_file(deed_id: int):
    """Any version of a deed in the officer's scope (another kecamatan's: 404)."""
    return deed_download(deed_id)
