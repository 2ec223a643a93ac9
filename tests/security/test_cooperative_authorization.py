"""Authorization matrix: every role x owner x cooperative route. Another cooperative's ids answer 404, not 403.

Adding a route is one line in ROUTES with the status each role gets for its own / another's objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from extensions import db
from models.cooperative import RAT_PENDING
from models.user import COOPERATIVE, EDITOR, OFFICER, SUPERADMIN
from services import clock
from services.cooperatives import MinutesUpload, attach_minutes, save_cooperative
from services.deeds import attach_founding_deed_pdf, issue_deed
from tests.coop_factory import add_rat, cooperative_input, founders, kecamatan_named, make_cooperative
from tests.web.test_rat_review import pdf_bytes

ROLES = ("anonymous", "superadmin", "officer_in", "officer_out", "editor", "coop_a", "coop_b")


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str  # placeholders: {coop} {deed} {old_deed} {rat}, filled with the owner's objects
    # role -> (status for cooperative A's objects, status for cooperative B's objects)
    expected: dict


def same(status):
    return (status, status)


LOGIN = same(302)
ADMIN_GET = {
    "anonymous": LOGIN,
    "superadmin": same(200),
    "officer_in": (200, 404),
    "officer_out": same(404),
    "editor": same(403),
    "coop_a": same(403),
    "coop_b": same(403),
}
ADMIN_POST_EMPTY = {**ADMIN_GET, "superadmin": same(422), "officer_in": (422, 404)}
ADMIN_REDIRECT = {**ADMIN_GET, "superadmin": same(303), "officer_in": (303, 404)}
PORTAL_OWN = {
    "anonymous": LOGIN,
    "superadmin": same(403),
    "officer_in": same(403),
    "officer_out": same(403),
    "editor": same(403),
    "coop_a": (200, 404),
    "coop_b": (404, 200),
}
PORTAL_NO_ID = {**PORTAL_OWN, "coop_a": same(200), "coop_b": same(200)}
PORTAL_POST_EMPTY = {**PORTAL_OWN, "coop_a": same(422), "coop_b": same(422)}
PORTAL_OWN_POST_EMPTY = {**PORTAL_OWN, "coop_a": (422, 404), "coop_b": (404, 422)}
ADMIN_LIST = {**ADMIN_GET, "officer_in": same(200), "officer_out": same(200)}

ROUTES = [
    Route("admin view", "GET", "/kantor/koperasi/{coop}", ADMIN_GET),
    Route("admin view HEAD", "HEAD", "/kantor/koperasi/{coop}", ADMIN_GET),
    Route("admin edit form", "GET", "/kantor/koperasi/{coop}/ubah", ADMIN_GET),
    Route("admin edit save", "POST", "/kantor/koperasi/{coop}/ubah", ADMIN_POST_EMPTY),
    Route("admin RAT record", "POST", "/kantor/koperasi/{coop}/rat", ADMIN_POST_EMPTY),
    Route("admin RAT queue", "GET", "/kantor/koperasi/rat/menunggu", ADMIN_LIST),
    Route("admin RAT report", "GET", "/kantor/koperasi/rat/{rat}", ADMIN_GET),
    Route("admin RAT minutes", "GET", "/kantor/koperasi/rat/{rat}/notulen.pdf", ADMIN_GET),
    Route("admin RAT minutes upload", "POST", "/kantor/koperasi/rat/{rat}/notulen", ADMIN_POST_EMPTY),
    # Rejecting without a reason: the error, before any confirmation.
    Route("admin RAT reject", "POST", "/kantor/koperasi/rat/{rat}/tolak", ADMIN_POST_EMPTY),
    Route(
        "admin RAT confirm",
        "POST",
        "/kantor/koperasi/rat/{rat}/konfirmasi",
        ADMIN_REDIRECT,
    ),
    Route("admin invite", "POST", "/kantor/koperasi/{coop}/undangan", ADMIN_POST_EMPTY),
    Route("portal home", "GET", "/portal/", PORTAL_NO_ID),
    Route("portal home HEAD", "HEAD", "/portal/", PORTAL_NO_ID),
    Route("portal deed versions", "GET", "/portal/akta", PORTAL_NO_ID),
    Route("portal current deed", "GET", "/portal/akta/{deed}", PORTAL_OWN),
    Route("portal current deed HEAD", "HEAD", "/portal/akta/{deed}", PORTAL_OWN),
    Route("portal previous deed version", "GET", "/portal/akta/{old_deed}", PORTAL_OWN),
    Route("portal RAT report", "GET", "/portal/rat/{rat}", PORTAL_OWN),
    Route("portal RAT minutes", "GET", "/portal/rat/{rat}/notulen.pdf", PORTAL_OWN),
    Route("portal RAT minutes upload", "POST", "/portal/rat/{rat}/notulen", PORTAL_OWN_POST_EMPTY),
    Route("portal RAT submit form", "GET", "/portal/rat", PORTAL_NO_ID),
    Route("portal RAT submit", "POST", "/portal/rat", PORTAL_POST_EMPTY),
    Route("admin deed preview", "GET", "/kantor/koperasi/{coop}/akta/pratinjau.pdf", ADMIN_GET),
    # The deeds are up to date: issuing again is refused with a message, and redirects.
    Route("admin deed issue", "POST", "/kantor/koperasi/{coop}/akta", ADMIN_REDIRECT),
    Route("admin deed download", "GET", "/kantor/koperasi/akta/{deed}/unduh", ADMIN_GET),
    Route("admin deed download HEAD", "HEAD", "/kantor/koperasi/akta/{deed}/unduh", ADMIN_GET),
    Route("admin previous deed download", "GET", "/kantor/koperasi/akta/{old_deed}/unduh", ADMIN_GET),
    Route("portal deed download", "GET", "/portal/akta/{deed}/unduh", PORTAL_OWN),
    Route("portal deed download HEAD", "HEAD", "/portal/akta/{deed}/unduh", PORTAL_OWN),
    Route("portal previous deed download", "GET", "/portal/akta/{old_deed}/unduh", PORTAL_OWN),
    Route("portal notary PDF download", "GET", "/portal/akta-notaris/{notary}/unduh", PORTAL_OWN),
    Route("admin legal founding facts", "POST", "/kantor/koperasi/{coop}/hukum/pendirian", ADMIN_REDIRECT),
    Route("admin legal notary PDF", "POST", "/kantor/koperasi/{coop}/hukum/akta-notaris", ADMIN_REDIRECT),
    Route("admin legal amendment", "POST", "/kantor/koperasi/{coop}/hukum/perubahan", ADMIN_REDIRECT),
    Route("admin legal dissolution", "POST", "/kantor/koperasi/{coop}/hukum/pembubaran", ADMIN_REDIRECT),
    Route("admin notary PDF download", "GET", "/kantor/koperasi/akta-notaris/{notary}/unduh", ADMIN_GET),
]


def _objects(app, cooperative, officer):
    """Two issued copies (stored, signed PDFs; the record corrected in between), a notary's PDF, a pending RAT."""
    old = issue_deed(db.session, cooperative, officer, config=app.config, instance_path=app.instance_path)
    save_cooperative(db.session, officer, cooperative_input(**_record_of(cooperative), member_count=99), cooperative)
    new = issue_deed(
        db.session, cooperative, officer, config=app.config, instance_path=app.instance_path, correction_note="ketik"
    )
    notary = attach_founding_deed_pdf(
        db.session, cooperative, officer, b"%PDF-1.7 akta " + cooperative.name.encode(), config=app.config
    )
    rat = add_rat(cooperative, clock.today().year - 2, status=RAT_PENDING)
    attach_minutes(db.session, officer, rat, MinutesUpload(pdf_bytes()), config=app.config)
    return {"coop": cooperative.id, "deed": new.id, "old_deed": old.id, "rat": rat.id, "notary": notary.id}


