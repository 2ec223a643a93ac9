from flask import Blueprint

# Public: report a business ("Kabarkan") and track the request (/lacak).
bp = Blueprint("outreach", __name__)
# Back office: the requests queue, visits and AJIB delivery runs.
admin = Blueprint("outreach_admin", __name__, url_prefix="/kantor")

from blueprints.outreach import admin_views, views  # noqa: E402,F401
