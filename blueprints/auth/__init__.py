from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/masuk")

from blueprints.auth import views  # noqa: E402,F401
