"""Every state-changing route in the URL map refuses a request without a valid CSRF token.

Walks the URL map itself, so a route added tomorrow is checked tomorrow: if it accepts an unsafe
method without a token (a csrf.exempt, a blueprint left out), this test fails and names it.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from extensions import db
from models.audit import AuditEvent
from models.user import SUPERADMIN

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# Routes that may take an unsafe request without a token, with the reason. Keep this empty unless an
# endpoint is a stateless API call that no browser session can be tricked into.
EXEMPT: dict[str, str] = {
    # A bank types the holder's NIK on the public verdict page: no session, no account, nothing changes
    # but an audit row; it is rate limited per client instead (tests/permits/test_verify_bank.py).
    "verify.check_holder": "stateless public check",
    # The JSON API is exempt as a blueprint: no cookies, nothing changes; uploads only get a verdict.
    "api.verify_file": "stateless public API",
}
CSRF_MESSAGE = "Formulir kedaluwarsa atau tidak sah"


def _sample_url(rule: Rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 1 if isinstance(converter, NumberConverter) else "x"
    return rule.build(values, append_unknown=False)[1]


def _unsafe_routes(app) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(set(rule.methods or ()) & set(UNSAFE)):
            routes.append((rule.endpoint, method, _sample_url(rule)))
    return routes


def _refused(response, signed_out: bool) -> bool:
    """The CSRF error page; or, without a session on a signed-in page, the login page (401) that keeps the
    fields for the officer to send again themselves (blueprints/errors/expired_session.py)."""
    body = response.get_data(as_text=True)
    if response.status_code == 400 and CSRF_MESSAGE in body:
        return True
    return signed_out and response.status_code == 401


def _audit_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("as_superadmin", [False, True], ids=["anonymous", "superadmin"])
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_every_unsafe_route_refuses_a_request_without_a_valid_token(app, client, auth, as_superadmin, token):
    if as_superadmin:
        auth.login_as(SUPERADMIN)
    routes = _unsafe_routes(app)
    assert len(routes) >= 25, "the walk must see the whole URL map"
    before = _audit_count()
    accepted = []
    for endpoint, method, url in routes:
        if endpoint in EXEMPT:
            continue
        headers = {"X-CSRFToken": "bad-token"} if token == "wrong" else {}
        for extra in ({}, {"HX-Request": "true"}):
            response = client.open(
                url,
                method=method,
                data={"csrf_token": "bad"} if token == "wrong" else {},
                headers={**headers, **extra},
                csrf=False,
            )
            if not _refused(response, signed_out=not as_superadmin):
                accepted.append((endpoint, method, url, bool(extra), response.status_code))
    assert accepted == []
    assert _audit_count() == before, "a refused request changed nothing"
