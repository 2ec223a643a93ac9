"""Realistic, deterministic demo data for the loaded regions (Faker, id_ID)."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.business import (
    CAPITAL_BANDS,
    CLOSED,
    JAKPRENEUR_STAGES,
    OPERATING,
    PREMISES,
    TURNOVER_BANDS,
    Business,
    Person,
)
from models.cooperative import COOPERATIVE_KINDS, Cooperative
from models.region import KELURAHAN, Region
from models.user import EDITOR, OFFICER, SUPERADMIN
from services.users import create_user, find_user

# (name pattern, KBLI 2020 code, activity) — the trades that hold most IUMK permits.
BUSINESS_TRADES = (
    ("Warung Makan {owner}", "56102", "Warung makan"),
    ("Warung Sembako {owner}", "47112", "Penjualan sembako dan kebutuhan sehari-hari"),
    ("Toko Kelontong {family}", "47112", "Toko kelontong"),
    ("Kedai {word}", "56103", "Kedai makanan"),
    ("Kedai Kopi {word}", "56303", "Kedai kopi"),
    ("Roti & Kue {owner}", "10710", "Produksi roti dan kue"),
    ("Kue Basah Bu {owner}", "10792", "Produksi kue basah"),
    ("Keripik {word} {family}", "10794", "Produksi keripik dan kerupuk"),
    ("Tempe {family}", "10391", "Produksi tempe"),
    ("Tahu {word}", "10392", "Produksi tahu"),
    ("Depot Air Minum {word}", "11052", "Depot air minum isi ulang"),
    ("Konveksi {family}", "14111", "Konveksi pakaian"),
    ("Penjahit {owner}", "14120", "Jahit pakaian sesuai pesanan"),
    ("Mebel Kayu {family}", "31001", "Pembuatan furnitur kayu"),
    ("Kos-kosan {family}", "55900", "Rumah kos"),
    ("Bengkel Motor {owner}", "45407", "Bengkel sepeda motor"),
)
NAME_WORDS = (
    "Berkah",
    "Barokah",
    "Sejahtera",
    "Makmur",
    "Jaya",
    "Mandiri",
    "Sentosa",
    "Lestari",
    "Sumber Rejeki",
    "Harapan",
    "Mekar",
    "Sinar",
    "Cahaya",
    "Bersama",
    "Abadi",
    "Maju",
)
COOPERATIVE_PATTERNS = (
    ("Koperasi Simpan Pinjam {word}", "simpan_pinjam"),
    ("Koperasi Konsumen {kelurahan} {word}", "konsumen"),
    ("Koperasi Produsen {word} {kelurahan}", "produsen"),
    ("Koperasi Pemasaran {word}", "pemasaran"),
    ("Koperasi Jasa {word} {kelurahan}", "jasa"),
)


@dataclass
class DemoAccount:
    role: str
    username: str
    password: str


def _nik(rng: random.Random, kelurahan: Region, birth: date, female: bool) -> str:
    """A plausible 16-digit NIK: kecamatan code, birth date (+40 for women), sequence."""
    code = (kelurahan.parent.kemendagri_code or "") if kelurahan.parent else ""
    region = code.replace(".", "") if len(code.replace(".", "")) == 6 else f"3{rng.randint(10000, 99999)}"
    day = birth.day + (40 if female else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"


def _unique_nik(rng, kelurahan, birth, female, taken: set[str]) -> str:
    nik = _nik(rng, kelurahan, birth, female)
    while nik in taken:
        nik = _nik(rng, kelurahan, birth, female)
    taken.add(nik)
    return nik


def seed_businesses(session: Session, count: int, seed: int = 1) -> int:
    """Create `count` businesses with owners spread over the loaded kelurahan."""
    kelurahan = list(session.scalars(select(Region).where(Region.level == KELURAHAN).order_by(Region.id)))
    if not kelurahan:
        raise ValueError("Belum ada data wilayah: jalankan 'flask regions load' dulu.")
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    taken = set(session.scalars(select(Person.nik)))
    owners: list[Person] = []
    for index in range(count):
        region = rng.choice(kelurahan)
        if owners and rng.random() < 0.1:
            owner = rng.choice(owners)  # some people own several businesses
        else:
            female = rng.random() < 0.5
            full_name = fake.name_female() if female else fake.name_male()
            birth = date(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
            owner = Person(
                full_name=full_name,
                nik=_unique_nik(rng, region, birth, female, taken),
                phone="+628" + "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(9, 10))),
                home_address=f"{fake.street_address()}, RT {rng.randint(1, 15):03d}/RW {rng.randint(1, 12):03d}",
                birth_date=birth,
            )
            session.add(owner)
            owners.append(owner)
        pattern, kbli, activity = rng.choice(BUSINESS_TRADES)
        first_name = owner.full_name.split()[0]
        name = pattern.format(owner=first_name, family=owner.full_name.split()[-1], word=rng.choice(NAME_WORDS))
        session.add(
            Business(
                name=name,
                owner=owner,
                legal_form="perseorangan",
                address=f"{fake.street_address()}, Kel. {region.name}",
                kelurahan=region,
                kbli_version="2020",
                kbli_code=kbli,
                activity=activity,
                nib="".join(str(rng.randint(0, 9)) for _ in range(13)) if rng.random() < 0.6 else None,
                premises=rng.choice(PREMISES),
                capital_rupiah=rng.randrange(2_000_000, 400_000_000, 500_000),
                capital_band=rng.choice(CAPITAL_BANDS[:2]),
                turnover_band=rng.choice(TURNOVER_BANDS[:2]),
                workers=rng.randint(1, 19),
                jakpreneur_stage=rng.choice(JAKPRENEUR_STAGES),
                status=CLOSED if rng.random() < 0.12 else OPERATING,
            )
        )
        if index % 1000 == 999:
            session.flush()
    session.commit()
    return count


def seed_cooperatives(session: Session, count: int, seed: int = 1) -> int:
    """Create `count` cooperatives spread over the loaded kelurahan."""
    kelurahan = list(session.scalars(select(Region).where(Region.level == KELURAHAN).order_by(Region.id)))
    if not kelurahan:
        raise ValueError("Belum ada data wilayah: jalankan 'flask regions load' dulu.")
    fake = Faker("id_ID")
    fake.seed_instance(seed + 7919)
    rng = random.Random(seed + 7919)
    for _ in range(count):
        region = rng.choice(kelurahan)
        pattern, kind = rng.choice(COOPERATIVE_PATTERNS)
        founded = date(1995, 1, 1) + timedelta(days=rng.randint(0, 29 * 365))
        session.add(
            Cooperative(
                name=pattern.format(word=rng.choice(NAME_WORDS), kelurahan=region.name),
                kind=kind if kind in COOPERATIVE_KINDS else "konsumen",
                level="primer",
                seat_address=f"{fake.street_address()}, Kel. {region.name}",
                kelurahan=region,
                founding_date=founded,
                legal_entity_number=f"AHU-{rng.randint(1, 9999999):07d}.AH.01.26.TAHUN {founded.year}",
                member_count=rng.randint(20, 400),
            )
        )
    session.commit()
    return count


def ensure_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create the demo superadmin, officer and editor if missing; passwords are random."""
    created = []
    for role, username, full_name in (
        (SUPERADMIN, "admin", "Admin Demo"),
        (OFFICER, "petugas", "Petugas Demo"),
        (EDITOR, "editor", "Editor Demo"),
    ):
        if find_user(session, username) is None:
            password = secrets.token_urlsafe(12)
            create_user(session, username, password, role, full_name)
            created.append(DemoAccount(role, username, password))
    return created


