from flask import Blueprint

bp = Blueprint("verify", __name__)

from blueprints.verify import views  # noqa: E402,F401
