from __future__ import annotations

from flask_login import current_user

from blueprints.admin import bp
from blueprints.permissions import allowed
from blueprints.rendering import render
from extensions import db
from models.user import OFFICER, SUPERADMIN
from services.cooperatives import pending_rat_count
from services.stats import registry_counts


@bp.get("/")
@allowed("dashboard.view")
def dashboard():
    back_office = current_user.role in (SUPERADMIN, OFFICER)
    return render(
        "admin/dashboard.html",
        counts=registry_counts(db.session),
        pending_rat=pending_rat_count(db.session, current_user) if back_office else 0,
    )
