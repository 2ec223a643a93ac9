"""The cooperative portal. Every lookup goes through the account's own cooperative: another's id is a 404."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth.throttle import LinkThrottle, too_many_attempts
from blueprints.cooperatives_admin.forms import MinutesForm, RatForm
from blueprints.cooperatives_admin.views import apply_errors, attach_minutes_from_form, minutes_upload, rat_input
from blueprints.documents import deed_download, minutes_download, notary_copy_download
from blueprints.permissions import allowed
from blueprints.portal import bp
from blueprints.portal.forms import AcceptInvitationForm
from blueprints.rendering import redirect_to, render
from extensions import db
from models.cooperative import RatReport
from services import clock, links
from services import cooperatives as coops
from services.deeds import deed_for_user, deeds_of
from services.invitations import accept_invitation as accept
from services.invitations import open_invitation
from services.users import UserError


def _own_cooperative():
    cooperative = coops.cooperative_for_account(db.session, current_user)
    if cooperative is None:
        abort(404)
    return cooperative


@bp.get("/")
@allowed("portal.use")
def home():
    cooperative = _own_cooperative()
    return render(
        "portal/home.html",
        cooperative=cooperative,
        activity=coops.activity_status(cooperative, clock.today()),
        deeds=deeds_of(db.session, cooperative),
    )


@bp.route("/rat", methods=["GET", "POST"])
@allowed("portal.use")
def submit_rat():
    cooperative = _own_cooperative()
    form = RatForm()
    status = 200
    if form.validate_on_submit():
        try:
            coops.submit_rat_report(
                db.session,
                current_user,
                cooperative,
                rat_input(form),
                clock.today(),
                ip_address=request.remote_addr,
                minutes=minutes_upload(form),
            )
        except coops.RatError as exc:
            apply_errors(form, exc.errors)
        else:
            flash(_("Laporan RAT terkirim dan menunggu konfirmasi petugas."), "success")
            return redirect_to(url_for(".home") + "#rat")
    if request.method == "POST":
        status = 422
    return render("portal/rat.html", block="rat_form", http_status=status, form=form, cooperative=cooperative)


def _own_report(report_id: int) -> RatReport:
    report = coops.rat_report_for_user(db.session, current_user, report_id)
    if report is None:
        abort(404)
    return report


@bp.get("/rat/<int:report_id>")
@allowed("portal.use")
def rat_report(report_id: int):
    """One of the cooperative's reports, with the officer's reason when it was rejected."""
    report = _own_report(report_id)
    return _rat_report_page(report)


def _rat_report_page(report, minutes_form=None, status=200):
    return render(
        "portal/rat_report.html",
        http_status=status,
        cooperative=report.cooperative,
        report=report,
        minutes_upload_form=minutes_form or MinutesForm(formdata=None),
    )


@bp.post("/rat/<int:report_id>/notulen")
@allowed("portal.use")
def rat_minutes_upload(report_id: int):
    return attach_minutes_from_form(_own_report(report_id), _rat_report_page)


@bp.get("/rat/<int:report_id>/notulen.pdf")
@allowed("portal.use")
def rat_minutes(report_id: int):
    return minutes_download(_own_report(report_id))


@bp.get("/akta")
@allowed("portal.use")
def deeds():
    cooperative = _own_cooperative()
    return render("portal/deeds.html", cooperative=cooperative, deeds=deeds_of(db.session, cooperative))


@bp.get("/akta/<int:deed_id>")
@allowed("portal.use")
def deed(deed_id: int):
    found = deed_for_user(db.session, current_user, deed_id)
    if found is None:
        abort(404)
    return render("portal/deed.html", cooperative=found.cooperative, deed=found)


@bp.get("/akta/<int:deed_id>/unduh")
@allowed("portal.use")
def deed_file(deed_id: int):
    """The cooperative's own deed, current or earlier version; another cooperative's id is a 404."""
    return deed_download(deed_id)


@bp.get("/akta-notaris/<int:copy_id>/unduh")
@allowed("portal.use")
def notary_file(copy_id: int):
    """The notary's own signed PDF of the cooperative's founding or amendment deed; another's id is a 404."""
    return notary_copy_download(copy_id)


@bp.route("/undangan/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Anyone holding a valid link sets up a cooperative account; a used or expired link gets a clear page."""
    invitation = open_invitation(db.session, token)
    if invitation is None:
        return render("portal/invitation_invalid.html", http_status=404)
    throttle = LinkThrottle(links.digest(token))
    if request.method == "POST" and (retry_after := throttle.retry_after()):
        return too_many_attempts(retry_after)
    form = AcceptInvitationForm()
    status = 200
    if form.validate_on_submit():
        try:
            accept(db.session, token, form.username.data, form.password.data, ip_address=request.remote_addr)
        except UserError as exc:
            form.username.errors.append(str(exc))
        else:
            flash(_("Akun dibuat. Silakan masuk dengan nama pengguna dan kata sandi Anda."), "success")
            return redirect_to(url_for("auth.login"))
    if request.method == "POST":
        status = 422
        throttle.failed()
    response = render(
        "portal/accept_invitation.html", http_status=status, form=form, cooperative=invitation.cooperative
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
