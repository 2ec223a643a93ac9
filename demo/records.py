"""Realistic, deterministic demo data for the loaded regions (Faker, id_ID)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

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
from models.cooperative import (
    COOPERATIVE_KINDS,
    PENGAWAS,
    PENGURUS,
    PRIMER,
    RAT_CONFIRMED,
    RAT_PENDING,
    Cooperative,
    CooperativeFounder,
    CooperativeOfficial,
    Kampung,
    MemberCooperative,
    RatReport,
)
from models.region import KECAMATAN, KELURAHAN, Region
from models.user import COOPERATIVE, EDITOR, OFFICER, SUPERADMIN
from services import clock
from services.cooperatives import MIN_PRIMER_FOUNDERS
from services.passwords import random_password
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
    scope: str = ""  # what the account may see, when it is limited (an officer's kecamatan)


def _person_name(fake: Faker, female: bool) -> str:
    """A first and family name without the academic titles Faker sometimes adds (they make odd shop names)."""
    if female:
        return f"{fake.first_name_female()} {fake.last_name_female()}"
    return f"{fake.first_name_male()} {fake.last_name_male()}"


def region_code(kelurahan: Region) -> str | None:
    """The six digits a NIK of this kelurahan starts with: the kecamatan's Kemendagri code, or the kota's
    code (3275 for Kota Bekasi) and the kecamatan's place among the kota's kecamatan. None when unknown."""
    kecamatan = kelurahan.parent
    if kecamatan is None:
        return None
    code = (kecamatan.kemendagri_code or "").replace(".", "")
    if len(code) == 6:
        return code
    kota = kecamatan.parent
    kota_code = (kota.kemendagri_code or "").replace(".", "") if kota is not None else ""
    if len(kota_code) != 4:
        return None
    position = [child.id for child in kota.children].index(kecamatan.id) + 1
    return f"{kota_code}{position:02d}"


def _nik(rng: random.Random, kelurahan: Region, birth: date, female: bool) -> str:
    """A plausible 16-digit NIK: the region code of the municipality, birth date (+40 for women), sequence."""
    region = region_code(kelurahan) or f"3{rng.randint(10000, 99999)}"
    day = birth.day + (40 if female else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"


def _unique_nik(rng, kelurahan, birth, female, taken: set[str]) -> str:
    nik = _nik(rng, kelurahan, birth, female)
    while nik in taken:
        nik = _nik(rng, kelurahan, birth, female)
    taken.add(nik)
    return nik


def _founders(fake: Faker, rng: random.Random, region: Region, taken: set[str]) -> list[CooperativeFounder]:
    """The founders of a primer cooperative: at least the legal minimum of 9, each with a NIK of their own."""
    founders = []
    for position in range(rng.randint(MIN_PRIMER_FOUNDERS, MIN_PRIMER_FOUNDERS + 5)):
        female = rng.random() < 0.5
        birth = date(1960, 1, 1) + timedelta(days=rng.randint(0, 38 * 365))
        founders.append(
            CooperativeFounder(
                position=position,
                full_name=_person_name(fake, female),
                birth_place=rng.choice(("Jakarta", "Bogor", "Tegal", "Brebes", "Cirebon", "Indramayu")),
                birth_date=birth,
                address=f"{fake.street_address()}, RT {rng.randint(1, 15):03d}/RW {rng.randint(1, 12):03d}",
                nik=_unique_nik(rng, region, birth, female, taken),
            )
        )
    return founders


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
            full_name = _person_name(fake, female)
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
                address=fake.street_address(),
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
    """Create `count` primer cooperatives spread over the loaded kelurahan, each with its founders."""
    kelurahan = list(session.scalars(select(Region).where(Region.level == KELURAHAN).order_by(Region.id)))
    if not kelurahan:
        raise ValueError("Belum ada data wilayah: jalankan 'flask regions load' dulu.")
    fake = Faker("id_ID")
    fake.seed_instance(seed + 7919)
    rng = random.Random(seed + 7919)
    taken = set(session.scalars(select(CooperativeFounder.nik)))
    for _ in range(count):
        region = rng.choice(kelurahan)
        pattern, kind = rng.choice(COOPERATIVE_PATTERNS)
        founded = date(1995, 1, 1) + timedelta(days=rng.randint(0, 29 * 365))
        session.add(
            Cooperative(
                name=pattern.format(word=rng.choice(NAME_WORDS), kelurahan=region.name),
                kind=kind if kind in COOPERATIVE_KINDS else "konsumen",
                level=PRIMER,
                seat_address=fake.street_address(),
                kelurahan=region,
                founding_date=founded,
                legal_entity_number=f"AHU-{rng.randint(1, 9999999):07d}.AH.01.26.TAHUN {founded.year}",
                member_count=rng.randint(20, 400),
                founders=_founders(fake, rng, region, taken),
            )
        )
    session.commit()
    return count


def busiest_kecamatan(session: Session) -> Region | None:
    """The kecamatan with the most cooperatives (then businesses), ties by name: where a demo officer sees most."""
    kelurahan = aliased(Region)
    cooperatives = (
        select(func.count(Cooperative.id))
        .join(kelurahan, kelurahan.id == Cooperative.kelurahan_id)
        .where(kelurahan.parent_id == Region.id)
        .scalar_subquery()
    )
    businesses = (
        select(func.count(Business.id))
        .join(kelurahan, kelurahan.id == Business.kelurahan_id)
        .where(kelurahan.parent_id == Region.id)
        .scalar_subquery()
    )
    query = (
        select(Region)
        .where(Region.level == KECAMATAN)
        .order_by(cooperatives.desc(), businesses.desc(), Region.name)
        .limit(1)
    )
    return session.scalar(query)


def ensure_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create the demo accounts if missing; passwords are random.

    The demo officer works in one kecamatan (the busiest), as most officers do, so the demo shows the
    rule that an officer sees only their own kecamatan; a second officer account works city-wide.
    """
    kecamatan = busiest_kecamatan(session)
    created = []
    for role, username, full_name, scope in (
        (SUPERADMIN, "admin", "Admin Demo", None),
        (OFFICER, "petugas", f"Petugas Kecamatan {kecamatan.name}" if kecamatan else "Petugas Demo", kecamatan),
        (OFFICER, "petugas-kota", "Petugas Dinas (seluruh kota)", None),
        (EDITOR, "editor", "Editor Demo", None),
    ):
        if find_user(session, username) is None:
            password = random_password(username, full_name)
            create_user(session, username, password, role, full_name, kecamatan_id=scope.id if scope else None)
            described = f"Kecamatan {scope.name}" if scope else ("seluruh kota" if role == OFFICER else "")
            created.append(DemoAccount(role, username, password, described))
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


