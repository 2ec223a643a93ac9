"""Indonesian input and output: rupiah as people type it, one date format, addresses and titles that name
each place once."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from services.formatting import NotRupiah, format_rupiah, full_address, long_date, parse_rupiah
from services.municipality import resolve


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.000.000", 1_000_000),
        ("Rp 1.000.000", 1_000_000),
        ("Rp1.000.000", 1_000_000),
        ("rp. 1.000.000", 1_000_000),
        ("1000000", 1_000_000),
        ("1 000 000", 1_000_000),
        ("Rp 1.000.000,00", 1_000_000),
        ("1.000.000,-", 1_000_000),
        ("500", 500),
        ("-300.000", -300_000),
        ("", None),
        ("  ", None),
    ],
)
def test_rupiah_as_indonesians_type_it(typed, amount):
    assert parse_rupiah(typed) == amount


@pytest.mark.parametrize("typed", ["1,5", "1.00.000", "satu juta", "Rp", "1.000.000,50", "12.3456", "1e6"])
def test_what_is_not_a_rupiah_amount_is_refused(typed):
    with pytest.raises(NotRupiah):
        parse_rupiah(typed)


def test_rupiah_is_written_grouped():
    assert format_rupiah(1_250_000) == "Rp1.250.000"
    assert format_rupiah(-300_000) == "−Rp300.000"
    assert format_rupiah(None) == "—"


def test_one_date_format():
    assert long_date(date(2026, 11, 30)) == "30 November 2026"
    assert long_date(datetime(2026, 3, 5, 10, 0)) == "5 Maret 2026"
    assert long_date(date(2026, 3, 5), "en") == "5 March 2026"


@pytest.mark.parametrize(
    "street",
    [
        "Jl. Melati No. 5",
        "Jl. Melati No. 5, Kel. Gambir",
        "Jl. Melati No. 5, Kelurahan Gambir,",
        "Jl. Melati No. 5, kel. gambir",
    ],
)
def test_an_address_names_its_kelurahan_once(street):
    text = full_address(street, "Gambir", "Gambir", "Kota Adm. Jakarta Pusat")
    assert text.lower().count("gambir") == 2  # once as kelurahan, once as kecamatan
    assert text.endswith("Kec. Gambir, Kota Adm. Jakarta Pusat")
    assert ", ," not in text


def test_legal_text_spells_the_regions_out():
    assert full_address("Jl. Pasar Ikan 1", "Penjaringan", "Penjaringan", spelled_out=True) == (
        "Jl. Pasar Ikan 1, Kelurahan Penjaringan, Kecamatan Penjaringan"
    )


@pytest.mark.parametrize(
    ("municipality", "title"),
    [
        ("Kota Bekasi", "Wali Kota Bekasi"),
        ("Kabupaten Bogor", "Bupati Bogor"),
        ("DKI Jakarta", "Gubernur DKI Jakarta"),
    ],
)
def test_the_head_of_government_names_the_place_once(municipality, title):
    assert resolve(municipality).head_of_government == title
