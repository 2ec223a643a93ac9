"""Public outreach pages: "Kabarkan" (report a business without a permit) and /lacak (track a request).

No login; rate limited like /verify. The reporter's phone is taken by POST and never shown again.
"""

from __future__ import annotations

from flask import current_app, request, url_for

from blueprints.outreach import bp
from blueprints.outreach.forms import ReportForm
from blueprints.rendering import redirect_to, render
from extensions import db, limiter
from services import outreach
from services.reasons import NOT_ELIGIBLE_REASONS, label


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _report_limit() -> str:
    return current_app.config["OUTREACH_REPORT_LIMIT"]


@bp.route("/kabarkan", methods=["GET", "POST"])
@limiter.limit(_limit)
@limiter.limit(_report_limit, methods=["POST"])
def report():
    form = ReportForm(kelurahan=outreach.kelurahan_choices(db.session))
    if request.method == "POST":
        if form.validate():
            try:
                saved = outreach.submit(
                    db.session,
                    business_name=form.business_name.data,
                    activity=form.activity.data,
                    kelurahan_id=form.kelurahan_id.data,
                    address=form.address.data.strip(),
                    reporter_role=form.reporter_role.data,
                    reporter_name=form.reporter_name.data,
                    reporter_phone=form.reporter_phone.data,
                )
            except outreach.OutreachError as exc:
                form.kelurahan_id.errors = [*form.kelurahan_id.errors, str(exc)]
            else:
                return render("outreach/reported.html", code=saved.code)
        return render("outreach/report.html", form=form, http_status=422)
    return render("outreach/report.html", form=form)


@bp.get("/lacak")
@limiter.limit(_limit)
def track_lookup():
    raw = (request.args.get("kode") or "")[:40]
    if raw:
        code = outreach.normalise_code(raw)
        if outreach.find_by_code(db.session, code) is not None:
            return redirect_to(url_for("outreach.track", code=code))
        return render("outreach/track_lookup.html", code=raw, not_found=True, http_status=404)
    return render("outreach/track_lookup.html", code="", not_found=False)


@bp.get("/lacak/<code>")
@limiter.limit(_limit)
def track(code: str):
    found = outreach.find_by_code(db.session, code)
    if found is None:
        return render("outreach/track_lookup.html", code=code[:40], not_found=True, http_status=404)
    info = outreach.progress(db.session, found, current_app.config["TIMEZONE"])
    response = render(
        "outreach/track.html",
        info=info,
        code=found.code,
        reason=label(NOT_ELIGIBLE_REASONS, info.closed_reason),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