# Cooperatives named in the source articles (DOMAIN.md), with the kecamatan/kelurahan they sit in and
# the kampungs they serve; `rat` is how many closed years ago their last RAT was (None: never).
SOURCE_COOPERATIVES = (
    ("Koperasi Konsumen Akuarium Bangkit Mandiri", "Penjaringan", "Penjaringan", ("Kampung Akuarium",), 0),
    ("Koperasi Konsumen Kumir Pinangsia Sejahtera", "Taman Sari", "Pinangsia", ("Kampung Kumir",), 0),
    (
        "Koperasi Konsumen Komunitas Anak Kali Ciliwung",
        "Pademangan",
        "Ancol",
        ("Kampung Lodan", "Kampung Tongkol", "Kampung Kerapu"),
        0,
    ),
    ("Koperasi Konsumen Marlina Maju Bersama", "Penjaringan", "Penjaringan", ("Kampung Marlina",), 1),
    ("Koperasi Konsumen Elektrojaya Makmur", "Penjaringan", "Pejagalan", ("Kampung Elektro",), 0),
    ("Koperasi Konsumen Gedung Pompa Mandiri Sejahtera", "Penjaringan", "Penjaringan", ("Kampung Gedong Pompa",), 2),
    (
        "Koperasi Konsumen Kampung Rawamakmur",
        "Kebayoran Baru",
        "Rawa Barat",
        ("Kampung Rawa Barat", "Kampung Rawa Timur"),
        1,
    ),
    ("Koperasi Konsumen Kampung Muka Mandiri", "Pademangan", "Ancol", ("Kampung Muka",), 0),
    ("Koperasi Konsumen Langkong Bersinar", "Tambora", "Tanah Sereal", ("Kampung Langkong",), None),
)
GENERIC_SOURCE_NAMES = ("Bangkit Mandiri", "Maju Bersama", "Sejahtera Bersama", "Makmur Jaya", "Bersinar")
BOARD_TITLES = ("Ketua", "Sekretaris", "Bendahara")
DEMO_COOPERATIVE_USERNAME = "koperasi"


