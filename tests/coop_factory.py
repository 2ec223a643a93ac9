"""Building cooperatives for tests through the same service the back office uses."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from extensions import db
from models.cooperative import RAT_CONFIRMED, Cooperative, RatReport
from models.region import KECAMATAN, KELURAHAN, Region
from services.cooperatives import CooperativeInput, FounderInput, OfficialInput, save_cooperative


def kelurahan_named(name: str) -> Region:
    return db.session.scalar(select(Region).where(Region.level == KELURAHAN, Region.name == name))


def kecamatan_named(name: str) -> Region:
    return db.session.scalar(select(Region).where(Region.level == KECAMATAN, Region.name == name))


def founders(count: int = 9, prefix: str = "317201") -> list[FounderInput]:
    return [
        FounderInput(
            full_name=f"Pendiri Nomor {n + 1}",
            nik=f"{prefix}{n + 1:010d}",
            birth_place="Jakarta",
            birth_date=date(1950 + n, 1 + n % 12, 1 + n % 28),
            address=f"Jl. Contoh No. {n + 1}, RT 001/RW 002",
        )
        for n in range(count)
    ]


def cooperative_input(name="Koperasi Konsumen Uji Coba", kelurahan="Penjaringan", **overrides) -> CooperativeInput:
    values = dict(
        name=name,
        kind="konsumen",
        level="primer",
        seat_address="Jl. Pasar Ikan No. 1",
        kelurahan_id=kelurahan_named(kelurahan).id,
        kampung_names=["Kampung Uji"],
        founding_date=date(2020, 5, 4),
        deed_number="12",
        deed_date=date(2020, 5, 4),
        notary_name="Notaris Contoh, S.H., M.Kn.",
        notary_npak_decree="AHU-00123.AH.02.01.TAHUN 2019",
        legal_entity_number="AHU-0002089.AH.01.26.TAHUN 2020",
        purpose="Menyejahterakan anggota",
        business_fields="Penjualan kebutuhan pokok",
        duration="Tidak terbatas",
        simpanan_pokok_rupiah=100_000,
        simpanan_wajib_rupiah=20_000,
        member_count=40,
        founders=founders(),
        # At founding the board and supervisors are chosen from the founders (UU 25/1992 art. 29).
        board=[OfficialInput("Pendiri Nomor 1", "Ketua"), OfficialInput("Pendiri Nomor 2", "Sekretaris")],
        supervisors=[OfficialInput("Pendiri Nomor 3", "Ketua Pengawas")],
    )
    values.update(overrides)
    return CooperativeInput(**values)


def make_cooperative(actor=None, *, witnesses=("Saksi Pertama, S.H.", "Saksi Kedua"), **overrides) -> Cooperative:
    """A saved cooperative whose legal record is complete (the founding deed's two witnesses recorded)."""
    cooperative = save_cooperative(db.session, actor, cooperative_input(**overrides))
    if witnesses:
        cooperative.founding_witness_1, cooperative.founding_witness_2 = witnesses
        db.session.commit()
    return cooperative


def add_rat(cooperative: Cooperative, year: int, status: str = RAT_CONFIRMED) -> RatReport:
    report = RatReport(
        cooperative_id=cooperative.id,
        financial_year=year,
        meeting_date=date(year + 1, 3, 1),
        members_present=20,
        shu_rupiah=1_000_000,
        total_assets_rupiah=50_000_000,
        status=status,
    )
    db.session.add(report)
    db.session.commit()
    return report
