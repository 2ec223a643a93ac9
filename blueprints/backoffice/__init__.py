from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/kantor")

from blueprints.backoffice import views  # noqa: E402,F401
