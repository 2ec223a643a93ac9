"""Back office of "jemput bola": the requests queue per kecamatan, visits, and registering the business."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.documents import pdf_inline
from blueprints.outreach import admin
from blueprints.outreach.forms import DeliveryForm, OutcomeForm, PlanForm, RunForm
from blueprints.permissions import allowed
from blueprints.rendering import redirect_to, render
from extensions import db
from models.outreach import OutreachRequest
from models.user import OFFICER
from services import clock, delivery, outreach, permits
from services.reasons import DELIVERY_FAILURE_REASONS, NOT_ELIGIBLE_REASONS, label


def _request_or_404(request_id: int) -> OutreachRequest:
    found = outreach.get_request(db.session, current_user, request_id)
    if found is None:
        abort(404)
    return found


def _plan_form(found: OutreachRequest) -> PlanForm:
    form = PlanForm()
    form.officer_id.choices = [(u.id, u.full_name) for u in outreach.officer_choices(db.session, found)]
    if request.method == "GET":
        form.visit_on.data = found.visit_on or clock.today()
        form.officer_id.data = found.visit_officer_id or current_user.id
    return form


def _outcome_form(found: OutreachRequest) -> OutcomeForm:
    form = OutcomeForm()
    if request.method == "GET":
        form.visited_on.data = found.visit_on if found.visit_on and found.visit_on <= clock.today() else clock.today()
    return form


def _detail(found: OutreachRequest, plan_form=None, outcome_form=None, http_status=200):
    return render(
        "outreach/admin_detail.html",
        http_status=http_status,
        item=found,
        plan_form=plan_form or _plan_form(found),
        outcome_form=outcome_form or _outcome_form(found),
        reason_label=label(NOT_ELIGIBLE_REASONS, found.outcome_reason),
        permit=permits.current_permit(db.session, found.business_id),
    )


@admin.get("/jemput-bola/")
@allowed("outreach.manage")
def queue():
    state = request.args.get("status", "baru")
    if state not in outreach.QUEUE_STATES:
        state = "baru"
    return render("outreach/admin_queue.html", items=outreach.queue(db.session, current_user, state), state=state)


@admin.get("/jemput-bola/<int:request_id>")
@allowed("outreach.manage")
def detail(request_id: int):
    return _detail(_request_or_404(request_id))


@admin.post("/jemput-bola/<int:request_id>/jadwal")
@allowed("outreach.manage")
def plan(request_id: int):
    found = _request_or_404(request_id)
    form = _plan_form(found)
    if form.validate():
        try:
            outreach.plan_visit(
                db.session, found, form.visit_on.data, form.officer_id.data, current_user, request.remote_addr
            )
        except outreach.OutreachError as exc:
            form.visit_on.errors = [*form.visit_on.errors, str(exc)]
        else:
            flash(_("Kunjungan dijadwalkan."), "success")
            return redirect_to(url_for("outreach_admin.detail", request_id=found.id))
    return _detail(found, plan_form=form, http_status=422)


@admin.post("/jemput-bola/<int:request_id>/hasil")
@allowed("outreach.manage")
def outcome(request_id: int):
    found = _request_or_404(request_id)
    form = _outcome_form(found)
    if form.validate():
        try:
            outreach.record_outcome(
                db.session,
                found,
                form.outcome.data,
                form.visited_on.data,
                form.reason.data or None,
                current_user,
                request.remote_addr,
            )
        except outreach.OutreachError as exc:
            form.outcome.errors = [*form.outcome.errors, str(exc)]
        else:
            flash(_("Hasil kunjungan dicatat."), "success")
            return redirect_to(url_for("outreach_admin.detail", request_id=found.id))
    return _detail(found, outcome_form=form, http_status=422)


# AJIB delivery runs --------------------------------------------------------------------------------


def _run_form() -> RunForm:
    form = RunForm()
    form.kecamatan_id.choices = [(k.id, k.name) for k in delivery.kecamatan_choices(db.session, current_user)]
    scope = current_user.kecamatan_id if current_user.role == OFFICER else None
    form.courier_user_id.choices = [(0, "—")] + [
        (u.id, u.full_name) for u in delivery.courier_choices(db.session, scope)
    ]
    if request.method == "GET":
        form.run_on.data = clock.today()
    return form


def _runs_page(form: RunForm, http_status: int = 200):
    return render(
        "outreach/runs.html",
        http_status=http_status,
        form=form,
        runs=delivery.runs(db.session, current_user),
        waiting=delivery.awaiting_counts(db.session, current_user),
    )


@admin.get("/antar/")
@allowed("outreach.manage")
def runs():
    return _runs_page(_run_form())


@admin.post("/antar/")
@allowed("outreach.manage")
def run_new():
    form = _run_form()
    if form.validate():
        try:
            run = delivery.create_run(
                db.session,
                current_user,
                kecamatan_id=form.kecamatan_id.data,
                run_on=form.run_on.data,
                courier_user_id=form.courier_user_id.data or None,
                courier_name=form.courier_name.data,
                ip_address=request.remote_addr,
            )
        except delivery.DeliveryError as exc:
            form.kecamatan_id.errors = [*form.kecamatan_id.errors, str(exc)]
        else:
            flash(_("Rombongan antar %(id)s dibuat.", id=run.id), "success")
            return redirect_to(url_for("outreach_admin.run_detail", run_id=run.id))
    return _runs_page(form, 422)


def _run_or_404(run_id: int):
    run = delivery.get_run(db.session, current_user, run_id)
    if run is None:
        abort(404)
    return run


def _delivery_form() -> DeliveryForm:
    form = DeliveryForm()
    if request.method == "GET":
        form.received_at.data = clock.utc_to_local(clock.now(), current_app.config["TIMEZONE"]).strftime(
            "%Y-%m-%dT%H:%M"
        )
    return form


def _run_page(run, form=None, form_for=None, http_status=200):
    return render(
        "outreach/run_detail.html",
        http_status=http_status,
        run=run,
        form=form or _delivery_form(),
        form_for=form_for,
        failure_label=lambda code: label(DELIVERY_FAILURE_REASONS, code),
    )


@admin.get("/antar/<int:run_id>")
@allowed("outreach.manage")
def run_detail(run_id: int):
    return _run_page(_run_or_404(run_id))


@admin.get("/antar/<int:run_id>/manifest.pdf")
@allowed("outreach.manage")
def run_manifest(run_id: int):
    run = _run_or_404(run_id)
    pdf = delivery.manifest_pdf(run, current_app.config, current_app.extensions["municipality"])
    return pdf_inline(pdf, f"daftar-antar-{run.id}.pdf")


def _received_at(raw: str | None):
    """'2026-11-30T14:05' typed on the phone (local time) -> an aware UTC datetime; None when unreadable."""
    try:
        naive = datetime.strptime((raw or "").strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return clock.local_to_utc(naive, current_app.config["TIMEZONE"])


@admin.post("/antar/<int:run_id>/<int:delivery_id>")
@allowed("outreach.manage")
def delivery_record(run_id: int, delivery_id: int):
    run = _run_or_404(run_id)
    stop = delivery.get_delivery(run, delivery_id)
    if stop is None:
        abort(404)
    form = _delivery_form()
    if form.validate():
        if form.result.data not in ("diterima", "gagal"):
            form.result.errors = [_("Pilih hasil pengantaran.")]
        else:
            try:
                delivery.record_delivery(
                    db.session,
                    stop,
                    current_user,
                    delivered=form.result.data == "diterima",
                    received_by=form.received_by.data,
                    received_at=_received_at(form.received_at.data),
                    reason=form.reason.data or None,
                    rescheduled_on=form.rescheduled_on.data,
                    notes=(form.notes.data or "").strip() or None,
                    ip_address=request.remote_addr,
                )
            except delivery.DeliveryError as exc:
                form.result.errors = [*form.result.errors, str(exc)]
            else:
                flash(_("Pengantaran %(number)s dicatat.", number=stop.permit.number), "success")
                return redirect_to(url_for("outreach_admin.run_detail", run_id=run.id) + f"#antar-{stop.id}")
    return _run_page(run, form=form, form_for=stop.id, http_status=422)
