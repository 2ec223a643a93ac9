from __future__ import annotations

from blueprints.admin import bp
from blueprints.permissions import roles_required
from blueprints.rendering import render
from extensions import db
from models.user import EDITOR, OFFICER, SUPERADMIN
from services.stats import registry_counts


@bp.get("/")
@roles_required(SUPERADMIN, OFFICER, EDITOR)
def dashboard():
    return render("admin/dashboard.html", counts=registry_counts(db.session))
