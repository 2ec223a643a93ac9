"""Audit action names come from one enumeration in one style; rows stored under the old names (the log is
append-only, so they stay as written) still show their label, match their filter and keep the chain whole."""

from __future__ import annotations

import csv
import io
import re

import pytest

from extensions import db
from models.user import SUPERADMIN
from services import audit
from services.audit import ACTION_LABELS, LEGACY_ACTIONS, AuditAction


def test_every_action_is_record_dot_verb_and_has_a_label():
    assert [a.value for a in AuditAction if not re.fullmatch(r"[a-z_]+\.[a-z_]+", a.value)] == []
    assert set(ACTION_LABELS) == set(AuditAction)
    assert len({str(label) for label in ACTION_LABELS.values()}) == len(AuditAction)


def test_every_legacy_name_reads_as_a_member_and_no_legacy_name_is_a_current_one():
    assert all(isinstance(new, AuditAction) for new in LEGACY_ACTIONS.values())
    assert {old for old, _ in LEGACY_ACTIONS} & {a.value for a in AuditAction} == set()
    assert audit.action_name("create", "user") == "user.create"
    assert audit.action_name("create", "cooperative") == "cooperative.create"
    assert audit.action_name("download", "founding_deed") == "deed.download"
    assert audit.action_name("issue", "permit") == "permit.issue"
    assert audit.action_name("test.unknown", "record") == "test.unknown"


def _old_and_new_rows(actor) -> None:
    """What a database written before the one style holds, followed by rows written since."""
    stored = [
        ("issue", "permit", "11 lama"),
        ("create", "user", "akun lama"),
        ("create", "cooperative", "koperasi lama"),
        ("download", "founding_deed", "akta lama"),
        (AuditAction.PERMIT_ISSUE, "permit", "22 baru"),
    ]
    for action, object_type, summary in stored:
        audit.record(db.session, actor, action, object_type, 1, summary=summary)
    db.session.commit()


def _results(page: str) -> str:
    return page.split('id="results"')[1]


@pytest.mark.both_databases
def test_old_rows_show_their_label_match_their_filter_export_their_name_and_verify(auth, client, runner):
    root = auth.login_as(SUPERADMIN, username="root")
    _old_and_new_rows(root)

    everything = client.get("/kantor/audit").get_data(as_text=True)
    results = _results(everything)
    assert results.count("Izin diterbitkan") == 2 and "Akta pendirian diunduh" in results
    assert "Akun dibuat" in results and "Koperasi didaftarkan" in results
    assert ">issue<" not in results and ">create<" not in results
    # The filter offers each action once, by its one-style name, whichever name its rows carry.
    assert everything.count('<option value="permit.issue"') == 1
    assert '<option value="issue"' not in everything and '<option value="create"' not in everything

    issued = _results(client.get("/kantor/audit?action=permit.issue").get_data(as_text=True))
    assert "11 lama" in issued and "22 baru" in issued and "akun lama" not in issued
    users = _results(client.get("/kantor/audit?action=user.create").get_data(as_text=True))
    assert "akun lama" in users and "koperasi lama" not in users
    # A bookmark from before (the old name) still finds its rows.
    assert "11 lama" in _results(client.get("/kantor/audit?action=issue").get_data(as_text=True))

    response = client.get("/kantor/audit.csv?action=deed.download")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["tindakan"], row["ringkasan"]) for row in rows] == [("deed.download", "akta lama")]

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit log intact" in result.output
