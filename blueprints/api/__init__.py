from flask import Blueprint, current_app

from extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # read-only, no cookies needed
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])(bp)

from blueprints.api import verify, views  # noqa: E402,F401
