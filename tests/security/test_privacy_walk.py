"""Walk every public page and API route over the demo data: nothing personal may appear anywhere.

Fails on a 16-digit NIK-like number, a phone number, or any owner's NIK, phone or home address, in a
response body, a header, or the log.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from flask import current_app

from demo.records import seed_businesses, seed_cooperatives
from extensions import db
from models.business import Business, Person
from models.cooperative import Cooperative, CooperativeFounder, CooperativeOfficial
from models.outreach import OutreachRequest
from services.directory import slug
from services.permits import revoke_permit
from services.search import rebuild_index

PUBLIC_BLUEPRINTS = {"public", "directory", "api", "health", "outreach"}
NIK_LIKE = re.compile(r"(?<!\d)\d{16}(?!\d)")
PHONE_LIKE = re.compile(r"(?:\+62|(?<![\d.])62|(?<![\d.])08)\d{8,12}(?!\d)")
HREF = re.compile(r'href="(/[^"#]*)"')
SKIP_PREFIXES = ("/static/", "/masuk", "/bahasa/", "/kantor", "/admin", "/portal")


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["OPENDATA_DIR"] = str(tmp_path / "opendata")
    return app_config


def _issue_permits(app, count: int = 3) -> list:
    """Real signed certificates for a few demo businesses, so that verification is walked too."""
    from tests.permits.helpers import add_official, issue

    permits = []
    for business in db.session.scalars(db.select(Business).order_by(Business.id).limit(count)).all():
        add_official(business.kelurahan)
        permits.append(issue(app, business))
    return permits


def _route_urls(app, permits: list) -> list[str]:
    """One URL per record for every GET route of the public blueprints."""
    businesses = db.session.scalars(db.select(Business)).all()
    cooperatives = db.session.scalars(db.select(Cooperative)).all()
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.split(".")[0] not in PUBLIC_BLUEPRINTS:
            continue
        arguments = set(rule.arguments) - set(rule.defaults or {})
        records = cooperatives if "cooperative" in rule.endpoint else businesses
        if not arguments:
            urls.append(rule.rule)
        elif arguments == {"record_id"}:
            urls.extend(rule.rule.replace("<int:record_id>", str(r.id)) for r in records)
        elif arguments == {"record_id", "slug"}:
            urls.extend(
                rule.rule.replace("<int:record_id>", str(r.id)).replace("<slug>", slug(r.name)) for r in records
            )
        elif arguments == {"token"}:
            urls.extend(rule.rule.replace("<token>", p.token) for p in permits)
        elif arguments == {"digest"}:
            urls.extend(rule.rule.replace("<digest>", p.document_sha256) for p in permits)
        elif arguments == {"code"}:
            urls.extend(rule.rule.replace("<code>", r.code) for r in db.session.scalars(db.select(OutreachRequest)))
        elif arguments == {"name"}:
            urls.extend(
                rule.rule.replace("<name>", n) for n in ("registri-usaha-koperasi.csv", "registri-usaha-koperasi.json")
            )
        else:
            pytest.fail(f"privacy walk does not know how to visit {rule.rule}: teach it")
    words = {b.name.split()[-1] for b in businesses[:10]}
    urls += [f"/cari?q={w}" for w in words] + [f"/cari/unduh.csv?q={w}" for w in words]
    urls += ["/api/v1/businesses?per_page=100", "/api/v1/cooperatives?per_page=100", "/cari?urut=nama&halaman=2"]
    urls += [f"/verify/{p.token}" for p in permits]  # the verdict page: holder masked, nothing personal
    return urls


# An officer's internal note on a revocation, with the kind of thing people type into free text.
INTERNAL_NOTE = "Pemilik (NIK 3171014503850099, HP 0812-9999-8888) pindah ke Jl. Rahasia No. 9"
NOTE_SECRETS = {"3171014503850099", "0812-9999-8888", "Jl. Rahasia No. 9"}


def _revoke_with_notes(permits: list) -> None:
    """Two of the permits revoked with an internal note: their verification pages are walked as revoked."""
    for permit in permits[:2]:
        revoke_permit(db.session, permit, None, "data_tidak_benar", note=INTERNAL_NOTE, config=current_app.config)


def _founder_secrets() -> set[str]:
    """Founders' NIK, address and birth date: in the deed and the back office, never public."""
    founders = db.session.scalars(db.select(CooperativeFounder)).all()
    assert founders, "the walk needs cooperatives with founders"
    for cooperative in db.session.scalars(db.select(Cooperative)):
        chosen = cooperative.founders[:4]
        for position, (founder, body, title) in enumerate(
            zip(
                chosen,
                ("pengurus", "pengurus", "pengurus", "pengawas"),
                ("Ketua", "Sekretaris", "Bendahara", "Ketua"),
                strict=False,
            )
        ):
            db.session.add(
                CooperativeOfficial(
                    cooperative=cooperative, body=body, position=position, full_name=founder.full_name, title=title
                )
            )
    db.session.commit()
    secrets = set()
    for founder in founders:
        secrets.add(founder.nik)
        if founder.address:
            secrets.add(founder.address)
    return secrets


