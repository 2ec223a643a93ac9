from __future__ import annotations

from blueprints.public import bp
from blueprints.rendering import render
from extensions import db
from services import content
from services.clock import now as clock_now
from services.stats import public_registry_counts


@bp.get("/")
def home():
    now = clock_now()
    content.promote_due(db.session, now)
    news = [(post, content.public_version(post, now)) for post in content.latest_news(db.session, now, limit=3)]
    return render(
        "public/home.html",
        counts=public_registry_counts(db.session),
        latest_news=news,
        programs=content.program_pages(db.session, now),
    )
