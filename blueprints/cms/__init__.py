"""The editors' screens: pages, news, revisions and the media library under /kantor/konten."""

from flask import Blueprint, g

bp = Blueprint("cms", __name__, url_prefix="/kantor/konten")


@bp.before_request
def _never_indexed():
    g.noindex = True


from blueprints.cms import views  # noqa: E402,F401
