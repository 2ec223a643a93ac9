"""The full rebuild reads businesses as plain rows: its documents must equal the ORM path's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from extensions import db
from models.permit import Permit
from services.search.documents import iter_business_documents, load_documents
from tests.factories import make_business


@pytest.mark.both_databases
def test_bulk_business_documents_equal_the_per_record_ones(app):
    with_permits = make_business("Bengkel Jaya Motor", nib="9120001234567")
    make_business("Warung Bu Sri", kbli="56102", status="closed")
    for seq in (1, 2):
        db.session.add(
            Permit(
                number=f"510/{seq:04d}/IUMK/2024",
                series="IUMK",
                year=2024,
                seq=seq,
                token=f"token-{seq}",
                business=with_permits,
                business_name=with_permits.name,
                kelurahan_id=with_permits.kelurahan_id,
                issued_on=date(2024, 1, seq),
                valid_until=date(2029, 1, seq),
                # One current permit per business (a database rule): the first was replaced by the second.
                superseded_at=datetime(2024, 1, 2, tzinfo=UTC) if seq == 1 else None,
            )
        )
    db.session.commit()
    ids = [document["record_id"] for document in iter_business_documents(db.session)]
    expected, _missing = load_documents(db.session, "business", ids)
    bulk = list(iter_business_documents(db.session))
    assert bulk == sorted(expected, key=lambda document: document["record_id"])
    assert "0001" in bulk[0]["id_words"] and "9120001234567" in bulk[0]["id_words"]
    assert bulk[1]["status"] == "closed" and bulk[1]["kbli_code"] == "56102"
