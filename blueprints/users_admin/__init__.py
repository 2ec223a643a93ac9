from flask import Blueprint

bp = Blueprint("users_admin", __name__, url_prefix="/kantor/pengguna")


@bp.app_context_processor  # the dashboard names the role too
def role_labels():
    from blueprints.users_admin.forms import ROLE_LABELS

    return {"role_labels": ROLE_LABELS}


from blueprints.users_admin import views  # noqa: E402,F401
