from flask import Blueprint

bp = Blueprint("directory", __name__)

from blueprints.directory import views  # noqa: E402,F401
