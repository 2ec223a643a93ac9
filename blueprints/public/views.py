from __future__ import annotations

from blueprints.public import bp
from blueprints.rendering import render
from extensions import db
from services.stats import registry_counts


@bp.get("/")
def home():
    return render("public/home.html", counts=registry_counts(db.session))
