"""Everyone's own account: change the password, see and end sessions, the authenticator app."""

from __future__ import annotations

from flask import current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from blueprints.account import bp
from blueprints.auth import sessions
from blueprints.auth.forms import ChangePasswordForm, CodeForm, ConfirmPasswordForm
from blueprints.rendering import redirect_to, render
from extensions import db
from services import sessions as session_service
from services import two_factor
from services import users as accounts


def _page(status: int = 200, password_form=None, code_form=None, disable_form=None, **context):
    user = current_user
    password_form = password_form or ChangePasswordForm(formdata=None)
    password_form.account_username, password_form.account_full_name = user.username, user.full_name
    response = render(
        "account/index.html",
        block=context.pop("block", None),
        http_status=status,
        password_form=password_form,
        code_form=code_form or CodeForm(formdata=None),
        disable_form=disable_form or ConfirmPasswordForm(formdata=None),
        live_sessions=session_service.live_sessions(db.session, user),
        recovery_left=two_factor.remaining_recovery_codes(db.session, user) if user.has_totp else 0,
        totp_required=two_factor.required_for(user),
        **context,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@login_required
def index():
    return _page()


@bp.post("/kata-sandi")
@login_required
def change_password():
    form = ChangePasswordForm()
    form.account_username, form.account_full_name = current_user.username, current_user.full_name
    if form.validate():
        try:
            accounts.change_own_password(
                db.session,
                current_user,
                form.current_password.data,
                form.password.data,
                ip_address=request.remote_addr,
                keep_token=current_user.session_token,
            )
        except accounts.UserError as exc:
            target = form.current_password if isinstance(exc, accounts.WrongPassword) else form.password
            target.errors.append(str(exc))
        else:
            flash(_("Kata sandi diganti. Sesi Anda di perangkat lain sudah diakhiri."), "success")
            return redirect_to(url_for(".index"))
    return _page(422, password_form=form, block="password_form")


@bp.post("/keluar-semua")
@login_required
def log_out_everywhere():
    """End every session of this account, this one included ("log out everywhere")."""
    accounts.log_out_everywhere(db.session, current_user, ip_address=request.remote_addr)
    sessions.end()
    flash(_("Anda telah keluar dari semua perangkat."), "info")
    return redirect_to(url_for("auth.login"))


@bp.get("/autentikator")
@login_required
def totp_setup():
    if current_user.has_totp:
        return redirect_to(url_for(".index"))
    return _totp_page(CodeForm(formdata=None))


def _totp_page(form, status: int = 200):
    secret = two_factor.pending_secret(db.session, current_user)
    uri = two_factor.provisioning_uri(current_user, current_app.config["SITE_NAME"])
    response = render(
        "account/totp.html", http_status=status, form=form, secret=secret, qr=two_factor.qr_svg(uri), user=current_user
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/autentikator")
@login_required
def totp_confirm():
    if current_user.has_totp:
        return redirect_to(url_for(".index"))
    form = CodeForm()
    if form.validate():
        codes = two_factor.confirm_enrolment(db.session, current_user, form.code.data, request.remote_addr)
        if codes is not None:
            response = render("auth/recovery_codes.html", codes=codes, next_url=url_for(".index"))
            response.headers["Cache-Control"] = "no-store"
            return response
        form.code.errors.append(_("Kode tidak cocok. Periksa jam ponsel Anda lalu masukkan kode yang baru."))
    return _totp_page(form, 422)


@bp.post("/autentikator/kode-pemulihan")
@login_required
def recovery_codes():
    if not current_user.has_totp:
        return redirect_to(url_for(".index"))
    codes = two_factor.regenerate_recovery_codes(db.session, current_user, request.remote_addr)
    response = render("auth/recovery_codes.html", codes=codes, next_url=url_for(".index"))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/autentikator/hapus")
@login_required
def totp_remove():
    """Turn the app off (only where it is optional); the password is asked again."""
    if not current_user.has_totp or two_factor.required_for(current_user):
        return redirect_to(url_for(".index"))
    form = ConfirmPasswordForm()
    if form.validate():
        if accounts.authenticate(db.session, current_user.username, form.current_password.data) is not None:
            two_factor.reset(db.session, current_user, current_user, request.remote_addr)
            flash(_("Aplikasi autentikator dilepas dari akun Anda."), "info")
            return redirect_to(url_for(".index"))
        form.current_password.errors.append(_("Kata sandi saat ini salah."))
    return _page(422, disable_form=form)
