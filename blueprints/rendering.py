"""The one place that knows about htmx: render a full page or just one block of it."""

from __future__ import annotations

from flask import Response, make_response, render_template
from htmx_flask import request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    return bool(request.htmx)


def render(template: str, block: str | None = None, status: int = 200, **context) -> Response:
    """Render `template`; for an htmx request naming `block`, only that block. Varies on HX-Request."""
    if block and is_htmx() and not request.htmx.boosted:
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
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
