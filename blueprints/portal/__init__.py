from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")

from blueprints.portal import views  # noqa: E402,F401
