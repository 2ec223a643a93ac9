"""Extensions, created unbound here and bound to the app in create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Should the shared store (Redis) stop answering, limits fall back to each process's memory (logged once,
# by Flask-Limiter) instead of failing the request; short socket timeouts keep a dead store from stalling it.
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[],
    in_memory_fallback_enabled=True,
    swallow_errors=True,
    storage_options={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
)
htmx = Htmx()