def _kelurahan_in(session: Session, kecamatan: str, kelurahan: str) -> Region | None:
    parent = aliased(Region)
    return session.scalar(
        select(Region)
        .join(parent, Region.parent_id == parent.id)
        .where(Region.level == KELURAHAN, Region.name == kelurahan, parent.name == kecamatan)
    )


def _rat_history(session: Session, cooperative: Cooperative, years_since: int | None, rng, today: date) -> None:
    """RAT reports up to `years_since` closed years ago (0: the last closed year), back to the founding year."""
    if years_since is None:
        return
    last = today.year - 1 - years_since
    first = max(cooperative.founding_date.year if cooperative.founding_date else last - 3, last - 4)
    members = cooperative.member_count or 30
    for year in range(first, last + 1):
        session.add(
            RatReport(
                cooperative=cooperative,
                financial_year=year,
                meeting_date=date(year + 1, rng.randint(2, 6), rng.randint(1, 28)),
                members_present=max(1, int(members * rng.uniform(0.5, 0.9))),
                shu_rupiah=rng.randrange(-2_000_000, 40_000_000, 50_000),
                total_assets_rupiah=rng.randrange(20_000_000, 900_000_000, 500_000),
                status=RAT_CONFIRMED,
            )
        )


def seed_source_cooperatives(session: Session, dki: bool, seed: int = 1, today: date | None = None) -> int:
    """The cooperatives of the source articles with kampungs, founders, board and RAT histories.

    In DKI Jakarta they sit in their real kecamatan; elsewhere, generic names in the loaded kelurahan.
    Safe to run again: cooperatives already present by name are left alone.
    """
    today = today or clock.today()
    kelurahan_all = list(session.scalars(select(Region).where(Region.level == KELURAHAN).order_by(Region.id)))
    if not kelurahan_all:
        raise ValueError("Belum ada data wilayah: jalankan 'flask regions load' dulu.")
    fake = Faker("id_ID")
    fake.seed_instance(seed + 2593)
    rng = random.Random(seed + 2593)
    taken = set(session.scalars(select(Person.nik)))
    created = 0
    for index, (name, kecamatan, kelurahan_name, kampungs, rat) in enumerate(SOURCE_COOPERATIVES):
        region = _kelurahan_in(session, kecamatan, kelurahan_name) if dki else None
        if region is None:
            region = rng.choice(kelurahan_all)
            name = f"Koperasi Konsumen Kampung {region.name} {GENERIC_SOURCE_NAMES[index % len(GENERIC_SOURCE_NAMES)]}"
            kampungs = (f"Kampung {region.name}",)
        if session.scalar(select(Cooperative.id).where(Cooperative.name == name)):
            continue
        founded = date(2020, 1, 1) + timedelta(days=rng.randint(0, 540))
        cooperative = Cooperative(
            name=name,
            kind="konsumen",
            level="primer",
            seat_address=fake.street_address(),
            kelurahan=region,
            **_founding_facts(fake, rng, founded, with_npak=True),
            purpose="Meningkatkan kesejahteraan anggota dan warga kampung melalui penyediaan kebutuhan pokok.",
            business_fields="Penjualan kebutuhan pokok sehari-hari; simpan pinjam bagi anggota.",
            duration="Tidak terbatas",
            simpanan_pokok_rupiah=rng.choice((50_000, 100_000, 150_000)),
            simpanan_wajib_rupiah=rng.choice((10_000, 20_000, 25_000)),
            member_count=rng.randint(25, 180),
            kampungs=[_kampung(session, kampung) for kampung in kampungs],
        )
        session.add(cooperative)
        cooperative.founders.extend(_founders(fake, rng, region, taken))
        # The first board and supervisors are chosen from and by the founders (UU 25/1992 art. 29).
        for position, title in enumerate(BOARD_TITLES):
            cooperative.officials.append(
                CooperativeOfficial(
                    body=PENGURUS, position=position, full_name=cooperative.founders[position].full_name, title=title
                )
            )
        cooperative.officials.append(
            CooperativeOfficial(
                body=PENGAWAS,
                position=len(BOARD_TITLES),
                full_name=cooperative.founders[len(BOARD_TITLES)].full_name,
                title="Ketua Pengawas",
            )
        )
        cooperative.founding_witness_1 = _person_name(fake, rng.random() < 0.5)
        cooperative.founding_witness_2 = _person_name(fake, rng.random() < 0.5)
        cooperative.legal_entity_ministry = "Kementerian Hukum dan Hak Asasi Manusia"
        _rat_history(session, cooperative, rat, rng, today)
        created += 1
    session.commit()
    return created


