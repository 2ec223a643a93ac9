"""Deed issuing is idempotent per cooperative: two officers (or a double click) at once give one version."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from models.cooperative import Cooperative, FoundingDeed
from services import deeds, documents
from tests.coop_factory import make_cooperative
from tests.permits.concurrency import rendezvous, run_together


@pytest.mark.both_databases
def test_two_officers_issuing_the_same_deed_at_once_get_one_version(app, monkeypatch, db_kind):
    cooperative_id = make_cooperative().id

    def act():
        cooperative = db.session.get(Cooperative, cooperative_id)
        return deeds.issue_deed(db.session, cooperative, None, config=app.config, instance_path=app.instance_path)

    with rendezvous(monkeypatch, documents, "issue_pdf", parties=3):
        results = run_together(app, 3, act)

    issued = [r for r in results if isinstance(r, FoundingDeed)]
    refused = [r for r in results if isinstance(r, deeds.DeedError)]
    assert len(issued) == 1 and len(refused) == 2, results
    assert "sudah sesuai" in str(refused[0]) or "petugas lain" in str(refused[0])
    db.session.expire_all()
    versions = db.session.scalars(select(FoundingDeed.version).where(FoundingDeed.cooperative_id == cooperative_id))
    assert list(versions) == [1]


@pytest.mark.both_databases
def test_double_click_on_issue_deed_answers_no_5xx(app, auth, client, db_kind):
    auth.login_as("superadmin")
    cooperative_id = make_cooperative().id
    url = f"/kantor/koperasi/{cooperative_id}/akta"
    first = client.post(url)
    second = client.post(url, follow_redirects=True)
    assert first.status_code < 500 and second.status_code == 200
    assert "sudah sesuai" in second.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(FoundingDeed.id))) == 1