def _record_of(cooperative) -> dict:
    return {
        "name": cooperative.name,
        "kelurahan": cooperative.kelurahan.name,
        "founders": founders(len(cooperative.founders), cooperative.founders[0].nik[:6]),
    }


@pytest.mark.both_databases
@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app, auth, client, role):
    issuer = auth.create(SUPERADMIN, username="penerbit")
    coop_a = make_cooperative(name="Koperasi A", kelurahan="Penjaringan")
    coop_b = make_cooperative(name="Koperasi B", kelurahan="Pinangsia", founders=founders(9, "317300"))
    owners = {"A": _objects(app, coop_a, issuer), "B": _objects(app, coop_b, issuer)}
    logins = {
        "superadmin": dict(role=SUPERADMIN),
        "officer_in": dict(role=OFFICER, kecamatan_id=kecamatan_named("Penjaringan").id),
        "officer_out": dict(role=OFFICER, kecamatan_id=kecamatan_named("Gambir").id),
        "editor": dict(role=EDITOR),
        "coop_a": dict(role=COOPERATIVE, cooperative_id=coop_a.id),
        "coop_b": dict(role=COOPERATIVE, cooperative_id=coop_b.id),
    }
    if role != "anonymous":
        fields = logins[role]
        auth.login_as(fields.pop("role"), **fields)

    mismatches = []
    for route in ROUTES:
        for position, owner in enumerate(("A", "B")):
            url = route.path.format(**owners[owner])
            response = client.open(url, method=route.method, data={} if route.method == "POST" else None)
            expected = route.expected[role][position]
            if response.status_code != expected:
                mismatches.append(
                    f"{route.name} {route.method} {url} (owner {owner}): {response.status_code} != {expected}"
                )
            if route.method == "HEAD":
                assert response.get_data() == b""
    assert mismatches == []


def test_matrix_covers_every_cooperative_route(app):
    """A new portal or cooperative back-office route must be added to the matrix."""
    covered = {(route.method, route.path.split("{")[0].rstrip("/")) for route in ROUTES}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("portal.", "cooperatives_admin.")):
            prefix = rule.rule.split("<")[0].rstrip("/")
            public = rule.endpoint in {
                "portal.accept_invitation",
                "cooperatives_admin.index",
                "cooperatives_admin.create",
                "cooperatives_admin.dashboard",
                "cooperatives_admin.dashboard_csv",
                "cooperatives_admin.dashboard_xlsx",
                "cooperatives_admin.add_row",
                "cooperatives_admin.remove_row",
                "cooperatives_admin.rat_queue",
            }
            if not public and not any(
                method == m and path.startswith(prefix) for m in rule.methods for method, path in covered
            ):
                missing.append(rule.rule)
    assert missing == []


def test_portal_shows_only_the_accounts_own_cooperative(auth, client):
    coop_a = make_cooperative(name="Koperasi Akuarium", kelurahan="Penjaringan")
    make_cooperative(name="Koperasi Kumir", kelurahan="Pinangsia", founders=founders(9, "317300"))
    auth.login_as(COOPERATIVE, cooperative_id=coop_a.id)
    page = client.get("/portal/").get_data(as_text=True)
    assert "Koperasi Akuarium" in page and "Koperasi Kumir" not in page
    assert "3172••••••••0001" in page and "3172010000000001" not in page
