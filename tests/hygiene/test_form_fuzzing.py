"""Hostile input into every back-office and portal form, on PostgreSQL: no 5xx, ever.

Each form is read from its page as a browser reads it (every input, textarea and select, with the
values the page fills in), then one field at a time gets a hostile value: NUL, control characters,
bidi overrides, emoji, huge numbers, year 1. First a sweep of every field with each kind of value,
then Hypothesis (a bounded number of examples) mixing several fields and generated text."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.records import seed_cooperatives
from extensions import db
from models.cooperative import Cooperative
from models.user import COOPERATIVE, EDITOR, SUPERADMIN
from services.invitations import create_invitation
from services.search import rebuild_index
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue
from tests.support import create_postgres_database, drop_postgres_database, postgres_database_url

HOSTILE = [
    "\x00",
    "Siti\x00Rahayu",
    "a\x01\x02\x07\x1b[31mb",
    "\u202eakoT\u202c",
    "\u2066x\u2069",
    "Warung 😀🔥",
    "中文名",
    "\ufeff\u200b",
    "9" * 40,
    "-9223372036854775809",
    "2147483648",
    "0001-01-01",
    "9999-12-31T23:59",
    "",
    " " * 5000,
]


@pytest.fixture
def db_url(postgres_template):
    name = create_postgres_database(template=postgres_template)
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["SIGNING_DEMO_DIR"] = str(tmp_path / "signing")
    app_config["BATCH_DIR"] = str(tmp_path / "batches")
    return app_config


class _Forms(HTMLParser):
    """The POST forms of a page: (action, {name: value}) as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self._form: tuple[str, dict] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = (a.get("action") or "", {}) if (a.get("method") or "get").lower() == "post" else None
            return
        if self._form is None or not a.get("name"):
            if tag == "option" and self._form is not None and self._select:
                self._option(a)
            return
        fields = self._form[1]
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind == "file":
                return
            if kind == "submit":
                fields.setdefault(name, a.get("value") or "")
                return
            fields[name] = a.get("value") or ""
        elif tag == "textarea":
            fields[name] = ""
            self._textarea = name
        elif tag == "select":
            self._select = name
            fields.setdefault(name, None)
        elif tag == "button" and a.get("type", "submit") == "submit":
            fields.setdefault(name, a.get("value") or "")

    def _option(self, a):
        fields = self._form[1]
        if fields.get(self._select) is None or "selected" in a:
            fields[self._select] = a.get("value") or ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[1][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append((self._form[0], {k: v or "" for k, v in self._form[1].items()}))
            self._form = None


def post_forms(client, page: str) -> list[tuple[str, dict]]:
    response = client.get(page)
    assert response.status_code == 200, page
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    return [(action or page, fields) for action, fields in parser.forms if action != "/masuk/keluar"]


@pytest.fixture
def world(app, client, auth):
    """One of everything a form can point at; the staff user logged in is a superadmin (all forms)."""
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business = add_business(kelurahan)
    issue(app, business)
    seed_cooperatives(db.session, 1, seed=3)
    cooperative = db.session.scalar(db.select(Cooperative))
    admin = auth.create(SUPERADMIN, username="admin")
    _invitation, token = create_invitation(db.session, admin, cooperative, "Pengurus Koperasi")
    auth.create(EDITOR, username="editor")
    auth.create(COOPERATIVE, username="koperasi", cooperative_id=cooperative.id)
    rebuild_index(db.session)
    return {"business": business.id, "cooperative": cooperative.id, "token": token}


def staff_pages(world) -> list[str]:
    b, c = world["business"], world["cooperative"]
    return [
        "/kantor/usaha/baru",
        f"/kantor/usaha/{b}/ubah",
        f"/kantor/usaha/{b}",
        "/kantor/izin/cetak",
        "/kantor/koperasi/baru",
        f"/kantor/koperasi/{c}/ubah",
        f"/kantor/koperasi/{c}",
    ]


EDITOR_PAGES = ["/kantor/konten/berita/baru", "/kantor/konten/halaman/baru", "/kantor/konten/media"]
GET_FORMS = {
    "/kantor/usaha/": ("q", "kelurahan", "status", "page"),
    "/kantor/izin/": ("q", "page"),
    "/kantor/izin/cetak": ("issued_on", "kelurahan_id"),
    "/kantor/koperasi/": ("q", "status", "kecamatan", "page", "halaman"),
    "/kantor/audit": ("action", "actor", "page"),
    "/cari": ("q", "kota", "kecamatan", "kelurahan", "kbli", "seksi", "status", "halaman", "urut"),
    "/api/v1/businesses": ("q", "page", "per_page", "kelurahan"),
    "/verify/": ("nomor",),
}
ID_PATHS = ["/kantor/usaha/{}", "/kantor/koperasi/{}", "/usaha/{}-x", "/koperasi/{}-x", "/api/v1/businesses/{}"]


def _login(auth, client, username):
    client.post("/masuk/keluar")
    assert auth.login(username).status_code == 303


def _all_forms(client, auth, world):
    _login(auth, client, "admin")
    forms = [("admin", f) for page in staff_pages(world) for f in post_forms(client, page)]
    _login(auth, client, "editor")
    forms += [("editor", f) for page in EDITOR_PAGES for f in post_forms(client, page)]
    client.post("/masuk/keluar")
    forms += [(None, f) for f in post_forms(client, f"/portal/undangan/{world['token']}")]
    forms += [(None, ("/masuk/", {"username": "", "password": ""}))]
    _login(auth, client, "koperasi")
    forms += [("koperasi", f) for f in post_forms(client, "/portal/rat")]
    return forms


def _submit(client, auth, who, action, fields, state):
    if state.get("who") != who:
        if who is None:
            client.post("/masuk/keluar")
        else:
            _login(auth, client, who)
        state["who"] = who
    response = client.post(action, data=fields)
    assert response.status_code < 500, (action, fields, response.get_data(as_text=True)[:500])
    return response


def test_every_form_field_survives_hostile_values(app, client, auth, world):
    forms = _all_forms(client, auth, world)
    names = {name for _who, (_action, fields) in forms for name in fields}
    assert {"owner_name", "owner_address", "name", "address", "title", "body", "contact_name"} <= names
    state: dict = {}
    sent = 0
    for who, (action, fields) in forms:
        for name in fields:
            if name == "csrf_token":
                continue
            for value in HOSTILE:
                _submit(client, auth, who, action, {**fields, name: value}, state)
                sent += 1
    _login(auth, client, "admin")
    for path, args in GET_FORMS.items():
        for arg in args:
            for value in HOSTILE:
                response = client.get(path, query_string={arg: value})
                assert response.status_code < 500, (path, arg, value)
                sent += 1
    for path in ID_PATHS:
        for value in ("2147483648", "99999999999999999999", "-1", "0"):
            response = client.get(path.format(value))
            assert response.status_code in (301, 308, 404), (path, value, response.status_code)
    assert client.get("/kantor/usaha/%00").status_code == 400
    assert sent > 1000


hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=()), max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(lambda d: d.isoformat()),
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hypothesis_mixes_hostile_values_across_fields(app, client, auth, world, data):
    forms = data.draw(st.just(_all_forms(client, auth, world))) if not hasattr(app, "_fuzz_forms") else app._fuzz_forms
    app._fuzz_forms = forms
    who, (action, fields) = data.draw(st.sampled_from(forms))
    names = [name for name in fields if name != "csrf_token"] or ["x"]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    changed = {name: data.draw(hostile_text) for name in chosen}
    _submit(client, auth, who, action, {**fields, **changed}, {})
