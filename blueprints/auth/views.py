from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from blueprints.auth import bp
from blueprints.auth.forms import LoginForm
from blueprints.rendering import render
from blueprints.safe_urls import safe_next
from extensions import db, limiter
from models.user import COOPERATIVE, EDITOR
from services.users import authenticate, record_login


def _account_key() -> str:
    return "login-account:" + (request.form.get("username") or "").strip().lower()


def _failed(response) -> bool:
    return response.status_code != 303


def home_for(user) -> str:
    if user.role == COOPERATIVE:
        return url_for("portal.home")
    if user.role == EDITOR:
        return url_for("admin.dashboard")
    return url_for("admin.dashboard")


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(db.session, form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            record_login(db.session, user, ip_address=request.remote_addr)
            target = safe_next(request.args.get("next")) or home_for(user)
            return redirect(target, code=303)
        form.password.errors.append(_("Nama pengguna atau kata sandi salah."))
        status = 401
    elif request.method == "POST":
        status = 422
    return render("auth/login.html", form=form, http_status=status)


@bp.post("/keluar")
def logout():
    logout_user()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("public.home"), code=303)
