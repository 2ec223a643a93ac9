"""Superadmins filter and export the audit log; refusals (403, 429) are in it with their request id."""

from __future__ import annotations

import csv
import io

from extensions import db
from models.audit import AuditEvent
from models.user import EDITOR, SUPERADMIN
from services import audit


def test_every_response_carries_a_request_id_and_a_good_incoming_one_is_kept(client):
    made = client.get("/").headers["X-Request-ID"]
    assert len(made) == 16
    assert client.get("/", headers={"X-Request-ID": "proxy-req-12345678"}).headers["X-Request-ID"] == (
        "proxy-req-12345678"
    )
    assert client.get("/", headers={"X-Request-ID": "bad id <script>"}).headers["X-Request-ID"] != "bad id <script>"


def test_a_forbidden_request_is_audited_once_per_minute_with_its_request_id(auth, client):
    audit._last_refusal.clear()
    editor = auth.login_as(EDITOR)
    first = client.get("/kantor/audit", headers={"X-Request-ID": "req-forbidden-0001"})
    assert first.status_code == 403
    client.get("/kantor/audit")
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "access.forbidden")).all()
    assert len(events) == 1
    assert events[0].actor_id == editor.id and events[0].request_id == "req-forbidden-0001"
    assert events[0].summary == "GET /kantor/audit"


def test_superadmin_filters_by_request_id_and_exports_with_hashes(auth, client):
    auth.login_as(SUPERADMIN)
    audit.record(db.session, None, "test.one", "record", 1, summary="=HYPERLINK(1)", request_id="req-aaaa-0001")
    audit.record(db.session, None, "test.two", "record", 2, summary="kedua", request_id="req-bbbb-0002")
    db.session.commit()
    page = client.get("/kantor/audit?request_id=req-aaaa-0001").get_data(as_text=True)
    results = page.split('id="results"')[1]
    assert "test.one" in results and "test.two" not in results
    response = client.get("/kantor/audit.csv?request_id=req-aaaa-0001")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == audit.EXPORT_HEADER and len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["tindakan"] == "test.one" and row["ringkasan"] == "'=HYPERLINK(1)" and len(row["hash"]) == 64


def test_only_superadmins_export_the_audit_log(auth, client):
    auth.login_as(EDITOR)
    assert client.get("/kantor/audit.csv").status_code == 403
