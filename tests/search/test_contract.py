"""The search contract: every backend must pass these (Whoosh on SQLite, PostgreSQL full-text on PostgreSQL).

Records are written through the ORM, so they reach the index the way real edits do: outbox row in
the same transaction, drained after commit.
"""

from __future__ import annotations

import pytest

from extensions import db
from models.cooperative import Kampung
from services.search import SearchQuery, get_backend, rebuild_index, search
from tests.factories import kelurahan, make_business, make_cooperative, other_kelurahan

pytestmark = pytest.mark.both_databases


@pytest.fixture
def app_config(app_config, db_kind):
    app_config["SEARCH_BACKEND"] = "postgres" if db_kind == "postgresql" else "whoosh"
    return app_config


@pytest.fixture
def index(app):
    rebuild_index(db.session)  # an empty index to start from; records arrive through the outbox
    return get_backend()


def names(text: str = "", **kwargs) -> list[str]:
    return [hit.name for hit in search(SearchQuery(text=text, **kwargs)).hits]


def test_backend_in_use_is_the_one_configured(app, index, db_kind):
    assert type(index).__name__ == ("PostgresBackend" if db_kind == "postgresql" else "WhooshBackend")


def test_case_accents_and_punctuation_are_folded(index):
    make_business("Kedai Kopi Café Ñusantara")
    make_business("Toko Maju-Jaya")
    assert names("cafe nusantara") == ["Kedai Kopi Café Ñusantara"]
    assert names("CAFÉ") == ["Kedai Kopi Café Ñusantara"]
    assert names("maju jaya") == ["Toko Maju-Jaya"]


def test_ampersand_equals_dan(index):
    make_business("Roti & Kue Sari")
    make_business("Toko Mulia dan Sentosa")
    assert names("roti dan kue") == ["Roti & Kue Sari"]
    assert names("mulia & sentosa") == ["Toko Mulia dan Sentosa"]


def test_abbreviations_equal_their_long_form_both_ways(index):
    make_cooperative("KSP Sejahtera Bersama")
    make_cooperative("Koperasi Simpan Pinjam Mekar Wangi")
    make_business("UD Sumber Rejeki")
    make_business("CV Karya Abadi")
    assert names("koperasi simpan pinjam sejahtera") == ["KSP Sejahtera Bersama"]
    assert names("ksp mekar") == ["Koperasi Simpan Pinjam Mekar Wangi"]
    assert names("usaha dagang sumber rejeki") == ["UD Sumber Rejeki"]
    assert names("cv karya") == ["CV Karya Abadi"]


def test_prefix_finds_as_you_type(index):
    make_business("Toko Kelontong Sutrisno")
    make_business("Bengkel Motor Ahmad")
    assert names("kelon") == ["Toko Kelontong Sutrisno"]
    assert names("toko kel") == ["Toko Kelontong Sutrisno"]


def test_one_typo_from_five_letters_two_from_nine(index):
    make_business("Toko Kelontong Sutrisno")
    make_business("Tahu Bandung Mantap")
    assert names("sutrisna") == ["Toko Kelontong Sutrisno"]  # 8 letters, one typo
    assert names("kelontomg") == ["Toko Kelontong Sutrisno"]  # one typo
    assert names("kelomtomg") == ["Toko Kelontong Sutrisno"]  # 9 letters, two typos
    assert names("sutrosna") == []  # 8 letters, two typos: too far
    assert names("tahi") == []  # under 5 letters: exact or prefix only


def test_no_result_suggests_a_correction(index):
    make_business("Tahu Bandung Mantap")
    result = search(SearchQuery(text="tahi"))
    assert result.total == 0 and result.suggestion == "tahu"
    assert search(SearchQuery(text="bandung")).suggestion is None
    assert search(SearchQuery(text="bandu")).suggestion is None  # still typing
    found_anyway = search(SearchQuery(text="bandumg mantap"))
    assert found_anyway.total == 1 and found_anyway.suggestion == "bandung mantap"


