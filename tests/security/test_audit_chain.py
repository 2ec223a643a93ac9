"""The audit log is append-only and hash-chained: `flask audit verify` names the first broken entry."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from extensions import db
from models.audit import AuditEvent
from models.user import SUPERADMIN
from services import audit


def _append(count: int, actor=None) -> list[AuditEvent]:
    events = [
        audit.record(
            db.session, actor, "test.change", "record", number, summary=f"perubahan {number}", after={"n": number}
        )
        for number in range(count)
    ]
    db.session.commit()
    return events


@pytest.mark.both_databases
def test_each_entry_holds_the_hash_of_the_previous_one_and_verify_passes(auth, runner):
    actor = auth.create(SUPERADMIN, username="root")
    events = _append(5, actor)
    assert all(event.entry_hash and len(event.entry_hash) == 64 for event in events)
    assert len({event.entry_hash for event in events}) == 5
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit log intact" in result.output


@pytest.mark.both_databases
def test_the_database_refuses_updates_and_deletes(app):
    event = _append(1)[0]
    for statement in (
        "UPDATE audit_event SET summary = 'dipalsukan' WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement), {"id": event.id})
            db.session.flush()
        db.session.rollback()
    assert db.session.get(AuditEvent, event.id).summary == "perubahan 0"


def _drop_guard(db_kind: str) -> None:
    if db_kind == "postgresql":
        db.session.execute(text("DROP TRIGGER audit_event_append_only ON audit_event"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_no_delete"))


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("tamper", "broken_index"),
    [
        ("UPDATE audit_event SET summary = 'dipalsukan' WHERE id = :id", 2),
        ("UPDATE audit_event SET after = NULL WHERE id = :id", 2),
        ("DELETE FROM audit_event WHERE id = :id", 3),
    ],
)
def test_tampering_by_someone_who_bypasses_the_triggers_is_found(db_kind, runner, tamper, broken_index):
    events = _append(5)
    ids = [event.id for event in events]
    _drop_guard(db_kind)
    db.session.execute(text(tamper), {"id": ids[2]})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry #{ids[broken_index]}" in result.output


@pytest.mark.both_databases
def test_officers_appending_at_once_keep_one_unbroken_chain(app, runner, db_kind):
    """Eight threads, each with its own session, append at the same moment: the chain stays one line."""
    import threading

    from sqlalchemy.orm import Session

    barrier = threading.Barrier(8)
    errors = []

    def append(number: int) -> None:
        with app.app_context(), Session(db.engine) as session:
            try:
                barrier.wait(timeout=30)
                for step in range(5):
                    audit.record(session, None, "test.change", "record", number * 10 + step, summary="serentak")
                    session.commit()
            except Exception as exc:  # reported below with the thread's number
                errors.append((number, repr(exc)))

    threads = [threading.Thread(target=append, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "40 entries" in result.output, result.output
