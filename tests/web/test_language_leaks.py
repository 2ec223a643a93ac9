"""Indonesian pages speak only Indonesian: no phrase of the English catalogue appears on them (a leak means a
string was translated twice, or an English word was written into a template)."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from demo import records as demo
from extensions import db
from models.user import SUPERADMIN
from services import clock
from tests.coop_factory import add_rat, make_cooperative

CATALOGUE = Path(__file__).resolve().parents[2] / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PUBLIC = ("/", "/cari?q=warung", "/angka", "/data-terbuka", "/berita", "/masuk/")
BACK_OFFICE = (
    "/kantor/",
    "/kantor/usaha/",
    "/kantor/koperasi/",
    "/kantor/koperasi/dasbor",
    "/kantor/koperasi/rat/menunggu",
    "/kantor/koperasi/baru",
    "/kantor/konten/",
)


def english_phrases() -> set[str]:
    """Fragments of two words or more of the English translations that no Indonesian text contains."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    indonesian = " | ".join(
        text
        for message in catalogue
        if message.id
        for text in (message.id if isinstance(message.id, tuple) else (message.id,))
    )
    phrases = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if not text or text in ids:
                continue
            for fragment in re.split(r"%\(\w+\)[sd]|[“”\"():;,.!?·—…]", text):
                fragment = " ".join(fragment.split())
                # A fragment that Indonesian also uses ("per kecamatan") is no leak.
                if len(fragment.split()) >= 2 and len(fragment) >= 10 and fragment not in indonesian:
                    phrases.add(fragment)
    return phrases


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    attributes = " ".join(re.findall(r'(?:aria-label|placeholder|title|alt)="([^"]*)"', page))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attributes).split())


def test_the_english_catalogue_is_read():
    phrases = english_phrases()
    assert "Reject the report" in phrases and len(phrases) > 200


@pytest.mark.parametrize("path", PUBLIC + BACK_OFFICE)
def test_indonesian_pages_carry_no_english_phrase(app, auth, client, path):
    demo.seed_businesses(db.session, 15, seed=5)
    cooperative = make_cooperative(founding_date=date(2010, 1, 1))
    add_rat(cooperative, clock.today().year - 1, status="pending")
    if path.startswith("/kantor"):
        auth.login_as(SUPERADMIN)
    response = client.get(path)
    assert response.status_code == 200, path
    text = visible_text(response.get_data(as_text=True))
    leaks = sorted(phrase for phrase in english_phrases() if re.search(rf"\b{re.escape(phrase)}\b", text))
    assert leaks == [], f"{path}: {leaks[:10]}"


@pytest.mark.parametrize(("role", "label"), [("officer", "Petugas"), ("editor", "Editor konten")])
def test_the_dashboard_names_the_role_in_indonesian(auth, client, role, label):
    auth.login_as(role)
    page = client.get("/kantor/").get_data(as_text=True)
    assert f"Peran Anda: {label}" in page and f"Peran Anda: {role}" not in page