def _outreach_reports(client, kelurahan) -> set[str]:
    """Two "Kabarkan" reports sent through the public form; their reporters' names and phones are secrets."""
    from tests.outreach.helpers import report_form

    secrets = set()
    for n in (1, 2):
        phone = f"0813 9000 {n:04d}"
        name = f"Pelapor Rahasia {n}"
        response = client.post("/kabarkan", data=report_form(kelurahan, reporter_name=name, reporter_phone=phone))
        assert response.status_code == 200
        secrets.update({name, phone.replace(" ", ""), "+62" + phone.replace(" ", "")[1:]})
    return secrets


def test_no_personal_data_on_any_public_page_or_api_route(app, client, runner, caplog):
    app.config["RATELIMIT_ENABLED"] = False
    seed_businesses(db.session, 60, seed=11)
    seed_cooperatives(db.session, 10, seed=11)
    rebuild_index(db.session)
    assert runner.invoke(args=["opendata", "export"]).exit_code == 0
    people = db.session.scalars(db.select(Person)).all()
    secrets = set(NOTE_SECRETS) | _founder_secrets()
    for person in people:
        secrets.update({person.nik, person.phone, person.phone.replace("+62", "0"), person.home_address})
        secrets.add(person.home_address.split(", RT")[0])  # the street part alone
    caplog.set_level(logging.DEBUG)

    permits = _issue_permits(app)
    _revoke_with_notes(permits)
    secrets.update(_outreach_reports(client, people[0].businesses[0].kelurahan))
    queue = deque(_route_urls(app, permits) + ["/"])
    seen: set[str] = set()
    visited = 0
    while queue:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP_PREFIXES):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 301, 302), f"{url} answered {response.status_code}"
        # X-Request-ID is 16 random hex digits: now and then all decimal, so NIK- or phone-shaped by chance.
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items() if k != "X-Request-ID")
        body = response.get_data(as_text=True) + "\n" + headers
        visited += 1
        for secret in secrets:
            assert secret not in body, f"personal data on {url}"
        assert not NIK_LIKE.search(body), f"NIK-like number on {url}: {NIK_LIKE.search(body).group()}"
        assert not PHONE_LIKE.search(body), f"phone number on {url}: {PHONE_LIKE.search(body).group()}"
        if response.status_code in (301, 302):
            queue.append(urlsplit(response.headers["Location"]).path)
        if response.mimetype == "text/html":
            queue.extend(href.replace("&amp;", "&") for href in HREF.findall(response.get_data(as_text=True)))
    assert sum(url.startswith("/lacak/") for url in seen) >= 2  # the outreach tracking pages
    assert visited > 150  # every business and cooperative page, the API, the exports, the search pages
    log_text = caplog.text
    assert not any(secret in log_text for secret in secrets) and not NIK_LIKE.search(log_text)
