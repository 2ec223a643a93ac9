"""User management for superadmins: accounts, role and kecamatan scope, deactivation, set-password links."""

from __future__ import annotations

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.links import absolute_url, email_link
from blueprints.pagination import page_number
from blueprints.permissions import allowed
from blueprints.rendering import redirect_to, render
from blueprints.users_admin import bp
from blueprints.users_admin.forms import AccountForm, NewAccountForm
from extensions import db
from models.user import COOPERATIVE, PasswordLink, User
from services import mail, two_factor
from services import sessions as session_service
from services import users as accounts


def _user_or_404(user_id: int) -> User:
    user = accounts.get_user(db.session, user_id)
    if user is None:
        abort(404)
    return user


def _link_or_404(link_id: int) -> PasswordLink:
    link = accounts.get_password_link(db.session, link_id)
    if link is None:
        abort(404)
    return link


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@allowed("users.manage")
def index():
    query = (request.args.get("q") or "").strip()[:80]
    page = accounts.list_users(db.session, page_number(), current_app.config["PER_PAGE"], query)
    return render("users_admin/index.html", page=page, query=query)


def _account_form(form_class, user: User | None = None, formdata=True):
    kwargs = {} if formdata else {"formdata": None}
    form = form_class(obj=user, **kwargs)
    form.set_kecamatan_choices(accounts.kecamatan_choices(db.session))
    if user is not None and not formdata:
        form.kecamatan.data = str(user.kecamatan_id or "")
    return form


