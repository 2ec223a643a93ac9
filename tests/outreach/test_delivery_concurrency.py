"""Two officers create a delivery run for the same kecamatan at the same moment: each permit joins one run."""

from __future__ import annotations

import pytest

from extensions import db
from models.outreach import Delivery, DeliveryRun
from models.user import SUPERADMIN
from services import clock, delivery
from services.users import create_user
from tests.outreach.helpers import kelurahan_in
from tests.permits.concurrency import rendezvous, run_together
from tests.permits.helpers import add_business, add_official, issue
from tests.support import TEST_PASSWORD


@pytest.mark.both_databases
def test_concurrent_runs_never_take_the_same_permit(app, db_kind, monkeypatch):
    kelurahan = kelurahan_in()
    add_official(kelurahan)
    users = [create_user(db.session, f"admin{n}", TEST_PASSWORD, SUPERADMIN, f"Admin {n}") for n in (1, 2)]
    for n in range(3):
        issue(app, add_business(kelurahan, name=f"Usaha {n}", nik=f"31710145038500{n + 10:02d}"))
    user_ids = [u.id for u in users]
    kecamatan_id, today = kelurahan.parent_id, clock.today()

    def act(index=iter(range(2))):
        from models.user import User

        user = db.session.get(User, user_ids[next(index)])
        return delivery.create_run(
            db.session, user, kecamatan_id=kecamatan_id, run_on=today, courier_user_id=None, courier_name="Kurir"
        )

    with rendezvous(monkeypatch, delivery, "awaiting", parties=2, timeout=2.0):
        results = run_together(app, 2, act)
    db.session.expire_all()
    made = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, delivery.DeliveryError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert db.session.scalar(db.select(db.func.count()).select_from(DeliveryRun)) == 1
    permit_ids = db.session.scalars(db.select(Delivery.permit_id)).all()
    assert len(permit_ids) == len(set(permit_ids)) == 3
