"""The registry copy template: multi-page A4 with page numbers, repeated founder headers, articles a–p in order.

The PDF here is rendered without signing or storing (services/documents.html_to_pdf); issued deeds are
tested in tests/web/test_founding_deeds.py.
"""

import io
import re

from flask_babel import force_locale
from pypdf import PdfReader

from extensions import db
from services.deeds import deed_context, new_deed_version, render_deed_html
from services.documents import html_to_pdf
from services.labels import COOPERATIVE_KIND_LABELS
from tests.coop_factory import founders, make_cooperative

ARTICLES = [
    "a. Pendiri",
    "b. Nama dan Tempat Kedudukan",
    "c. Jenis Koperasi",
    "d. Maksud dan Tujuan",
    "e. Jangka Waktu Berdiri",
    "f. Keanggotaan",
    "g. Modal Awal",
    "h. Permodalan",
    "i. Rapat Anggota",
    "j. Pengurus",
    "k. Pengawas",
    "l. Pengelolaan dan Pengawasan",
    "m. Bidang Usaha",
    "n. Pembagian Sisa Hasil Usaha (SHU)",
    "o. Pembubaran",
    "p. Sanksi",
]


def _pdf_pages(html: str) -> list[str]:
    pdf = html_to_pdf(html, title="t")
    assert pdf.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_deed_is_filled_from_the_record_with_page_numbers_and_repeated_headers(app):
    cooperative = make_cooperative(
        name="Koperasi Konsumen Akuarium Bangkit Mandiri",
        founders=founders(45),
        kampung_names=["Kampung Akuarium"],
    )
    with app.test_request_context():
        pages = _pdf_pages(render_deed_html(cooperative, qr_svg='<svg xmlns="http://www.w3.org/2000/svg"></svg>'))
    text = "\n".join(pages)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {len(pages)}" in page
    founder_pages = [page for page in pages if "31720100000000" in page]  # NIKs appear only in the table
    assert len(founder_pages) >= 2 and all("Nomor KTP" in page for page in founder_pages)
    assert "KOPERASI KONSUMEN AKUARIUM BANGKIT MANDIRI" in text
    assert "3172010000000045" in text and "Notaris Contoh, S.H., M.Kn." in text
    assert "Rp100.000" in text and "Rp20.000" in text and "Kampung Akuarium" in text
    flat = re.sub(r"\s+", " ", text)
    positions = [flat.index(title) for title in ARTICLES]
    assert positions == sorted(positions)


def test_a_reissued_deed_is_marked_with_its_version_and_update_date(app, auth):
    officer = auth.create("officer")
    cooperative = make_cooperative()
    first = new_deed_version(db.session, officer, cooperative)
    db.session.commit()
    second = new_deed_version(db.session, officer, cooperative)
    db.session.commit()
    assert first.superseded_by_id == second.id and second.is_current and not first.is_current
    assert (first.version, second.version) == (1, 2) and first.verification_token != second.verification_token
    with app.test_request_context():
        text = "\n".join(_pdf_pages(render_deed_html(cooperative, second)))
    assert (
        "Versi 2 · diterbitkan" in text and f"menggantikan versi 1 ({first.number})" in text and second.number in text
    )


def test_deed_text_is_escaped(app):
    cooperative = make_cooperative(name="Koperasi <b>Tebal</b>")
    with app.test_request_context():
        html = render_deed_html(cooperative)
    assert "Koperasi &lt;b&gt;Tebal&lt;/b&gt;" in html
    assert deed_context(cooperative)["kecamatan"] == "Penjaringan"


def test_deed_prints_kind_and_level_in_indonesian_whatever_the_readers_language(app):
    cooperative = make_cooperative(kind="simpan_pinjam")
    with app.test_request_context(), force_locale("en"):
        context = deed_context(cooperative)
        page_label = str(COOPERATIVE_KIND_LABELS["simpan_pinjam"])
    assert page_label != "Simpan pinjam"  # the reader's pages are in English here
    assert (context["kind_label"], context["level_label"]) == ("Simpan Pinjam", "Primer")
