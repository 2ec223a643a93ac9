from flask import Blueprint

bp = Blueprint("users_admin", __name__, url_prefix="/kantor/pengguna")


from blueprints.users_admin import views  # noqa: E402,F401