def test_legal_form_words_never_outweigh_distinctive_words(index):
    make_business("Warung Sate Pak Min")
    make_business("Warung Nasi Bu Tini")
    make_business("Kedai Mekar Sari")
    assert names("warung mekar")[0] == "Kedai Mekar Sari"


def test_nib_found_whole_or_by_its_distinctive_part(index):
    make_business("Konveksi Lestari", nib="9120001234567")
    make_business("Konveksi Abadi", nib="8120009999999")
    assert names("9120001234567") == ["Konveksi Lestari"]
    assert names("1234567") == ["Konveksi Lestari"]
    assert names("912000123") == ["Konveksi Lestari"]


def test_cooperative_legal_entity_number_found_whole_or_in_part(index):
    make_cooperative(
        "Koperasi Konsumen Akuarium Bangkit Mandiri", legal_entity_number="AHU-0002089.AH.01.26.TAHUN 2020"
    )
    make_cooperative("Koperasi Jasa Lain", legal_entity_number="AHU-0007777.AH.01.26.TAHUN 2021")
    assert names("AHU-0002089.AH.01.26.TAHUN 2020") == ["Koperasi Konsumen Akuarium Bangkit Mandiri"]
    assert names("0002089") == ["Koperasi Konsumen Akuarium Bangkit Mandiri"]


def test_cooperative_found_by_a_kampung_it_serves(index):
    make_cooperative(
        "Koperasi Konsumen Bangkit Mandiri",
        kind="konsumen",
        kampungs=[Kampung(name="Kampung Akuarium"), Kampung(name="Kampung Kunir")],
    )
    make_cooperative("Koperasi Konsumen Lain", kind="konsumen", kampungs=[Kampung(name="Kampung Muka")])
    assert names("Akuarium") == ["Koperasi Konsumen Bangkit Mandiri"]
    assert names("kampung kunir") == ["Koperasi Konsumen Bangkit Mandiri"]


def test_facet_counts_and_filters(index):
    here = kelurahan()
    there = other_kelurahan(here)
    make_business("Warung Berkah Satu", region=here)
    make_business("Warung Berkah Dua", region=here, status="closed")
    make_business("Warung Berkah Tiga", region=there, kbli="56102")
    make_cooperative("Koperasi Berkah", region=there)
    result = search(SearchQuery(text="berkah"))
    assert result.total == 4
    assert result.facets["kind"] == {"business": 3, "cooperative": 1}
    assert result.facets["kecamatan_id"] == {str(here.parent_id): 2, str(there.parent_id): 2}
    assert result.facets["kbli_code"] == {"47112": 2, "56102": 1}
    assert result.facets["kbli_section"] == {"G": 2, "I": 1}
    # A cooperative's status is derived from its RAT reports; with none for years it is at risk.
    assert result.facets["status"] == {"operating": 2, "closed": 1, "at_risk": 1}
    narrowed = search(SearchQuery(text="berkah", filters={"kind": "business", "kecamatan_id": str(here.parent_id)}))
    assert sorted(hit.name for hit in narrowed.hits) == ["Warung Berkah Dua", "Warung Berkah Satu"]
    assert narrowed.total == 2 and narrowed.facets["status"] == {"operating": 1, "closed": 1}


def test_sort_by_name_and_pages(index):
    for word in ("Delta", "Alfa", "Charlie", "Bravo", "Echo"):
        make_business(f"Toko {word}", commit=False)
    db.session.commit()
    assert names("toko", sort="name") == ["Toko Alfa", "Toko Bravo", "Toko Charlie", "Toko Delta", "Toko Echo"]
    page_two = search(SearchQuery(text="toko", sort="name", page=2, per_page=2))
    assert [hit.name for hit in page_two.hits] == ["Toko Charlie", "Toko Delta"] and page_two.total == 5
    assert names("", sort="name", page=3, per_page=2) == ["Toko Echo"]