def _founding_facts(fake, rng, founded: date, *, with_npak: bool, entity_after_days: int | None = None) -> dict:
    """The founding deed and legal-entity facts of a demo cooperative, drawn in one order (the seed's)."""
    facts = {
        "founding_date": founded,
        "deed_number": str(rng.randint(1, 60)),
        "deed_date": founded,
        "notary_name": f"{fake.name()}, S.H., M.Kn.",
    }
    if with_npak:
        facts["notary_npak_decree"] = (
            f"AHU-{rng.randint(100, 9999):05d}.AH.02.01.TAHUN {founded.year - rng.randint(1, 5)}"
        )
    facts["legal_entity_number"] = f"AHU-{rng.randint(1, 9999999):07d}.AH.01.26.TAHUN {founded.year}"
    days = entity_after_days if entity_after_days is not None else rng.randint(14, 60)
    facts["legal_entity_date"] = founded + timedelta(days=days)
    return facts


SECONDARY_SUFFIX = "Sekunder Kampung Bersatu"


def seed_secondary_cooperative(session: Session, seed: int = 1, today: date | None = None) -> int:
    """One sekunder cooperative whose members are the first source cooperatives (at least three), so
    the demo shows the other level of the law. Safe to run again (found by name)."""
    today = today or clock.today()
    names = [entry[0] for entry in SOURCE_COOPERATIVES]
    members = list(session.scalars(select(Cooperative).where(Cooperative.name.in_(names)).order_by(Cooperative.id)))
    if len(members) < 3:
        members = list(
            session.scalars(select(Cooperative).where(Cooperative.level == "primer").order_by(Cooperative.id).limit(4))
        )
    if len(members) < 3:
        return 0
    seat = members[0].kelurahan
    name = f"Koperasi {SECONDARY_SUFFIX} {seat.parent.name if seat.parent else seat.name}"
    if session.scalar(select(Cooperative.id).where(Cooperative.name == name)):
        return 0
    fake = Faker("id_ID")
    fake.seed_instance(seed + 7411)
    rng = random.Random(seed + 7411)
    founded = date(2022, 3, 1) + timedelta(days=rng.randint(0, 200))
    cooperative = Cooperative(
        name=name,
        kind="konsumen",
        level="sekunder",
        seat_address=fake.street_address(),
        kelurahan=seat,
        **_founding_facts(fake, rng, founded, with_npak=False, entity_after_days=30),
        purpose="Memperkuat usaha koperasi-koperasi kampung anggotanya melalui pembelian bersama.",
        business_fields="Pengadaan bersama kebutuhan pokok bagi koperasi anggota.",
        duration="Tidak terbatas",
        simpanan_pokok_rupiah=1_000_000,
        simpanan_wajib_rupiah=100_000,
        member_count=len(members[:5]),
        kampungs=sorted({kampung for member in members[:5] for kampung in member.kampungs}, key=lambda k: k.name),
    )
    session.add(cooperative)
    for position, member in enumerate(members[:5]):
        cooperative.member_cooperatives.append(
            MemberCooperative(position=position, name=member.name, legal_entity_number=member.legal_entity_number)
        )
    for position, title in enumerate(BOARD_TITLES):
        cooperative.officials.append(
            CooperativeOfficial(
                body=PENGURUS, position=position, full_name=_person_name(fake, rng.random() < 0.5), title=title
            )
        )
    cooperative.officials.append(
        CooperativeOfficial(
            body=PENGAWAS, position=len(BOARD_TITLES), full_name=_person_name(fake, True), title="Ketua Pengawas"
        )
    )
    _rat_history(session, cooperative, 0, rng, today)
    session.commit()
    return 1


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


