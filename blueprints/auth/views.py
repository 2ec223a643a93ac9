"""Log in (password, then the authenticator app where set up or required), log out, set-password links."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth import bp, sessions
from blueprints.auth.forms import CodeForm, LoginForm, SetPasswordForm
from blueprints.auth.throttle import LoginThrottle, too_many_attempts
from blueprints.errors.expired_session import carried_from_login, carried_inputs, resend_page
from blueprints.rendering import redirect_to, render
from blueprints.request_ids import current_request_id
from blueprints.safe_urls import safe_next
from extensions import db
from models.user import COOPERATIVE, User
from services import clock, two_factor
from services import users as accounts

# Between the password and the second factor: how long the half-done login is kept in the session.
PENDING_LOGIN = timedelta(minutes=5)
PENDING_KEY = "_pending_login"


def home_for(user) -> str:
    if user.role == COOPERATIVE:
        return url_for("portal.home")
    return url_for("admin.dashboard")


def _complete_login(user: User, remember: bool, target: str):
    accounts.log_in(db.session, user, remember, sessions.policy(), request.remote_addr, request.user_agent.string)
    sessions.begin(user, remember)
    return redirect(target, code=303)


def _pending_user() -> tuple[User, dict] | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    started = pending.get("at", 0)
    if clock.now().timestamp() - started > PENDING_LOGIN.total_seconds():
        session.pop(PENDING_KEY, None)
        return None
    user = accounts.get_user(db.session, pending.get("user_id", 0))
    if user is None or not user.is_active:
        return None
    return user, pending


@bp.route("/", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        throttle = LoginThrottle(form.username.data)
        retry_after = throttle.retry_after()
        if retry_after:
            return too_many_attempts(retry_after)
        if form.validate_on_submit():
            throttle.slow_down()
            user = accounts.authenticate(db.session, form.username.data, form.password.data)
            if user is not None:
                target = safe_next(request.args.get("next")) or home_for(user)
                if user.has_totp or two_factor.required_for(user):
                    session[PENDING_KEY] = {
                        "user_id": user.id,
                        "remember": bool(form.remember.data),
                        "next": target,
                        "at": clock.now().timestamp(),
                    }
                    if carried_inputs():
                        # The fields typed before the session ended go on in the next step's page itself
                        # (never a URL, a cookie or the session), so that page is answered here, not redirected to.
                        if user.has_totp:
                            return _code_page(CodeForm(formdata=None), 200)
                        return _enrol_page(user, CodeForm(formdata=None), 200)
                    return redirect(url_for(".second_factor" if user.has_totp else ".enrol"), code=303)
                response = _complete_login(user, bool(form.remember.data), target)
                carried = carried_from_login()  # what the officer typed when the session ended
                return resend_page(target, carried) if carried else response
            throttle.failed()
            accounts.record_failed_login(db.session, form.username.data, request.remote_addr, current_request_id())
            form.password.errors.append(_("Nama pengguna atau kata sandi salah."))
            status = 401
        else:
            status = 422
    return _form_page("auth/login.html", "login_form", form, status)


@bp.route("/kode", methods=["GET", "POST"])
def second_factor():
    """The code from the authenticator app (or a recovery code), after the password."""
    found = _pending_user()
    if found is None or not found[0].has_totp:
        return redirect(url_for(".login"))
    user, pending = found
    form = CodeForm()
    status = 200
    if request.method == "POST":
        throttle = LoginThrottle(user.username)
        retry_after = throttle.retry_after()
        if retry_after:
            return too_many_attempts(retry_after)
        if form.validate_on_submit():
            if two_factor.verify(db.session, user, form.code.data, request.remote_addr):
                response = _complete_login(user, pending["remember"], pending["next"])
                carried = carried_from_login()  # what the officer typed when the session ended
                return resend_page(pending["next"], carried) if carried else response
            throttle.failed()
            form.code.errors.append(_("Kode salah atau sudah dipakai."))
            status = 401
        else:
            status = 422
    return _code_page(form, status)


def _code_page(form: CodeForm, status: int):
    """The authenticator code form, with the fields carried from an ended session (if any) still in it."""
    return _form_page("auth/second_factor.html", "code_form", form, status)


def _form_page(template: str, block: str, form, status: int):
    """A sign-in step's form, with the fields carried from an ended session (if any) still in it."""
    carried = carried_inputs()
    return render(
        template,
        block=block,
        form=form,
        http_status=status,
        carried=carried,
        session_ended=bool(carried),
    )


@bp.route("/autentikator", methods=["GET", "POST"])
def enrol():
    """An officer or superadmin who must use an authenticator app sets it up before the first login."""
    found = _pending_user()
    if found is None or found[0].has_totp:
        return redirect(url_for(".login"))
    user, pending = found
    form = CodeForm()
    status = 200
    if request.method == "POST":
        throttle = LoginThrottle(user.username)
        retry_after = throttle.retry_after()
        if retry_after:
            return too_many_attempts(retry_after)
        if form.validate_on_submit():
            codes = two_factor.confirm_enrolment(db.session, user, form.code.data, request.remote_addr)
            if codes is not None:
                accounts.log_in(
                    db.session,
                    user,
                    pending["remember"],
                    sessions.policy(),
                    request.remote_addr,
                    request.user_agent.string,
                )
                sessions.begin(user, pending["remember"])
                response = render(
                    "auth/recovery_codes.html",
                    codes=codes,
                    next_url=pending["next"],
                    fields=carried_from_login(),  # sent on to that page by "Lanjutkan" (an ended session)
                )
                response.headers["Cache-Control"] = "no-store"
                return response
            throttle.failed()
            form.code.errors.append(_("Kode tidak cocok. Periksa jam ponsel Anda lalu masukkan kode yang baru."))
            status = 401
        else:
            status = 422
    return _enrol_page(user, form, status)


def _enrol_page(user: User, form: CodeForm, status: int):
    """Setting up the authenticator app, with the fields carried from an ended session (if any) still in it."""
    secret = two_factor.pending_secret(db.session, user)
    uri = two_factor.provisioning_uri(user, current_app.config["SITE_NAME"])
    carried = carried_inputs()
    response = render(
        "auth/enrol.html",
        form=form,
        http_status=status,
        secret=secret,
        qr=two_factor.qr_svg(uri),
        user=user,
        carried=carried,
        session_ended=bool(carried),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/keluar")
def logout():
    if current_user.is_authenticated:
        accounts.log_out(db.session, current_user, current_user.session_token, request.remote_addr)
    sessions.end()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("public.home"), code=303)


def _link_page(template: str, status: int, **context):
    response = render(template, http_status=status, **context)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/kata-sandi/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """A set-password link: an unknown, used, expired or revoked link gets one and the same page."""
    link = accounts.find_open_link(db.session, token)
    if link is None:
        return _link_page("auth/link_invalid.html", 404)
    form = SetPasswordForm()
    form.account_username, form.account_full_name = link.user.username, link.user.full_name
    status = 200
    if form.validate_on_submit():
        try:
            accounts.use_password_link(db.session, token, form.password.data, request.remote_addr)
        except accounts.UserError as exc:
            form.password.errors.append(str(exc))
        else:
            sessions.end()
            flash(_("Kata sandi disimpan. Silakan masuk."), "success")
            return redirect_to(url_for(".login"))
    if request.method == "POST":
        status = 422
    return _link_page("auth/set_password.html", status, form=form, account=link.user, block="password_form")
