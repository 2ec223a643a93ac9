"""An officer whose session ended mid-form: told to log in again, and nothing they typed is lost.

- htmx requests get HTTP 401 (never the login page swapped into a field); static/js/balai.js says so
  in the page's live region and offers to log in, sending the form the ordinary way.
- An ordinary POST without a session answers the login page itself (401), with the submitted fields
  carried in hidden inputs (through the authenticator step too, where the account has or needs one);
  after logging in, a page offers to send them again to the same address, now with a fresh CSRF token.
  The data never goes into a URL, a cookie or the server's session, and is carried only for a
  same-origin POST (Origin or Referer of this site), so another site cannot prepare a submission for
  the officer to confirm.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_url

from blueprints.rendering import is_htmx, render
from blueprints.safe_urls import safe_next
from extensions import login_manager

CARRY_PREFIX = "carry:"
# Where every page needs a logged-in user: a form refused there for want of a session is carried.
SIGNED_IN_BLUEPRINTS = frozenset({"admin", "backoffice", "cooperatives_admin", "cms", "portal"})
NOT_CARRIED = frozenset({"csrf_token"})
MAX_CARRIED_FIELDS = 500


def _same_origin() -> bool:
    claimed = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts = urlsplit(claimed)
    return bool(parts.scheme and parts.netloc) and (parts.scheme, parts.netloc) == (request.scheme, request.host)


def submitted_fields() -> list[tuple[str, str]]:
    """The fields of this same-origin POST worth keeping (files cannot be carried)."""
    if request.method != "POST" or not _same_origin():
        return []
    return [(name, value) for name, value in request.form.items(multi=True) if name not in NOT_CARRIED][
        :MAX_CARRIED_FIELDS
    ]


def carried_inputs() -> list[tuple[str, str]]:
    """The carried fields of this login step's form, still prefixed: for the hidden inputs of the next step
    (the password page, then the authenticator code or its set-up), so that they survive every step."""
    return [(name, value) for name, value in request.form.items(multi=True) if name.startswith(CARRY_PREFIX)][
        :MAX_CARRIED_FIELDS
    ]


def carried_from_login() -> list[tuple[str, str]]:
    """The fields the login form carried for the page the officer was on."""
    return [(name.removeprefix(CARRY_PREFIX), value) for name, value in carried_inputs()]


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def session_expired() -> Response:
    """The answer to a request that needs a logged-in user and has none."""
    if is_htmx():
        response = Response(_("Sesi Anda telah berakhir. Masuk lagi untuk melanjutkan."), 401, mimetype="text/plain")
        response.headers["HX-Reswap"] = "none"
        return _private(response)
    if request.method != "POST":
        return redirect(login_url(login_manager.login_view, request.url))
    from blueprints.auth.forms import LoginForm

    here = request.full_path.rstrip("?") if request.query_string else request.path
    return _private(
        render(
            "auth/login.html",
            http_status=401,
            form=LoginForm(formdata=None),
            login_action=url_for("auth.login", next=here),
            carried=[(CARRY_PREFIX + name, value) for name, value in submitted_fields()],
            carry_prefix=CARRY_PREFIX,
            session_ended=True,
        )
    )


def resend_page(target: str | None, fields: list[tuple[str, str]], http_status: int = 200) -> Response:
    """Offer to send the carried fields to `target` (a same-site path) again, with a fresh CSRF token."""
    target = safe_next(target) or url_for("admin.dashboard")
    return _private(render("errors/resend.html", http_status=http_status, target=target, fields=fields))