def seed_deeds(session: Session, *, config: dict, instance_path: str) -> int:
    """Issue founding deeds (real PDFs, signed, stored) for the source articles' cooperatives and the demo
    portal account's cooperative, where they have none yet. Safe to run again."""
    from models.cooperative import FoundingDeed
    from services.deeds import DeedError, issue_deed

    wanted = Cooperative.name.in_([entry[0] for entry in SOURCE_COOPERATIVES]) | or_(
        *[Cooperative.name.like(f"Koperasi Konsumen Kampung %{name}") for name in GENERIC_SOURCE_NAMES]
    )
    demo_account = find_user(session, DEMO_COOPERATIVE_USERNAME)
    if demo_account is not None and demo_account.cooperative_id is not None:
        wanted = wanted | (Cooperative.id == demo_account.cooperative_id)
    without_deed = Cooperative.id.not_in(select(FoundingDeed.cooperative_id))
    issued = 0
    for cooperative_id in list(
        session.scalars(select(Cooperative.id).where(wanted, without_deed).order_by(Cooperative.id))
    ):
        try:
            issue_deed(
                session, session.get(Cooperative, cooperative_id), None, config=config, instance_path=instance_path
            )
        except DeedError:  # an incomplete legal record (no notarial deed recorded) gets no registry copy
            continue
        issued += 1
    return issued


def _kampung(session: Session, name: str) -> Kampung:
    kampung = session.scalar(select(Kampung).where(Kampung.name == name))
    if kampung is None:
        kampung = Kampung(name=name)
        session.add(kampung)
        session.flush()
    return kampung


def seed_rat_histories(session: Session, seed: int = 1, today: date | None = None) -> int:
    """Give cooperatives without any RAT report a history: about half active, the rest dormant or at risk
    (in Bekasi only about half of the registered cooperatives still operate)."""
    today = today or clock.today()
    rng = random.Random(seed + 4507)
    without = session.scalars(select(Cooperative).where(~Cooperative.rat_reports.any()).order_by(Cooperative.id)).all()
    for cooperative in without:
        roll = rng.random()
        years_since = 0 if roll < 0.5 else 1 if roll < 0.7 else rng.randint(2, 5)
        _rat_history(session, cooperative, years_since, rng, today)
    session.commit()
    return len(without)


def seed_pending_rat_reports(session: Session, seed: int = 1, today: date | None = None) -> int:
    """About half of the cooperatives one year late have sent last year's report, which awaits an officer:
    the queue of reports to confirm is not empty in the demo. Safe to run again."""
    today = today or clock.today()
    rng = random.Random(seed + 6079)
    last_closed = today.year - 1
    latest = (
        select(RatReport.cooperative_id, func.max(RatReport.financial_year).label("year"))
        .group_by(RatReport.cooperative_id)
        .subquery()
    )
    late = session.scalars(
        select(Cooperative)
        .join(latest, latest.c.cooperative_id == Cooperative.id)
        .where(latest.c.year == last_closed - 1)
        .order_by(Cooperative.id)
    ).all()
    added = 0
    for cooperative in late:
        if rng.random() >= 0.5:
            continue
        members = cooperative.member_count or 30
        session.add(
            RatReport(
                cooperative=cooperative,
                financial_year=last_closed,
                meeting_date=date(today.year, 1, 1)
                + timedelta(days=rng.randint(0, max(0, min(150, (today - date(today.year, 1, 1)).days)))),
                members_present=max(1, int(members * rng.uniform(0.5, 0.9))),
                shu_rupiah=rng.randrange(-2_000_000, 40_000_000, 50_000),
                total_assets_rupiah=rng.randrange(20_000_000, 900_000_000, 500_000),
                status=RAT_PENDING,
            )
        )
        added += 1
    session.commit()
    return added


def ensure_cooperative_demo_account(session: Session) -> list[DemoAccount]:
    """A portal account for the first source cooperative (or any cooperative); the password is random."""
    if find_user(session, DEMO_COOPERATIVE_USERNAME) is not None:
        return []
    names = [entry[0] for entry in SOURCE_COOPERATIVES]
    cooperative = session.scalar(select(Cooperative).where(Cooperative.name == names[0])) or session.scalar(
        select(Cooperative).order_by(Cooperative.id).limit(1)
    )
    if cooperative is None:
        return []
    password = random_password(DEMO_COOPERATIVE_USERNAME, f"Pengurus {cooperative.name}")
    create_user(
        session,
        DEMO_COOPERATIVE_USERNAME,
        password,
        COOPERATIVE,
        f"Pengurus {cooperative.name}",
        cooperative_id=cooperative.id,
    )
    return [DemoAccount(COOPERATIVE, DEMO_COOPERATIVE_USERNAME, password)]
