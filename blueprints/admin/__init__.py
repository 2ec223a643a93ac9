"""The staff dashboard at /kantor/, and the 301s from the old /admin/… back-office URLs."""

from flask import Blueprint, redirect, request

bp = Blueprint("admin", __name__, url_prefix="/kantor")

# The back office once lived under both /admin/… and /kantor/…; old bookmarks and printed links keep working.
legacy = Blueprint("admin_legacy", __name__)


@legacy.route("/admin", defaults={"rest": ""}, methods=["GET", "HEAD"], strict_slashes=False)
@legacy.route("/admin/<path:rest>", methods=["GET", "HEAD"])
def moved(rest: str):
    target = "/kantor/" + rest
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, code=301)


from blueprints.admin import views  # noqa: E402,F401
