"""The public website: pages, news, figures, media, sitemap, feed, robots.txt."""

from flask import Blueprint

bp = Blueprint("site", __name__)

from blueprints.site import views  # noqa: E402,F401