def test_changes_reach_the_index_through_the_outbox(index):
    business = make_business("Penjahit Lama")
    assert names("penjahit lama") == ["Penjahit Lama"]
    business.name = "Penjahit Baru Rapi"
    db.session.commit()
    assert names("rapi") == ["Penjahit Baru Rapi"] and names("lama") == []
    db.session.delete(business)
    db.session.commit()
    assert names("penjahit") == []


def test_nothing_personal_is_searchable(index):
    make_business("Mebel Kayu Jati", nik="3171011234567890", phone="+6281299887766", home_address="Jl. Rahasia 9")
    assert names("Mebel") == ["Mebel Kayu Jati"]
    assert names("3171011234567890") == []
    assert names("6281299887766") == []
    assert names("rahasia") == []


def test_rebuild_matches_the_database(index):
    make_business("Depot Air Minum Segar")
    make_cooperative("Koperasi Jasa Segar")
    assert rebuild_index(db.session) == 2
    assert sorted(names("segar")) == ["Depot Air Minum Segar", "Koperasi Jasa Segar"]


# --- forgiving matching (issue 14) -------------------------------------------------------------------


def _kelurahan_in(kecamatan_name: str):
    from models.region import KECAMATAN, Region

    kecamatan = db.session.scalars(
        db.select(Region).where(Region.level == KECAMATAN, Region.name == kecamatan_name)
    ).first()
    assert kecamatan is not None, f"the test municipality has no kecamatan {kecamatan_name}"
    return kecamatan.children[0]


def test_two_adjacent_letters_swapped_count_as_one_edit(index):
    make_business("Tahu Berkah")
    make_business("Tempe Widodo")
    make_business("Bengkel Berlian")
    assert names("tahu berakh") == ["Tahu Berkah"]
    assert names("tempe wdiodo") == ["Tempe Widodo"]  # the first two letters swapped
    assert names("wdiodo") == ["Tempe Widodo"]
    assert names("hatu") == []  # under 5 letters: still exact or prefix only


def test_words_run_together_are_split_into_indexed_words(index):
    make_business("Tahu Berkah")
    make_business("Warung Makan Hafshah")
    make_business("Warung Nasi Padang")
    assert names("tahuberkah") == ["Tahu Berkah"]
    assert names("warung makanhafshah") == ["Warung Makan Hafshah"]
    assert names("nasipadang") == ["Warung Nasi Padang"]


def test_words_split_apart_are_joined_into_an_indexed_word(index):
    make_business("Bengkel Sukamaju")
    make_business("Toko Suka Hati")
    assert names("bengkel suka maju") == ["Bengkel Sukamaju"]
    assert names("sukamaju") == ["Bengkel Sukamaju"]
    assert names("suka hati") == ["Toko Suka Hati"]  # "sukahati" is not a word of the index: not joined


def test_a_place_in_the_query_selects_that_place_not_a_similar_one(index):
    make_business("Laundry Wangi", region=_kelurahan_in("Kebayoran Baru"))
    make_business("Laundry Bersih", region=_kelurahan_in("Kemayoran"))
    assert names("laundry kebayoran") == ["Laundry Wangi"]
    assert names("laundry kemayoran") == ["Laundry Bersih"]
    assert names("kebayoran") == ["Laundry Wangi"]  # not fuzzed into Kemayoran (one letter apart)


def test_an_exact_word_always_outranks_a_fuzzy_one(index):
    for n in range(3):
        make_business(f"Toko Sutrisna Jaya Abadi Makmur Sentosa Cabang {n}", commit=False)
    make_business("Sutrisno", commit=False)  # short and rare: the higher BM25 score, but a typo away
    db.session.commit()
    ranked = names("sutrisna")
    assert len(ranked) == 4 and ranked[-1] == "Sutrisno"


def test_suggestions_only_propose_words_that_occur_together(index):
    make_business("Tahu Bandung Mantap")
    make_business("Tempe Bogor Enak")
    assert search(SearchQuery(text="tahi bandung")).suggestion == "tahu bandung"
    # "tahu" and "bogor" both exist, but in no document together: no "maksud Anda".
    assert search(SearchQuery(text="tahi bogor")).suggestion is None
