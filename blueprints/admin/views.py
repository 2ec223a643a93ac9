from __future__ import annotations

from flask import Response, abort, current_app, request
from flask_login import current_user

from blueprints.admin import bp
from blueprints.permissions import allowed
from blueprints.rendering import render
from extensions import db
from models.user import OFFICER, SUPERADMIN
from services import authorization, work_figures
from services.cooperatives import pending_rat_count
from services.stats import registry_counts


def _work_figures() -> work_figures.WorkFigures:
    """The figures of the work in the signed-in officer's scope, over the range in ?hari= (WIB days)."""
    return work_figures.compute(
        db.session,
        current_app.config["TIMEZONE"],
        work_figures.clean_days(request.args.get("hari")),
        authorization.kecamatan_scope(current_user),
    )


@bp.get("/")
@allowed("dashboard.view")
def dashboard():
    back_office = current_user.role in (SUPERADMIN, OFFICER)
    work = _work_figures() if authorization.can(current_user, "outreach.manage") else None
    return render(
        "admin/dashboard.html",
        counts=registry_counts(db.session),
        pending_rat=pending_rat_count(db.session, current_user) if back_office else 0,
        work=work,
        work_days=work_figures.clean_days(request.args.get("hari")),
        work_ranges=work_figures.RANGES,
        work_measures=[(key, work_figures.LABELS[key]) for key in work_figures.MEASURES],
    )


@bp.get("/angka-kerja.<fmt>")
@allowed("outreach.manage")
def work_figures_download(fmt: str):
    """The figures of the work, day by kecamatan, as CSV or XLSX (the officer's scope and range)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    body, mimetype, name = work_figures.download(_work_figures(), fmt)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
