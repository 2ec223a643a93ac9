"""Every endpoint of the URL map, paired exactly with a row of the role × scope × owner matrix.

The guard CKAN keeps (`test_coding_standards.py`): an endpoint without a row fails the test by name, so
a route added tomorrow must say who may use it. Each row is walked with GET, HEAD and POST (whichever the
rule takes), with and without `HX-Request`, by an anonymous visitor and by every role:

- anonymous, on a row that needs a login: sent to the login page (a redirect, or 401 for htmx);
- a role the action does not allow: 403;
- a role it allows: neither 401 nor 403, and never a 5xx;
- scope and owner: an officer of another kecamatan, or another cooperative's account, gets 404 on a
  record that is not theirs (no hint that it exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from werkzeug.routing import Rule

from extensions import db
from models.content import NewsPost
from models.user import COOPERATIVE, EDITOR, OFFICER, SUPERADMIN
from services import authorization
from services.deeds import issue_deed
from services.invitations import create_invitation
from services.permits import issue_permit
from services.search import rebuild_index
from services.users import create_password_link, create_user
from tests.coop_factory import add_rat, founders, make_cooperative
from tests.permits.helpers import add_business, add_official, any_kelurahan
from tests.support import TEST_PASSWORD

PUBLIC = "public"  # anyone, logged in or not
SIGN_IN = "sign-in"  # the log-in steps themselves: anyone, never an error
LOGGED_IN = "logged-in"  # any account, for its own settings


@dataclass(frozen=True)
class Row:
    who: str  # PUBLIC, SIGN_IN, LOGGED_IN or an action of services.authorization.ACTIONS
    scoped: bool = False  # the URL names a record of kecamatan A / cooperative A


MATRIX: dict[str, Row] = {
    # Public registry, site, verification, API, health.
    "public.home": Row(PUBLIC),
    "directory.search": Row(PUBLIC),
    "directory.business": Row(PUBLIC),
    "directory.cooperative": Row(PUBLIC),
    "directory.export_csv": Row(PUBLIC),
    "directory.open_data": Row(PUBLIC),
    "directory.open_data_file": Row(PUBLIC),
    "site.figures_page": Row(PUBLIC),
    "site.figures_csv": Row(PUBLIC),
    "site.media_file": Row(PUBLIC),
    "site.news_feed": Row(PUBLIC),
    "site.news_index": Row(PUBLIC),
    "site.news_post": Row(PUBLIC),
    "site.page": Row(PUBLIC),
    "site.robots": Row(PUBLIC),
    "site.sitemap": Row(PUBLIC),
    "site.sitemap_part": Row(PUBLIC),
    "verify.lookup": Row(PUBLIC),
    "verify.show": Row(PUBLIC),
    "verify.check_file": Row(PUBLIC),
    "verify.check_holder": Row(PUBLIC),
    "api.verify_file": Row(PUBLIC),
    "api.verify_sha256": Row(PUBLIC),
    "api.verify_token": Row(PUBLIC),
    "api.business": Row(PUBLIC),
    "api.businesses": Row(PUBLIC),
    "api.cooperative": Row(PUBLIC),
    "api.cooperatives": Row(PUBLIC),
    "api.openapi": Row(PUBLIC),
    "health.healthz": Row(PUBLIC),
    "i18n.switch": Row(PUBLIC),
    "admin_legacy.moved": Row(PUBLIC),
    "outreach.report": Row(PUBLIC),
    "outreach.track": Row(PUBLIC),
    "outreach.track_lookup": Row(PUBLIC),  # a 301 to /kantor/…, where the real row applies
    # Signing in, invitations and set-password links (the token is the credential).
    "auth.login": Row(SIGN_IN),
    "auth.logout": Row(SIGN_IN),
    "auth.enrol": Row(SIGN_IN),
    "auth.second_factor": Row(SIGN_IN),
    "auth.set_password": Row(SIGN_IN),
    "portal.accept_invitation": Row(SIGN_IN),
    # Everyone's own account.
    "account.index": Row(LOGGED_IN),
    "account.change_password": Row(LOGGED_IN),
    "account.log_out_everywhere": Row(LOGGED_IN),
    "account.recovery_codes": Row(LOGGED_IN),
    "account.totp_confirm": Row(LOGGED_IN),
    "account.totp_remove": Row(LOGGED_IN),
    "account.totp_setup": Row(LOGGED_IN),
    # The back office.
    "admin.dashboard": Row("dashboard.view"),
    "admin.work_figures_download": Row("outreach.manage"),
    "backoffice.audit_export": Row("audit.view"),
    "backoffice.audit_log": Row("audit.view"),
    "backoffice.batch_download": Row("permit.manage"),
    "backoffice.batch_print": Row("permit.manage"),
    "backoffice.batch_status": Row("permit.manage"),
    "backoffice.batch_retry": Row("permit.manage"),
    "backoffice.permit_renew": Row("permit.manage", scoped=True),
    "backoffice.business_detail": Row("business.manage", scoped=True),
    "backoffice.business_edit": Row("business.manage", scoped=True),
    "backoffice.business_list": Row("business.manage"),
    "backoffice.business_new": Row("business.manage"),
    "backoffice.business_nik_search": Row("business.manage"),
    "backoffice.business_validate_field": Row("business.manage"),
    "backoffice.kbli_search": Row("business.manage"),
    "backoffice.permit_download": Row("permit.manage", scoped=True),
    "backoffice.permit_issue": Row("permit.manage", scoped=True),
    "backoffice.permit_list": Row("permit.manage"),
    "backoffice.permit_preview": Row("permit.manage", scoped=True),
    "backoffice.permit_reissue": Row("permit.manage", scoped=True),
    "backoffice.permit_revoke": Row("permit.manage", scoped=True),
    "cooperatives_admin.add_row": Row("cooperative.manage"),
    "cooperatives_admin.confirm_rat": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.create": Row("cooperative.manage"),
    "cooperatives_admin.dashboard": Row("cooperative.manage"),
    "cooperatives_admin.dashboard_csv": Row("cooperative.manage"),
    "cooperatives_admin.dashboard_xlsx": Row("cooperative.manage"),
    "cooperatives_admin.deed_file": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.deed_issue": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.deed_preview": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.detail": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.edit": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.index": Row("cooperative.manage"),
    "cooperatives_admin.rat_minutes": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.rat_minutes_upload": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.rat_queue": Row("cooperative.manage"),
    "cooperatives_admin.rat_report": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.legal_amendment": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.legal_dissolution": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.legal_founding": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.legal_founding_pdf": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.legal_notary_file": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.invite": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.record_rat": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.reject_rat": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.remove_row": Row("cooperative.manage"),
    "cooperatives_admin.revoke_invitation_link": Row("cooperative.manage", scoped=True),
    "cooperatives_admin.show_invitation": Row("cooperative.manage", scoped=True),
    "cms.archive": Row("content.edit"),
    "cms.unarchive": Row("content.edit"),
    "cms.correct": Row("content.edit"),
    "cms.create": Row("content.edit"),
    "cms.edit": Row("content.edit"),
    "cms.index": Row("content.edit"),
    "cms.media_library": Row("content.edit"),
    "cms.media_remove": Row("content.edit"),
    "cms.preview": Row("content.edit"),
    "cms.remove": Row("content.edit"),
    "cms.restore": Row("content.edit"),
    "cms.revisions": Row("content.edit"),
    "users_admin.deactivate": Row("users.manage"),
    "users_admin.detail": Row("users.manage"),
    "users_admin.end_sessions": Row("users.manage"),
    "users_admin.index": Row("users.manage"),
    "users_admin.new": Row("users.manage"),
    "users_admin.new_link": Row("users.manage"),
    "users_admin.reactivate": Row("users.manage"),
    "users_admin.reset_totp": Row("users.manage"),
    "users_admin.revoke_link": Row("users.manage"),
    "users_admin.show_link": Row("users.manage"),
    "users_admin.update": Row("users.manage"),
    # "Jemput bola" outreach and AJIB delivery runs (kecamatan-scoped; sample ids that do not exist are 404).
    "outreach_admin.delivery_record": Row("outreach.manage", scoped=True),
    "outreach_admin.detail": Row("outreach.manage", scoped=True),
    "outreach_admin.outcome": Row("outreach.manage", scoped=True),
    "outreach_admin.plan": Row("outreach.manage", scoped=True),
    "outreach_admin.queue": Row("outreach.manage"),
    "outreach_admin.run_detail": Row("outreach.manage", scoped=True),
    "outreach_admin.run_manifest": Row("outreach.manage", scoped=True),
    "outreach_admin.run_new": Row("outreach.manage"),
    "outreach_admin.runs": Row("outreach.manage"),
    # The cooperative portal: the account's own cooperative only.
    "portal.home": Row("portal.use"),
    "portal.deeds": Row("portal.use"),
    "portal.deed": Row("portal.use", scoped=True),
    "portal.deed_file": Row("portal.use", scoped=True),
    "portal.notary_file": Row("portal.use", scoped=True),
    "portal.rat_report": Row("portal.use", scoped=True),
    "portal.rat_minutes": Row("portal.use", scoped=True),
    "portal.rat_minutes_upload": Row("portal.use", scoped=True),
    # Bringing an existing register in (the upload id is a random name; another's upload is a 404).
    "imports.apply": Row("business.manage"),
    "imports.mapping": Row("business.manage"),
    "imports.progress": Row("business.manage"),
    "imports.report": Row("business.manage"),
    "imports.start": Row("business.manage"),
    "portal.submit_rat": Row("portal.use"),
}

SUBJECTS = ("anonymous", "superadmin", "officer", "officer_elsewhere", "editor", "cooperative", "cooperative_other")
ROLE_OF = {
    "superadmin": SUPERADMIN,
    "officer": OFFICER,
    "officer_elsewhere": OFFICER,
    "editor": EDITOR,
    "cooperative": COOPERATIVE,
    "cooperative_other": COOPERATIVE,
}
# Subjects for whom a scoped record (kecamatan A, cooperative A) is someone else's.
OUTSIDERS = {"officer_elsewhere", "cooperative_other"}


def _endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


def test_every_endpoint_has_exactly_one_row(app):
    endpoints = _endpoints(app)
    missing = sorted(endpoints - set(MATRIX))
    stale = sorted(set(MATRIX) - endpoints)
    assert missing == [], f"add a row to MATRIX in {__file__} for: {missing}"
    assert stale == [], f"remove the rows of endpoints that no longer exist: {stale}"
    unknown = sorted({row.who for row in MATRIX.values()} - {PUBLIC, SIGN_IN, LOGGED_IN} - set(authorization.ACTIONS))
    assert unknown == []


@dataclass
class World:
    values: dict[str, object]
    accounts: dict[str, str]  # subject -> username


def _world(app, auth) -> World:
    here, there = any_kelurahan(), None
    kecamatan_a = here.parent_id
    from models.region import Region

    there = db.session.scalars(
        db.select(Region).where(Region.level == "kelurahan", Region.parent_id != kecamatan_a).limit(1)
    ).one()
    add_official(here)
    business = add_business(here, name="Usaha Matriks")
    permit = issue_permit(
        db.session,
        business,
        None,
        config=app.config,
        municipality=app.extensions["municipality"],
        instance_path=app.instance_path,
    )
    coop_a = make_cooperative(name="Koperasi Matriks A", kelurahan=here.name)
    coop_b = make_cooperative(name="Koperasi Matriks B", kelurahan=there.name, founders=founders(9, "317301"))
    report = add_rat(coop_a, date.today().year - 1)
    deed = issue_deed(db.session, coop_a, None, config=app.config, instance_path=app.instance_path)
    officer = create_user(db.session, "pet-matriks", TEST_PASSWORD, OFFICER, "Petugas Matriks")
    invitation, _token = create_invitation(db.session, officer, coop_a, "Bu Ketua", None)
    target = create_user(db.session, "sasaran", TEST_PASSWORD, EDITOR, "Akun Sasaran")
    link, _ = create_password_link(db.session, None, target)
    news = NewsPost(title="Kabar Matriks", slug="kabar-matriks", summary="Ringkas.", body="Isi.")
    db.session.add(news)
    db.session.commit()
    rebuild_index(db.session)
    accounts = {
        "superadmin": auth.create(SUPERADMIN, username="m-super").username,
        "officer": auth.create(OFFICER, username="m-officer", kecamatan_id=kecamatan_a).username,
        "officer_elsewhere": auth.create(OFFICER, username="m-elsewhere", kecamatan_id=there.parent_id).username,
        "editor": auth.create(EDITOR, username="m-editor").username,
        "cooperative": auth.create(COOPERATIVE, username="m-coop", cooperative_id=coop_a.id).username,
        "cooperative_other": auth.create(COOPERATIVE, username="m-coop-b", cooperative_id=coop_b.id).username,
    }
    values = {
        "business_id": business.id,
        "permit_id": permit.id,
        "cooperative_id": coop_a.id,
        "report_id": report.id,
        "deed_id": deed.id,
        "invitation_id": invitation.id,
        "user_id": target.id,
        "link_id": link.id,
        "item_id": news.id,
        "kind_slug": "berita",
        "revision_id": 1,
        "media_id": 1,
        "copy_id": 1,
        "run_id": 1,
        "delivery_id": 1,
        "request_id": 1,
        "digest": "0" * 64,
        "record_id": business.id,
        "kind": "founders",
        "field": "owner_nik",
        "code": "en",
        "key": "koperasi-per-status",
        "section": "usaha",
        "part": 1,
    }
    return World(values, accounts)


def _url(rule: Rule, world: World) -> str:
    values = {}
    for name in rule.arguments:
        if name in world.values:
            values[name] = world.values[name]
        elif name in ("token", "job_id", "name", "slug", "rest", "upload_id", "fmt"):
            values[name] = "x"
        else:
            pytest.fail(f"the matrix does not know a sample value for <{name}> in {rule.rule}: teach it")
    if rule.endpoint == "directory.cooperative":
        values["record_id"] = world.values["cooperative_id"]
    return rule.build(values, append_unknown=False)[1]


def _requests(app, world: World) -> list[tuple[str, str, str]]:
    requests = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in ("GET", "HEAD", "POST"):
            if method in (rule.methods or ()):
                requests.append((rule.endpoint, method, _url(rule, world)))
    return requests


def _expectation_broken(row: Row, subject: str, status: int, location: str) -> str | None:
    """Why `status` is wrong for `subject` on `row`, or None when it is what the matrix says."""
    if status >= 500:
        return "server error"
    if row.who in (PUBLIC, SIGN_IN):
        return "refused" if status in (401, 403) else None
    if subject == "anonymous":
        sent_to_login = status in (302, 303) and "/masuk" in location
        return None if sent_to_login or status == 401 else "anonymous not sent to log in"
    if row.who == LOGGED_IN:
        return "refused" if status in (401, 403) else None
    allowed = ROLE_OF[subject] in authorization.roles_for(row.who)
    if not allowed:
        return None if status == 403 else "not forbidden"
    if row.scoped and subject in OUTSIDERS:
        return None if status == 404 else "someone else's record answered"
    return "refused" if status in (401, 403) else None


@pytest.mark.parametrize("subject", SUBJECTS)
def test_every_endpoint_answers_each_subject_as_the_matrix_says(app, client, auth, subject):
    app.config["RATELIMIT_ENABLED"] = False
    world = _world(app, auth)
    requests = _requests(app, world)
    assert len(requests) > 100

    def log_in():
        if subject != "anonymous":
            response = auth.login(world.accounts[subject])
            assert response.status_code == 303, response.get_data(as_text=True)

    log_in()
    wrong = []
    for endpoint, method, url in requests:
        row = MATRIX[endpoint]
        for htmx in (False, True):
            if method == "HEAD" and htmx:
                continue
            headers = {"HX-Request": "true"} if htmx else {}
            response = client.open(url, method=method, headers=headers)
            reason = _expectation_broken(row, subject, response.status_code, response.headers.get("Location", ""))
            if reason:
                wrong.append(f"{method} {url} htmx={htmx}: {response.status_code} ({reason})")
            if endpoint in ("auth.logout", "account.log_out_everywhere"):
                log_in()
    assert wrong == [], "\n".join(wrong)
