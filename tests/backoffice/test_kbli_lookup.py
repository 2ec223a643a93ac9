"""KBLI lookup while typing: each word typed narrows the codes; htmx gets options, no JavaScript gets a page."""

from __future__ import annotations

from extensions import db
from models.user import OFFICER
from services.registry import search_kbli


def codes(q: str) -> list[str]:
    return [code.code for code in search_kbli(db.session, q)]


def test_words_in_any_order_find_the_code(app):
    assert "56102" in codes("warung makan")
    assert "56102" in codes("makan warung")
    assert "56102" in codes("  Warung   MAKAN ")
    assert codes("warung tempe") == []


def test_code_prefix_and_wildcards(app):
    assert {"56102", "56103"} <= set(codes("5610"))
    assert all(code.startswith("5610") for code in codes("5610"))
    assert codes("%") == [] and codes("_") == []


def test_htmx_gets_options_and_a_page_without_javascript_gets_a_list(client, auth):
    auth.login_as(OFFICER)
    fragment = client.get("/kantor/kbli?kbli_code=warung+makan", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert '<li role="option" id="kbli-option-2020-56102" data-value="56102"' in fragment.text
    assert "<form" not in fragment.text and "<html" not in fragment.text
    page = client.get("/kantor/kbli?q=warung+makan")
    assert page.status_code == 200 and "<html" in page.text and "Rumah/Warung Makan" in page.text
    none = client.get("/kantor/kbli?q=tidak+ada+kode+seperti+ini")
    assert "Tidak ada kode KBLI yang cocok" in none.text
