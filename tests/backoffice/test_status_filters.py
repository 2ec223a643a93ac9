"""The dashboard's status filters answer 200 with the filtered rows, as a page and as an htmx fragment.

`render()` once took `status=` as the HTTP status, so `?status=operating` became the status line
"0 OPERATING" (a 500 under gunicorn); the template variable and the HTTP status are now separate.
"""

from __future__ import annotations

import pytest

from models.user import SUPERADMIN
from tests.factories import make_business, make_cooperative

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_business_status_filter_answers_200_with_the_filtered_rows(app, auth, client, headers):
    auth.login_as(SUPERADMIN)
    make_business("Warung Masih Buka")
    make_business("Toko Sudah Tutup", status="closed")

    operating = client.get("/kantor/usaha/?status=operating", headers=headers)
    closed = client.get("/kantor/usaha/?status=closed", headers=headers)

    assert operating.status_code == 200 and operating.status == "200 OK"
    assert "Warung Masih Buka" in operating.text and "Toko Sudah Tutup" not in operating.text
    assert closed.status_code == 200 and closed.status == "200 OK"
    assert "Toko Sudah Tutup" in closed.text and "Warung Masih Buka" not in closed.text


@pytest.mark.parametrize("status", ["active", "dormant", "at_risk"])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_cooperative_status_filter_answers_200(app, auth, client, status, headers):
    auth.login_as(SUPERADMIN)
    make_cooperative("Koperasi Filter Status")

    response = client.get(f"/kantor/koperasi/?status={status}", headers=headers)

    assert response.status_code == 200 and response.status == "200 OK"
    if not headers:
        assert f'<option value="{status}" selected>' in response.text
