"""Every back-office and portal route, taken from the URL map, answers below 500, with JavaScript
(HX-Request) and without, for each of its methods (a POST carries an empty form and a valid CSRF
token, as a person pressing the button on an empty form would).

Routes come from the URL map, so a new route is walked too; an argument the walk does not know gets 1
(add a real value in `_arguments` for a better walk).
"""

from __future__ import annotations

import pytest
from flask import current_app

from extensions import db
from models.content import MediaFile, Page, Revision
from models.cooperative import Cooperative, CooperativeInvitation, FoundingDeed, RatReport
from models.permit import Permit
from models.user import COOPERATIVE, OFFICER, SUPERADMIN, PasswordLink, User

WALKED_PREFIXES = ("/kantor", "/portal")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(SIGNING_DEMO_DIR=str(tmp_path / "signing"), MEDIA_DIR=str(tmp_path / "media"))
    return app_config


def _first(model, **where):
    query = db.select(model.id).order_by(model.id)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query.limit(1)) or 999_999


def _seed_everything() -> None:
    """Demo data for every kind of record a back-office URL names."""
    from demo import records as demo
    from demo.content import seed_content

    demo.seed_businesses(db.session, 6, seed=7)
    demo.seed_cooperatives(db.session, 3, seed=7)
    demo.seed_officials(db.session, seed=7)
    demo.seed_rat_histories(db.session, seed=7)
    seed_content(db.session)
    demo.seed_permits(
        db.session,
        2,
        config=current_app.config,
        municipality=current_app.extensions["municipality"],
        instance_path=current_app.instance_path,
    )
    demo.seed_deeds(db.session, config=current_app.config, instance_path=current_app.instance_path)
    db.session.commit()


def _arguments() -> dict:
    from models.business import Business

    return {
        "business_id": _first(Business),
        "permit_id": _first(Permit),
        "cooperative_id": _first(Cooperative),
        "deed_id": _first(FoundingDeed),
        "report_id": _first(RatReport),
        "item_id": _first(Page),
        "kind_slug": "halaman",
        "revision_id": _first(Revision),
        "media_id": _first(MediaFile),
        "invitation_id": _first(CooperativeInvitation),
        "user_id": _first(User, role=OFFICER),
        "link_id": _first(PasswordLink),
        "job_id": "tidak-ada",
        "kind": "founders",
        "field": "owner_nik",
        "token": "token-yang-tidak-ada",
    }


def _routes(app) -> list:
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(WALKED_PREFIXES)]
    # Read-only first, then the forms; deleting last so that everything else still finds its record.
    return sorted(rules, key=lambda rule: ("hapus" in rule.rule, "POST" in rule.methods and "GET" not in rule.methods))


def _walk(client, rules, arguments, headers: dict) -> list[str]:
    failures = []
    for rule in rules:
        # An argument this walk does not know yet (a new route) gets 1: usually the first record, else a 404.
        url = rule.build({name: arguments.get(name, 1) for name in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={} if method == "POST" else None, headers=headers)
            if response.status_code >= 500:
                failures.append(f"{method} {url} {'(htmx)' if headers else ''} -> {response.status_code}")
    return failures


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["without-javascript", "with-javascript"])
def test_every_back_office_route_answers_below_500(app, auth, client, headers):
    _seed_everything()
    auth.create(OFFICER, username="petugas-jalan")  # a user for the account pages to act on
    auth.login_as(SUPERADMIN)
    rules = [rule for rule in _routes(app) if not rule.endpoint.startswith("portal.")]
    assert len(rules) > 40
    failures = _walk(client, rules, _arguments(), headers)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["without-javascript", "with-javascript"])
def test_every_portal_route_answers_below_500(app, auth, client, headers):
    _seed_everything()
    auth.login_as(COOPERATIVE)
    rules = [rule for rule in _routes(app) if rule.endpoint.startswith("portal.")]
    failures = _walk(client, rules, _arguments(), headers)
    assert not failures, "\n".join(failures)


def test_the_walk_sees_a_5xx(app, auth, client):
    """The walk can fail: a route made to raise is reported."""
    _seed_everything()
    auth.login_as(SUPERADMIN)
    broken = next(rule for rule in _routes(app) if rule.endpoint == "backoffice.business_list")

    def explode():
        raise RuntimeError("broken on purpose")

    app.view_functions["backoffice.business_list"] = explode
    assert _walk(client, [broken], _arguments(), HTMX) == ["GET /kantor/usaha/ (htmx) -> 500"]