def _deliver(user: User, token: str) -> bool:
    """E-mail a set-password link when possible; True when sent."""
    subject, body = mail.password_link_message(
        current_app.config["SITE_NAME"],
        user.full_name,
        user.username,
        absolute_url("auth.set_password", token=token),
        int(accounts.link_lifetime().total_seconds() // 3600),
    )
    return email_link(user.email, user.full_name, subject, body)


@bp.route("/baru", methods=["GET", "POST"])
@allowed("users.manage")
def new():
    form = _account_form(NewAccountForm, formdata=request.method == "POST")
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            try:
                user = accounts.create_user(
                    db.session,
                    form.username.data,
                    None,
                    form.role.data,
                    form.full_name.data,
                    kecamatan_id=form.kecamatan_id(),
                    email=form.email.data,
                    actor=current_user,
                    ip_address=request.remote_addr,
                )
            except accounts.UserError as exc:
                form.username.errors.append(str(exc))
            else:
                link, token = accounts.create_password_link(db.session, current_user, user, request.remote_addr)
                if _deliver(user, token):
                    accounts.mark_link_emailed(db.session, link)
                    flash(
                        _(
                            "Akun %(username)s dibuat; tautan pembuatan kata sandi dikirim ke %(email)s.",
                            username=user.username,
                            email=user.email,
                        ),
                        "success",
                    )
                    return redirect_to(url_for(".detail", user_id=user.id))
                flash(_("Akun %(username)s dibuat.", username=user.username), "success")
                response = _no_store(_detail_page(user, shown_link=link, shown_url=_link_url(token)))
                # htmx: the new page (with the link, never put in a URL) replaces the page, not the form.
                response.headers["HX-Retarget"] = "body"
                response.headers["HX-Reswap"] = "innerHTML"
                return response
    return render("users_admin/new.html", block="account_form", form=form, http_status=status)


def _link_url(token: str) -> str:
    return absolute_url("auth.set_password", token=token)


def _detail_page(user: User, form=None, status: int = 200, shown_link=None, shown_url=None):
    # Cooperative accounts belong to their cooperative: no role or scope to change here.
    if user.role != COOPERATIVE:
        form = form or _account_form(AccountForm, user, formdata=False)
    return render(
        "users_admin/detail.html",
        http_status=status,
        account=user,
        form=form,
        open_links=accounts.open_links(db.session, user),
        live_sessions=session_service.live_sessions(db.session, user),
        shown_link=shown_link,
        shown_url=shown_url,
        totp_required=two_factor.required_for(user),
        mail_configured=mail.is_configured(current_app.config),
    )


@bp.get("/<int:user_id>")
@allowed("users.manage")
def detail(user_id: int):
    return _no_store(_detail_page(_user_or_404(user_id)))


@bp.post("/<int:user_id>")
@allowed("users.manage")
def update(user_id: int):
    user = _user_or_404(user_id)
    if user.role == COOPERATIVE:
        abort(404)
    form = _account_form(AccountForm, user)
    if form.validate():
        try:
            accounts.update_account(
                db.session,
                current_user,
                user,
                form.full_name.data,
                form.email.data,
                form.role.data,
                form.kecamatan_id(),
                ip_address=request.remote_addr,
            )
        except accounts.UserError as exc:
            form.role.errors.append(str(exc))
        else:
            flash(_("Perubahan akun %(username)s disimpan.", username=user.username), "success")
            return redirect_to(url_for(".detail", user_id=user.id))
    return _detail_page(accounts.get_user(db.session, user_id), form=form, status=422)


def _set_active(user_id: int, active: bool):
    user = _user_or_404(user_id)
    try:
        accounts.set_active(db.session, current_user, user, active, ip_address=request.remote_addr)
    except accounts.UserError as exc:
        flash(str(exc), "error")
        return _detail_page(user, status=422)
    if active:
        flash(_("Akun %(username)s aktif kembali.", username=user.username), "success")
    else:
        flash(_("Akun %(username)s dinonaktifkan; semua sesinya berakhir.", username=user.username), "info")
    return redirect_to(url_for(".detail", user_id=user.id))


@bp.post("/<int:user_id>/nonaktifkan")
@allowed("users.manage")
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/<int:user_id>/aktifkan")
@allowed("users.manage")
def reactivate(user_id: int):
    return _set_active(user_id, True)


@bp.post("/<int:user_id>/tautan")
@allowed("users.manage")
def new_link(user_id: int):
    """A new set-password link (a forgotten password, a new account); earlier open links stop working."""
    user = _user_or_404(user_id)
    try:
        link, token = accounts.create_password_link(db.session, current_user, user, request.remote_addr)
    except accounts.UserError as exc:
        flash(str(exc), "error")
        return _detail_page(user, status=422)
    if _deliver(user, token):
        accounts.mark_link_emailed(db.session, link)
        flash(_("Tautan pembuatan kata sandi dikirim ke %(email)s.", email=user.email), "success")
        return redirect_to(url_for(".detail", user_id=user.id))
    return _no_store(_detail_page(user, shown_link=link, shown_url=_link_url(token)))


@bp.post("/tautan/<int:link_id>/tampilkan")
@allowed("users.manage")
def show_link(link_id: int):
    link = _link_or_404(link_id)
    try:
        token = accounts.show_password_link(db.session, current_user, link, request.remote_addr)
    except accounts.UserError as exc:
        flash(str(exc), "error")
        return redirect_to(url_for(".detail", user_id=link.user_id))
    return _no_store(_detail_page(link.user, shown_link=link, shown_url=_link_url(token)))


@bp.post("/tautan/<int:link_id>/cabut")
@allowed("users.manage")
def revoke_link(link_id: int):
    link = _link_or_404(link_id)
    accounts.revoke_password_link(db.session, current_user, link, request.remote_addr)
    flash(_("Tautan dicabut; tautan itu tidak dapat dipakai lagi."), "info")
    return redirect_to(url_for(".detail", user_id=link.user_id))


@bp.post("/<int:user_id>/keluar-semua")
@allowed("users.manage")
def end_sessions(user_id: int):
    user = _user_or_404(user_id)
    count = accounts.end_sessions_of(db.session, current_user, user, request.remote_addr)
    flash(_("%(count)d sesi %(username)s diakhiri.", count=count, username=user.username), "info")
    return redirect_to(url_for(".detail", user_id=user.id))


@bp.post("/<int:user_id>/autentikator/reset")
@allowed("users.manage")
def reset_totp(user_id: int):
    """A lost phone: remove the authenticator app; the user sets it up again at the next login."""
    user = _user_or_404(user_id)
    two_factor.reset(db.session, current_user, user, request.remote_addr)
    flash(_("Aplikasi autentikator %(username)s direset.", username=user.username), "info")
    return redirect_to(url_for(".detail", user_id=user.id))
