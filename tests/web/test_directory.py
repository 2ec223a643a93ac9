"""The public directory as a resident uses it: search page (with and without htmx), facets, details, CSV."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from extensions import db
from services.search import rebuild_index
from tests.factories import kelurahan, make_business, make_cooperative, other_kelurahan


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["OPENDATA_DIR"] = str(tmp_path / "opendata")
    return app_config


def _seed():
    rebuild_index(db.session)
    here, there = kelurahan(), other_kelurahan(kelurahan())
    shop = make_business("Toko Kelontong Sutrisno", region=here, nib="9120001234567")
    make_business("Warung Makan Bu Sri", region=there, kbli="56102")
    make_business("Warung Sembako Berkah", region=there, status="closed")
    coop = make_cooperative("KSP Sejahtera Bersama", region=here, legal_entity_number="AHU-0002089.AH.01.26.TAHUN 2020")
    return shop, coop, here, there


def test_typing_part_of_a_name_with_a_typo_finds_it(client):
    shop, *_ = _seed()
    page = client.get("/cari?q=kelontomg").get_data(as_text=True)
    assert "Toko Kelontong Sutrisno" in page and f'href="/usaha/{shop.id}-toko-kelontong-sutrisno"' in page
    assert "1 hasil" in page


def test_search_works_as_plain_get_form_and_keeps_the_url_shareable(client):
    _seed()
    page = client.get("/cari").get_data(as_text=True)
    assert 'method="get" action="/cari"' in page and 'hx-push-url="true"' in page
    assert "4 hasil" in page and "<html" in page


def test_htmx_request_gets_only_the_results_block(client):
    _seed()
    response = client.get("/cari?q=warung", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'id="hasil"' in body
    assert "Warung Makan Bu Sri" in body and "Toko Kelontong" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_facets_show_counts_and_narrow_results(client):
    _seed()
    page = client.get("/cari").get_data(as_text=True)
    assert 'value="usaha"' in page and 'value="koperasi"' in page
    assert '<span class="count">3</span>' in page  # three businesses
    narrowed = client.get("/cari?jenis=koperasi").get_data(as_text=True)
    assert "KSP Sejahtera Bersama" in narrowed and "Warung" not in narrowed.split('id="result-title"')[1]
    closed = client.get("/cari?status=closed").get_data(as_text=True)
    assert "Warung Sembako Berkah" in closed and "1 hasil" in closed


def test_kbli_and_region_filters(client):
    _, _, here, there = _seed()
    page = client.get(f"/cari?kecamatan={there.parent_id}&kbli=56102").get_data(as_text=True)
    assert "Warung Makan Bu Sri" in page and "1 hasil" in page
    assert there.name in page  # kelurahan facet appears once a kecamatan is chosen


def test_no_result_suggests_a_correction_and_a_broader_filter(client):
    _seed()
    page = client.get("/cari?q=tako&jenis=koperasi").get_data(as_text=True)
    assert "0 hasil" in page and "Cari tanpa filter" in page
    suggestion = client.get("/cari?q=sembaku+berkoh").get_data(as_text=True)
    assert "Maksud Anda" in suggestion


def test_sort_by_name_and_pagination(client, app):
    rebuild_index(db.session)
    for n in range(25):
        make_business(f"Kedai Nomor {n:02d}", commit=False)
    db.session.commit()
    first = client.get("/cari?q=kedai&urut=nama").get_data(as_text=True)
    assert "Kedai Nomor 00" in first and "Kedai Nomor 20" not in first
    assert 'href="/cari?q=kedai&amp;urut=nama&amp;halaman=2"' in first
    second = client.get("/cari?q=kedai&urut=nama&halaman=2").get_data(as_text=True)
    assert "Kedai Nomor 20" in second and "Kedai Nomor 00" not in second
    assert client.get("/cari?halaman=abc").status_code == 200


def test_degraded_notice_when_index_is_broken_and_details_still_work(client, app):
    shop, *_ = _seed()
    index_root = Path(app.config["SEARCH_INDEX_DIR"])
    shutil.rmtree(index_root / (index_root / "CURRENT").read_text().strip())
    page = client.get("/cari?q=kelontong").get_data(as_text=True)
    assert "Pencarian sedang terbatas" in page and "Toko Kelontong Sutrisno" in page
    assert client.get(f"/usaha/{shop.id}-toko-kelontong-sutrisno").status_code == 200


def test_business_detail_page_public_fields_and_open_graph(client):
    shop, *_ = _seed()
    response = client.get(f"/usaha/{shop.id}-toko-kelontong-sutrisno")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<meta property="og:title" content="Toko Kelontong Sutrisno">' in page
    assert "47112" in page and "9120001234567" in page and shop.kelurahan.name in page
    assert shop.owner.nik not in page and shop.owner.phone not in page and "Jl. Rumah Pribadi" not in page
    assert "noindex" not in page and "X-Robots-Tag" not in response.headers


def test_detail_urls_are_canonical(client):
    shop, coop, *_ = _seed()
    wrong = client.get(f"/usaha/{shop.id}-nama-lama")
    assert wrong.status_code == 301 and wrong.headers["Location"].endswith(f"/usaha/{shop.id}-toko-kelontong-sutrisno")
    assert client.get(f"/usaha/{shop.id}").status_code == 301
    assert client.get("/usaha/99999-x").status_code == 404
    page = client.get(f"/koperasi/{coop.id}-ksp-sejahtera-bersama").get_data(as_text=True)
    assert "KSP Sejahtera Bersama" in page and "AHU-0002089.AH.01.26.TAHUN 2020" in page and "Simpan pinjam" in page


def test_csv_of_a_search(client):
    _seed()
    page = client.get("/cari?q=warung").get_data(as_text=True)
    assert "Unduh hasil sebagai CSV" in page and "5.000 baris pertama" in page
    response = client.get("/cari/unduh.csv?q=warung")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:2] == ["jenis", "nama"] and sorted(r[1] for r in rows[1:]) == [
        "Warung Makan Bu Sri",
        "Warung Sembako Berkah",
    ]


def test_open_data_export_downloadable_from_a_public_page(client, runner):
    _seed()
    assert "belum dibuat" in client.get("/data-terbuka").get_data(as_text=True)
    result = runner.invoke(args=["opendata", "export"])
    assert result.exit_code == 0 and "Exported 3 businesses and 1 cooperatives" in result.output
    page = client.get("/data-terbuka").get_data(as_text=True)
    assert "CC BY 4.0" in page and "WIB" in page
    data = client.get("/data-terbuka/registri-usaha-koperasi.json").get_json()
    assert data["licence"] == "CC BY 4.0" and data["generated_at"] and len(data["items"]["businesses"]) == 3
    text = client.get("/data-terbuka/registri-usaha-koperasi.csv").get_data(as_text=True)
    assert text.startswith("# Registri") and "Lisensi: CC BY 4.0" in text and "Toko Kelontong Sutrisno" in text
    assert client.get("/data-terbuka/../secret_key").status_code == 404


def test_home_page_has_a_search_box_and_nav_item(client):
    page = client.get("/").get_data(as_text=True)
    assert 'action="/cari"' in page and 'name="q"' in page and ">Cari</a>" in page
