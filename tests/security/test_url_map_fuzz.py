"""Hypothesis walks the URL map with odd values in every path part and query string: no 5xx, ever.

Every GET route of the URL map, as an anonymous visitor and as each role, with path values and query
strings drawn from what breaks servers: huge and negative numbers, NUL and control characters, bidi
overrides, digits of other scripts, percent-escapes, very long text. Bounded by examples, not time.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing.converters import NumberConverter

from extensions import db
from models.user import COOPERATIVE, EDITOR, OFFICER, SUPERADMIN
from services.search import rebuild_index
from tests.coop_factory import make_cooperative
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue

ODD_TEXT = [
    "\x00",
    "a\x00b",
    "\x01\x1b[31m",
    "\u202eakoT",
    "３１７１０１４５０３８５０００３",
    "٣١٧١",
    "%00",
    "%2e%2e%2f",
    "../../etc/passwd",
    "9" * 40,
    "-1",
    "0",
    "2147483648",
    "99999999999999999999",
    "x" * 3000,
    "😀",
    "' OR 1=1 --",
    "<script>",
]
ODD_NUMBERS = [0, 1, -1, 2**31, 2**63, 10**30]
QUERY_KEYS = ["q", "halaman", "page", "status", "kelurahan", "urut", "per_page", "_method", "_anchor", "nomor", "kode"]

odd_text = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=40))
odd_query = st.dictionaries(st.sampled_from(QUERY_KEYS), odd_text, max_size=3)


PLACEHOLDER = re.compile(r"<(?:[^:<>]+(?:\([^)]*\))?:)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)>")


def _get_rules(app) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static" and "GET" in (rule.methods or ())),
        key=lambda rule: rule.rule,
    )


def _path(rule, draw_value) -> str:
    """The rule's path with every <part> replaced by a drawn value (built by hand: the router must cope)."""

    def replace(match: re.Match) -> str:
        converter = rule._converters[match.group("name")]
        return quote(str(draw_value(isinstance(converter, NumberConverter))), safe="")

    return PLACEHOLDER.sub(replace, rule.rule)


@pytest.fixture
def world(app, auth):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    issue(app, add_business(kelurahan, name="Usaha Uji Acak"))
    cooperative = make_cooperative(name="Koperasi Uji Acak", kelurahan=kelurahan.name)
    rebuild_index(db.session)
    return {
        "anonymous": None,
        SUPERADMIN: auth.create(SUPERADMIN, username="acak-super"),
        OFFICER: auth.create(OFFICER, username="acak-officer", kecamatan_id=kelurahan.parent_id),
        EDITOR: auth.create(EDITOR, username="acak-editor"),
        COOPERATIVE: auth.create(COOPERATIVE, username="acak-coop", cooperative_id=cooperative.id),
    }


@pytest.mark.parametrize("subject", ["anonymous", SUPERADMIN, OFFICER, EDITOR, COOPERATIVE])
def test_odd_values_in_any_url_never_give_a_server_error(app, client, auth, world, subject):
    app.config["RATELIMIT_ENABLED"] = False
    if world[subject] is not None:
        assert auth.login(world[subject].username).status_code == 303
    rules = _get_rules(app)
    assert len(rules) > 60

    @settings(
        max_examples=120,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(rule=st.sampled_from(rules), data=st.data(), query=odd_query)
    def walk(rule, data, query):
        def draw_value(numeric: bool):
            if numeric:
                return data.draw(st.one_of(st.sampled_from(ODD_NUMBERS), st.integers()))
            return data.draw(odd_text.filter(bool))

        path = _path(rule, draw_value)
        response = client.get(path, query_string=query)
        assert response.status_code < 500, f"{subject} GET {path} {query!r}: {response.status_code}"

    walk()
