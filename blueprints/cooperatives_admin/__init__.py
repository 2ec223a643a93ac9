from flask import Blueprint

bp = Blueprint("cooperatives_admin", __name__, url_prefix="/kantor/koperasi")

from blueprints.cooperatives_admin import legal, views  # noqa: E402,F401
