"""Back office for cooperatives: registering with founders in rows, the rules, scope, RAT, dashboard, audit."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from extensions import db
from models.audit import AuditEvent
from models.cooperative import RAT_PENDING, Cooperative, RatReport
from models.user import EDITOR, OFFICER, SUPERADMIN
from services import clock
from tests.coop_factory import add_rat, founders, kecamatan_named, kelurahan_named, make_cooperative


def form_data(founder_count=9, **overrides):
    data = {
        "name": "Koperasi Konsumen Akuarium Bangkit Mandiri",
        "kind": "konsumen",
        "level": "primer",
        "seat_address": "Jl. Pasar Ikan, Kampung Akuarium",
        "kelurahan_id": str(kelurahan_named("Penjaringan").id),
        "kampungs": "Kampung Akuarium",
        "founding_date": "2020-08-17",
        "simpanan_pokok_rupiah": "100.000",
        "simpanan_wajib_rupiah": "Rp 20.000",
        "member_count": "45",
        "board-0-full_name": "Dharma Diani",
        "board-0-title": "Ketua",
        "supervisors-0-full_name": "Topaz Juanda",
        "supervisors-0-title": "Ketua Pengawas",
    }
    for n, founder in enumerate(founders(founder_count)):
        data[f"founders-{n}-full_name"] = founder.full_name
        data[f"founders-{n}-nik"] = founder.nik
        data[f"founders-{n}-birth_place"] = founder.birth_place
        data[f"founders-{n}-birth_date"] = founder.birth_date.isoformat()
        data[f"founders-{n}-address"] = founder.address
    data.update(overrides)
    return data


@pytest.mark.both_databases
def test_officer_registers_a_cooperative_serving_several_kampungs(auth, client):
    auth.login_as(OFFICER)
    response = client.post(
        "/kantor/koperasi/baru", data=form_data(kampungs="Kampung Lodan\nKampung Tongkol, Kampung Kerapu")
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Koperasi Konsumen Akuarium Bangkit Mandiri" in page
    assert "Kampung Kerapu, Kampung Lodan, Kampung Tongkol" in page
    assert "3172010000000001" in page  # the full NIK on the officer's detail screen
    assert "Rp100.000" in page
    cooperative = db.session.scalar(select(Cooperative))
    assert len(cooperative.founders) == 9 and cooperative.simpanan_wajib_rupiah == 20_000
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "cooperative"))
    assert event.action == "cooperative.create" and event.after["name"] == cooperative.name
    assert "3172010000000001" not in str(event.after) and "3172••••••••0001" in str(event.after)


@pytest.mark.parametrize(
    ("overrides", "founder_count", "message"),
    [
        ({}, 8, "Koperasi primer didirikan oleh paling sedikit 9 orang; baru 8 pendiri diisi."),
        ({"founders-3-nik": "3172010000000001"}, 9, "NIK ini sudah dipakai pendiri nomor 1."),
        ({"founders-2-nik": "31720100000"}, 9, "NIK harus 16 angka."),
        ({"simpanan_pokok_rupiah": "-5000"}, 9, "Jumlah rupiah tidak boleh negatif."),
        ({"simpanan_wajib_rupiah": "dua puluh"}, 9, "Tulis jumlah rupiah dengan angka, misalnya 1.000.000"),
        ({"level": "sekunder", "members-0-name": "Koperasi A"}, 9, "paling sedikit 3 koperasi; baru 1 diisi."),
        ({"kampungs": ""}, 9, "Isi paling sedikit satu kampung yang dilayani."),
        ({"kelurahan_id": ""}, 9, "Pilih kelurahan tempat kedudukan koperasi."),
    ],
)
def test_rules_give_clear_messages_and_change_nothing(auth, client, overrides, founder_count, message):
    auth.login_as(OFFICER)
    response = client.post("/kantor/koperasi/baru", data=form_data(founder_count, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Cooperative)) is None


def test_htmx_validation_error_returns_only_the_form(auth, client):
    auth.login_as(OFFICER)
    response = client.post("/kantor/koperasi/baru", data=form_data(8), headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and page.lstrip().startswith("<form")
    assert "baru 8 pendiri diisi" in page and "<html" not in page


def test_founder_rows_added_and_removed_in_place_with_htmx(auth, client):
    auth.login_as(OFFICER)
    data = form_data(2)
    del data["founders-1-full_name"]
    data = {k: v for k, v in data.items() if not k.startswith("founders-1-")}
    data.update({"founders-5-full_name": "Baris Lima"})
    row = client.post("/kantor/koperasi/baris/founders", data=data, headers={"HX-Request": "true"})
    html = row.get_data(as_text=True)
    assert row.status_code == 200 and html.lstrip().startswith('<tr id="row-founders-6"')
    assert "aria-invalid" not in html
    assert 'name="founders-6-nik"' in html
    removed = client.post("/kantor/koperasi/baris/hapus", data=data, headers={"HX-Request": "true"})
    assert removed.status_code == 200 and removed.get_data(as_text=True).strip() == ""


def test_founder_rows_work_without_javascript(auth, client):
    auth.login_as(OFFICER)
    page = client.post("/kantor/koperasi/baru", data=form_data(2, add_row="founders")).get_data(as_text=True)
    assert 'name="founders-2-nik"' in page and "Pendiri Nomor 2" in page
    page = client.post("/kantor/koperasi/baru", data=form_data(3, remove_row="founders-1")).get_data(as_text=True)
    assert "Pendiri Nomor 2" not in page and "Pendiri Nomor 3" in page
    assert db.session.scalar(select(Cooperative)) is None


def test_blank_founder_rows_are_ignored(auth, client):
    auth.login_as(OFFICER)
    response = client.post("/kantor/koperasi/baru", data=form_data(9, **{"founders-12-full_name": ""}))
    assert response.status_code == 303


@pytest.mark.both_databases
def test_editing_replaces_founders_and_is_audited(auth, client):
    officer = auth.login_as(OFFICER)
    cooperative = make_cooperative(officer)
    data = form_data(10, name="Nama Baru")
    response = client.post(f"/kantor/koperasi/{cooperative.id}/ubah", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Cooperative, cooperative.id).name == "Nama Baru"
    assert len(db.session.get(Cooperative, cooperative.id).founders) == 10
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cooperative.update"))
    assert event.before["name"] == "Koperasi Konsumen Uji Coba" and event.after["name"] == "Nama Baru"


def test_edit_form_is_prefilled(auth, client):
    auth.login_as(OFFICER)
    cooperative = make_cooperative()
    page = client.get(f"/kantor/koperasi/{cooperative.id}/ubah").get_data(as_text=True)
    assert 'value="Koperasi Konsumen Uji Coba"' in page and 'value="3172010000000009"' in page


@pytest.mark.both_databases
def test_officer_of_one_kecamatan_sees_only_its_cooperatives(auth, client):
    mine = make_cooperative(name="Koperasi Penjaringan", kelurahan="Penjaringan")
    other = make_cooperative(name="Koperasi Taman Sari", kelurahan="Pinangsia", founders=founders(9, "317300"))
    auth.login_as(OFFICER, kecamatan_id=kecamatan_named("Penjaringan").id)
    listing = client.get("/kantor/koperasi/").get_data(as_text=True)
    assert "Koperasi Penjaringan" in listing and "Koperasi Taman Sari" not in listing
    assert client.get(f"/kantor/koperasi/{mine.id}").status_code == 200
    for url in (f"/kantor/koperasi/{other.id}", f"/kantor/koperasi/{other.id}/ubah"):
        assert client.get(url).status_code == 404
    assert client.post(f"/kantor/koperasi/{other.id}/rat", data={}).status_code == 404
    moved = client.post(
        f"/kantor/koperasi/{mine.id}/ubah", data=form_data(kelurahan_id=str(kelurahan_named("Pinangsia").id))
    )
    assert moved.status_code == 422 and "di luar kecamatan Anda" in moved.get_data(as_text=True)


@pytest.mark.parametrize(("role", "status"), [(EDITOR, 403), (SUPERADMIN, 200)])
def test_back_office_roles(auth, client, role, status):
    auth.login_as(role)
    assert client.get("/kantor/koperasi/").status_code == status


def test_list_filters_by_status(auth, client):
    auth.login_as(SUPERADMIN)
    alive = make_cooperative(name="Koperasi Hidup", founding_date=date(2010, 1, 1))
    add_rat(alive, clock.today().year - 1)
    make_cooperative(name="Koperasi Tidur", founding_date=date(2010, 1, 1), founders=founders(9, "317209"))
    page = client.get("/kantor/koperasi/?status=at_risk").get_data(as_text=True)
    assert "Koperasi Tidur" in page and "Koperasi Hidup" not in page
    assert "Berisiko" in page


@pytest.mark.both_databases
def test_rat_recorded_by_officer_changes_the_status(auth, client):
    auth.login_as(OFFICER)
    cooperative = make_cooperative(founding_date=date(2010, 1, 1))
    last_year = clock.today().year - 1
    assert "Berisiko" in client.get(f"/kantor/koperasi/{cooperative.id}").get_data(as_text=True)
    response = client.post(
        f"/kantor/koperasi/{cooperative.id}/rat",
        data={
            "financial_year": str(last_year),
            "meeting_date": clock.today().isoformat(),
            "members_present": "31",
            "shu_rupiah": "-12.500.000",
            "total_assets_rupiah": "250.000.000",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/kantor/koperasi/{cooperative.id}").get_data(as_text=True)
    assert "Aktif" in page and f"RAT terakhir: tahun buku {last_year}" in page and "−Rp12.500.000" in page
    again = client.post(
        f"/kantor/koperasi/{cooperative.id}/rat",
        data={"financial_year": str(last_year), "meeting_date": clock.today().isoformat(), "members_present": "3"},
    )
    assert again.status_code == 422 and f"RAT tahun buku {last_year} sudah tercatat." in again.get_data(as_text=True)


def test_rat_rules(auth, client):
    auth.login_as(OFFICER)
    cooperative = make_cooperative()
    this_year = clock.today().year
    response = client.post(
        f"/kantor/koperasi/{cooperative.id}/rat",
        data={"financial_year": str(this_year), "meeting_date": "2099-01-01", "members_present": "-1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tahun buku ini belum ditutup." in page and "Tanggal RAT tidak boleh di masa depan." in page
    assert db.session.scalar(select(RatReport)) is None


def test_officer_confirms_a_submitted_report(auth, client):
    auth.login_as(OFFICER)
    cooperative = make_cooperative(founding_date=date(2010, 1, 1))
    pending = add_rat(cooperative, clock.today().year - 1, status=RAT_PENDING)
    assert "Berisiko" in client.get(f"/kantor/koperasi/{cooperative.id}").get_data(as_text=True)
    assert client.post(f"/kantor/koperasi/rat/{pending.id}/konfirmasi").status_code == 303
    assert "Aktif" in client.get(f"/kantor/koperasi/{cooperative.id}").get_data(as_text=True)
    assert client.post(f"/kantor/koperasi/rat/{pending.id}/konfirmasi").status_code == 404
    assert "cooperative.rat_confirm" in set(db.session.scalars(select(AuditEvent.action)))


@pytest.mark.both_databases
def test_dashboard_counts_and_csv_export_without_personal_data(auth, client):
    auth.login_as(OFFICER)
    alive = make_cooperative(name="Koperasi Hidup", founding_date=date(2010, 1, 1))
    add_rat(alive, clock.today().year - 1)
    make_cooperative(name="Koperasi Tidur", founding_date=date(2010, 1, 1), founders=founders(9, "317209"))
    page = client.get("/kantor/koperasi/dasbor").get_data(as_text=True)
    assert re.search(r"<th scope=\"row\">Penjaringan</th><td class=\"num\">1</td><td class=\"num\">0</td>", page)
    assert "Koperasi Tidur" in page.split("Koperasi terlambat RAT")[1]
    export = client.get("/kantor/koperasi/dasbor.csv")
    text = export.get_data(as_text=True)
    assert export.mimetype == "text/csv" and "attachment" in export.headers["Content-Disposition"]
    assert "Koperasi Tidur" in text and "Koperasi Hidup" not in text and "Berisiko" in text
    assert "317209" not in text and "Pendiri" not in text
