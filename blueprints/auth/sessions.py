"""Flask-Login glue for server-side sessions: which session a request runs in, login and logout."""

from __future__ import annotations

from flask import current_app, g, request, session
from flask_login import login_user, logout_user

from extensions import db
from services.sessions import SessionPolicy, load_session_user

# The Flask session remembers which server-side session it belongs to; a remember-me cookie
# restoring a session is told apart from a request of the same browser session by this key.
SESSION_KEY = "_balai_sid"


def policy() -> SessionPolicy:
    return SessionPolicy.from_config(current_app.config)


def load_user(user_id: str):
    """Flask-Login's user loader: refuses ended, idle, expired sessions and inactive accounts."""
    token = (user_id or "").partition(":")[2]
    from_remember_cookie = session.get(SESSION_KEY) != token
    user = load_session_user(db.session, user_id, from_remember_cookie, policy())
    if user is not None and from_remember_cookie:
        session[SESSION_KEY] = token
    return user


def begin(user, remember: bool) -> None:
    """Log `user` in with a fresh Flask session: no value of the anonymous one (CSRF token included) survives."""
    language = session.get("lang")
    session.clear()
    g.pop("csrf_token", None)
    if language:
        session["lang"] = language
    session[SESSION_KEY] = user.session_token
    login_user(user, remember=remember)


def end() -> None:
    """Forget the session in this browser (the server-side row is ended by the service)."""
    language = session.get("lang")
    logout_user()
    remember = session.get("_remember")
    session.clear()
    if remember:
        session["_remember"] = remember  # tells Flask-Login to delete the remember-me cookie
    if language:
        session["lang"] = language


def client_address() -> str | None:
    return request.remote_addr