def database_is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Business)) and not session.scalar(
        select(func.count()).select_from(Cooperative)
    )


def seed_officials(session: Session, seed: int = 1) -> int:
    """A lurah for every kelurahan without one (in office since 2024), with a plausible 18-digit NIP."""
    from models.official import Official

    fake = Faker("id_ID")
    fake.seed_instance(seed + 104729)
    rng = random.Random(seed + 104729)
    covered = set(session.scalars(select(Official.region_id)))
    created = 0
    for region in session.scalars(select(Region).where(Region.level == KELURAHAN).order_by(Region.id)):
        if region.id in covered:
            continue
        birth = date(1970, 1, 1) + timedelta(days=rng.randint(0, 20 * 365))
        appointed = f"{rng.randint(1995, 2015)}{rng.randint(1, 12):02d}"
        nip = f"{birth:%Y%m%d}{appointed}{rng.randint(1, 2)}{rng.randint(1, 999):03d}"
        session.add(
            Official(
                name=fake.name(),
                rank=rng.choice(("Penata (III/c)", "Penata Tk. I (III/d)", "Pembina (IV/a)")),
                nip=nip,
                position=f"Lurah {region.name}",
                region_id=region.id,
                valid_from=date(2024, 1, 1),
            )
        )
        created += 1
    session.commit()
    return created


def seed_permits(session: Session, count: int, *, config: dict, municipality, instance_path: str) -> int:
    """Issue permits for the first `count` operating businesses that have none (real numbers, real PDFs)."""
    from models.permit import Permit
    from services.permits import PermitError, issue_permit

    with_permit = select(Permit.business_id)
    candidates = list(
        session.scalars(
            select(Business.id)
            .where(Business.status == OPERATING, Business.id.not_in(with_permit))
            .order_by(Business.id)
            .limit(count)
        )
    )
    issued = 0
    for business_id in candidates:
        try:
            issue_permit(
                session,
                session.get(Business, business_id),
                None,
                config=config,
                municipality=municipality,
                instance_path=instance_path,
            )
            issued += 1
        except PermitError:
            continue
    return issued
