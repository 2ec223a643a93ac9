"""The one place that knows about htmx: render a full page or just one block of it."""

from __future__ import annotations

from flask import Response, current_app, make_response, render_template
from flask import request as flask_request
from flask_babel import get_locale
from htmx_flask import request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    return bool(request.htmx)


def render(template: str, block: str | None = None, *, http_status: int = 200, **context) -> Response:
    """Render `template`; for an htmx request naming `block`, only that block. Varies on HX-Request.

    The HTTP status is `http_status`, keyword-only, so that a template variable (a `status` filter, say)
    can never become the response's status line.
    """
    if block and is_htmx() and not request.htmx.boosted:
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, http_status)
    response.vary.add("HX-Request")
    return response


def redirect_to(url: str) -> Response:
    """After a successful POST: a normal redirect, or HX-Redirect for htmx."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    response = make_response("", 303)
    response.headers["Location"] = url
    return response


def render_lean(template: str, *, http_status: int = 200, **context) -> Response:
    """A public page that uses no session user, CSRF token or site menu (the verification page, scanned often).

    Rendered from the Jinja environment with only the site's name, locale and `request`, so that no context
    processor runs: no menu query, no session write. The template must not need more (see verify/_layout.html).
    """
    app = current_app._get_current_object()
    body = app.jinja_env.get_template(template).render(
        municipality=app.extensions["municipality"],
        site_name=app.config["SITE_NAME"],
        current_locale=str(get_locale()),
        request=flask_request,
        **context,
    )
    return make_response(body, http_status)
