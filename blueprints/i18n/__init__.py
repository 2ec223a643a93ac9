"""Language choice: Bahasa Indonesia by default, English on request."""

from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for

from blueprints.safe_urls import safe_next

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    # Outside a request (the CLI, background jobs) messages are in the default language.
    lang = session.get("lang") if has_request_context() else None
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


@bp.get("/bahasa/<code>")
def switch(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("public.home"))
