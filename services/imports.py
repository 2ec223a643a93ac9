"""Bringing an existing register in: businesses, their owners and the permits issued on paper.

`plan` reads a file through a column mapping (remembered per source in `import_mapping`) and checks
every row against the registry without writing anything: the dry run lists each problem by row,
column and message, and counts what would be created, updated or left alone. `apply` writes the
plan in one transaction (all or nothing), only when the dry run found no problem. Natural keys make
a second import a no-op: NIK for persons, NIB (else name, kelurahan and owner) for businesses, the
number for permits; the file's SHA-256 is recorded so the same bytes are refused as "already imported".

Imported permits keep their numbers, dates and validity and get a fresh verification token; they have
no stored certificate (the paper is the original). The permit counter of each series, year and scope
is raised to the highest imported number, so the next issued permit follows it. Rows are written with
bulk inserts (150,000 rows in minutes); the search outbox gets a row per business touched and the
figures' cache is dropped, as ordinary saves do through the ORM hooks.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, ClassVar, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table as SqlTable
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from models.business import LEGAL_FORMS, Business, Person
from models.imports import ImportedFile, ImportMapping
from models.kbli import KbliCode
from models.permit import NEW, Permit, PermitCounter, PermitReservation
from models.region import KECAMATAN, KELURAHAN, Region
from models.search import SearchOutbox
from models.user import User
from services import clock, figures, oss, permits
from services.audit import AuditAction, record
from services.digits import ascii_digits
from services.import_files import Table, normalise_header, read_table
from services.registry import RegistryError, birth_date_from_nik, nik_problem, normalise_phone

BUSINESSES = "businesses"
CHUNK = 5000


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool
    synonyms: tuple[str, ...]


FIELDS = (
    Field("owner_nik", "NIK pemilik", True, ("nik", "nik pemilik", "no ktp", "nomor ktp", "nik ktp")),
    Field("owner_name", "Nama pemilik", True, ("nama pemilik", "pemilik", "nama pemilik usaha")),
    Field("owner_phone", "Telepon pemilik", False, ("telepon", "no hp", "nomor hp", "telp", "telepon pemilik")),
    Field("owner_address", "Alamat rumah pemilik", False, ("alamat pemilik", "alamat rumah", "alamat ktp")),
    Field("name", "Nama usaha", True, ("nama usaha", "usaha", "nama perusahaan")),
    Field("address", "Alamat usaha", True, ("alamat usaha", "alamat", "lokasi usaha")),
    Field("kelurahan", "Kelurahan", True, ("kelurahan", "desa", "kode kelurahan", "kelurahan desa")),
    Field("kecamatan", "Kecamatan", False, ("kecamatan",)),
    Field("legal_form", "Bentuk usaha", False, ("bentuk usaha", "bentuk badan usaha")),
    Field("nib", "NIB", False, ("nib", "nomor induk berusaha")),
    Field("kbli", "KBLI", False, ("kbli", "kode kbli")),
    Field("activity", "Kegiatan usaha", False, ("kegiatan usaha", "kegiatan", "jenis usaha", "bidang usaha")),
    Field("capital", "Modal usaha (Rp)", False, ("modal", "modal usaha", "modal rp", "modal usaha rp")),
    Field("workers", "Tenaga kerja", False, ("tenaga kerja", "jumlah tenaga kerja", "karyawan", "pekerja")),
    Field("permit_number", "Nomor izin", False, ("nomor izin", "no izin", "nomor iumk", "no iumk")),
    Field("permit_issued_on", "Tanggal terbit izin", False, ("tanggal izin", "tanggal terbit", "tanggal terbit izin")),
    Field(
        "permit_valid_until", "Izin berlaku sampai", False, ("berlaku sampai", "masa berlaku", "izin berlaku sampai")
    ),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
# What the dry run counts, in the order the report shows it.
COUNTED = (("persons", _l("Pemilik")), ("businesses", _l("Usaha")), ("permits", _l("Izin")))
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


class ImportRefused(ValueError):
    """The file cannot be applied (problems found, already imported, unreadable); message for the officer.
    `plan` is the dry run that found the problems, when there was one."""

    def __init__(self, message: str, plan: Plan | None = None):
        super().__init__(message)
        self.plan = plan


@dataclass
class Problem:
    row: int
    column: str
    message: str


@dataclass
class Counts:
    create: int = 0
    update: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict:
        return {"create": self.create, "update": self.update, "unchanged": self.unchanged}


@dataclass
class PlanBase:
    """A dry run of one file, whatever it registers: its rows, its problems, and what apply would do
    (counted per kind of record, the kinds named by COUNTED)."""

    COUNTED: ClassVar[tuple[str, ...]] = ()

    sha256: str
    filename: str
    source: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    already_imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.already_imported

    def counts(self) -> dict:
        return {"rows": self.rows, **{kind: getattr(self, kind).as_dict() for kind in self.COUNTED}}


@dataclass
class Plan(PlanBase):
    COUNTED: ClassVar[tuple[str, ...]] = ("persons", "businesses", "permits")

    persons: Counts = field(default_factory=Counts)
    businesses: Counts = field(default_factory=Counts)
    permits: Counts = field(default_factory=Counts)
    # What apply writes, filled by the dry run.
    new_persons: dict[str, dict] = field(default_factory=dict)
    person_updates: dict[str, dict] = field(default_factory=dict)
    new_businesses: list[dict] = field(default_factory=list)
    business_updates: dict[int, dict] = field(default_factory=dict)
    new_permits: list[dict] = field(default_factory=list)


# --- Mapping ---------------------------------------------------------------------------------------


def guess_mapping(header: list[str], fields: tuple[Field, ...] = FIELDS) -> dict[str, str]:
    """For each field, the column whose title matches it (words in any order), when one does."""
    normalised = {column: normalise_header(column) for column in header if column}
    mapping: dict[str, str] = {}
    for spec in fields:
        names = {normalise_header(spec.label), *spec.synonyms}
        exact = [c for c, n in normalised.items() if n in names and c not in mapping.values()]
        loose = [
            c
            for c, n in normalised.items()
            if any(sorted(n.split()) == sorted(s.split()) for s in names) and c not in mapping.values()
        ]
        if exact or loose:
            mapping[spec.key] = (exact or loose)[0]
    return mapping


def saved_mapping(session: Session, source: str, kind: str = BUSINESSES) -> dict[str, str] | None:
    row = session.get(ImportMapping, (kind, source))
    return dict(row.columns) if row else None


def mapping_for(
    session: Session, source: str, header: list[str], kind: str = BUSINESSES, fields: tuple[Field, ...] = FIELDS
) -> dict[str, str]:
    """The remembered mapping of `source` (columns still in the file), else a guess from the titles."""
    saved = saved_mapping(session, source, kind)
    if saved is not None:
        keys = {spec.key for spec in fields}
        return {key: column for key, column in saved.items() if column in header and key in keys}
    return guess_mapping(header, fields)


def mapping_problems(mapping: dict[str, str], header: list[str], fields: tuple[Field, ...] = FIELDS) -> list[str]:
    """Why the mapping cannot be used: a required field without a column, a column that is not in the file."""
    mapping = {key: column for key, column in mapping.items() if key in {spec.key for spec in fields}}
    problems = [
        f"Kolom untuk '{spec.label}' wajib dipilih." for spec in fields if spec.required and not mapping.get(spec.key)
    ]
    problems += [
        f"Kolom '{column}' tidak ada di berkas." for column in mapping.values() if column and column not in header
    ]
    used = [column for column in mapping.values() if column]
    problems += [
        f"Kolom '{column}' dipilih untuk lebih dari satu isian."
        for column in sorted(set(used))
        if used.count(column) > 1
    ]
    return problems


def remember_mapping(
    session: Session, source: str, mapping: dict[str, str], kind: str = BUSINESSES, fields: tuple[Field, ...] = FIELDS
) -> None:
    """Store the mapping for `source` (committed with the import, or by the caller)."""
    keys = {spec.key for spec in fields}
    columns = {key: column for key, column in mapping.items() if key in keys and column}
    row = session.get(ImportMapping, (kind, source))
    if row is None:
        session.add(ImportMapping(kind=kind, source=source, columns=columns))
    elif row.columns != columns:
        row.columns = columns


def save_mapping(
    session: Session, source: str, mapping: dict[str, str], kind: str = BUSINESSES, fields: tuple[Field, ...] = FIELDS
) -> None:
    """Remember the mapping the officer confirmed for `source`, now (before any import is applied)."""
    remember_mapping(session, clean_source(source), mapping, kind, fields)
    session.commit()


def clean_source(source: str) -> str:
    source = re.sub(r"\s+", " ", source or "").strip()
    if not source or len(source) > 100:
        raise ImportRefused(
            "Nama sumber data wajib diisi (paling banyak 100 karakter), misalnya 'IUMK Kecamatan Gambir'."
        )
    return source


# --- Reading values --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _digits(value: Any) -> str:
    return re.sub(r"[\s.-]", "", ascii_digits(_text(value)) or "")


def _date(value: Any) -> date | str | None:
    """A date, None when empty, or the message saying why it is not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = ascii_digits(_text(value)) or ""
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}", text):
        return f"Tanggal '{text}' tidak ada di kalender."
    return f"'{text}' bukan tanggal: tulis seperti 31/12/2021 atau 2021-12-31."


def _amount(value: Any) -> int | str | None:
    """Rupiah as an integer ("Rp 1.500.000" or 1500000.0), None when empty, else a message."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    text = ascii_digits(_text(value)) or ""
    if not text:
        return None
    digits = re.sub(r"^rp\.?\s*|[.\s]|,00$", "", text.lower())
    if not digits.isdigit():
        return f"'{text}' bukan jumlah rupiah."
    return int(digits)


def number_regex(pattern: str, series: str) -> re.Pattern:
    """A regex reading seq and year back out of a permit number formed by PERMIT_NUMBER_PATTERN."""
    parts = []
    seen: set[str] = set()
    for literal, name, _spec, _conv in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if name is None:
            continue
        if name in seen:
            parts.append(f"(?P={name})")
            continue
        seen.add(name)
        if name == "seq":
            parts.append("(?P<seq>[0-9]+)")
        elif name == "year":
            parts.append("(?P<year>[0-9]{4})")
        elif name == "series":
            parts.append(f"(?P<series>{re.escape(series)})")
        else:
            parts.append(f"(?P<{name}>[^/]+?)")
    return re.compile("".join(parts), re.IGNORECASE)


# --- The dry run -----------------------------------------------------------------------------------


class _Regions:
    """Kelurahan by code or by name (with the kecamatan to tell apart names used twice)."""

    def __init__(self, session: Session, scope: int | None):
        self.scope = scope
        kecamatan = {r.id: r.name for r in session.scalars(select(Region).where(Region.level == KECAMATAN))}
        self.by_id: dict[int, Region] = {}
        self.by_code: dict[str, Region] = {}
        self.by_name: dict[str, list[Region]] = {}
        self.kecamatan_of: dict[int, str] = {}
        for region in session.scalars(select(Region).where(Region.level == KELURAHAN)):
            self.by_id[region.id] = region
            parent = kecamatan.get(region.parent_id, "") if region.parent_id is not None else ""
            self.kecamatan_of[region.id] = normalise_header(parent)
            for code in (region.kemendagri_code, region.office_code):
                if code:
                    self.by_code[re.sub(r"[\s.]", "", code)] = region
            self.by_name.setdefault(normalise_header(region.name), []).append(region)

    def find(self, value: str, kecamatan: str) -> Region | str:
        code = re.sub(r"[\s.]", "", ascii_digits(value) or "")
        region = self.by_code.get(code)
        if region is None:
            candidates = self.by_name.get(normalise_header(value), [])
            if kecamatan:
                wanted = normalise_header(kecamatan)
                candidates = [c for c in candidates if self.kecamatan_of[c.id] == wanted]
            if not candidates:
                return f"Kelurahan '{value}' tidak dikenal" + (f" di Kecamatan {kecamatan}." if kecamatan else ".")
            if len(candidates) > 1:
                return f"Ada beberapa Kelurahan '{value}': isi kolom kecamatan."
            region = candidates[0]
        if self.scope is not None and region.parent_id != self.scope:
            return f"Kelurahan {region.name} di luar wilayah kerja Anda."
        return region


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan(
    session: Session,
    data: bytes,
    filename: str,
    source: str,
    mapping: dict[str, str],
    config: dict,
    *,
    scope: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Check the file through `mapping` and work out what applying it would do; writes nothing."""
    source = clean_source(source)
    table = read_table(data, filename)
    problems = mapping_problems(mapping, table.header)
    if problems:
        raise ImportRefused(" ".join(problems))
    result = Plan(sha256=fingerprint(data), filename=filename[:255], source=source)
    result.already_imported = session.get(ImportedFile, result.sha256) is not None
    _Checker(session, table, mapping, config, scope, result, progress).run()
    return result


class RowChecker:
    """What the business and cooperative checkers share: a row's value by field key, and its kelurahan."""

    index: dict[str, int]
    regions: _Regions

    def value(self, row: list, key: str) -> Any:
        position = self.index.get(key)
        return row[position] if position is not None and position < len(row) else None

    def problem(self, row_number: int, key: str, message: str) -> None:
        raise NotImplementedError

    def kelurahan(self, row_number: int, row: list) -> Region | None:
        """The row's kelurahan (by code, or by name with its kecamatan); None, with a problem, when unknown."""
        kelurahan = _text(self.value(row, "kelurahan"))
        if not kelurahan:
            self.problem(row_number, "kelurahan", "Kelurahan wajib diisi.")
            return None
        found = self.regions.find(kelurahan, _text(self.value(row, "kecamatan")))
        if isinstance(found, str):
            self.problem(row_number, "kelurahan", found)
            return None
        return found


@dataclass
class _Row:
    """One row that passed its checks, as plan_row weighs it against the registry."""

    n: int
    nik: str
    owner_name: str
    phone: str | None
    owner_address: str | None
    name: str
    address: str
    region: Region
    legal_form: str | None
    nib: str | None
    kbli: str | None
    activity: str | None
    capital: int | None
    workers: int | None
    permit: dict | None


class _Checker(RowChecker):
    def __init__(self, session, table: Table, mapping, config, scope, result: Plan, progress):
        self.session, self.table, self.config, self.result, self.progress = session, table, config, result, progress
        self.index = {key: table.header.index(column) for key, column in mapping.items() if column}
        self.rules = oss.rules(config)
        self.regions = _Regions(session, scope)
        self.kbli = {code: version for version, code in session.execute(select(KbliCode.version, KbliCode.code))}
        self.number_re = number_regex(config["PERMIT_NUMBER_PATTERN"], config["PERMIT_SERIES"])
        self.persons = {
            nik: (pid, name, phone, address)
            for pid, nik, name, phone, address in session.execute(
                select(Person.id, Person.nik, Person.full_name, Person.phone, Person.home_address)
            )
        }
        self.by_nib: dict[str, Any] = {}
        self.by_key: dict[tuple, Any] = {}
        for row in session.execute(
            select(
                Business.id,
                Business.nib,
                Business.name,
                Business.kelurahan_id,
                Business.owner_id,
                Business.address,
                Business.activity,
                Business.capital_rupiah,
                Business.workers,
                Business.kbli_code,
                Business.legal_form,
            )
        ):
            if row.nib:
                self.by_nib[row.nib] = row
            self.by_key[(row.name.lower(), row.kelurahan_id, row.owner_id)] = row
        self.permit_numbers = {
            number.upper(): (business_id, issued_on, valid_until)
            for number, business_id, issued_on, valid_until in session.execute(
                select(Permit.number, Permit.business_id, Permit.issued_on, Permit.valid_until)
            )
        }
        self.permit_seqs = {
            (s, y, sc, q)
            for s, y, sc, q in session.execute(select(Permit.series, Permit.year, Permit.sequence_scope, Permit.seq))
        }
        self.permit_seqs |= {
            (s, y, sc, q)
            for s, y, sc, q in session.execute(
                select(PermitReservation.series, PermitReservation.year, PermitReservation.scope, PermitReservation.seq)
            )
        }
        self.current_permit = {
            business_id: number
            for business_id, number in session.execute(
                select(Permit.business_id, Permit.number).where(
                    Permit.revoked_at.is_(None), Permit.superseded_at.is_(None)
                )
            )
        }
        self.seen_nik: dict[str, tuple[int, str]] = {}
        self.seen_business: dict[tuple, int] = {}
        self.seen_nib: dict[str, int] = {}
        self.seen_permit: dict[str, int] = {}
        self.seen_person_counted: set[str] = set()
        self.seen_seq: dict[tuple, int] = {}
        self.today = permits.local_today(config)

    def problem(self, row_number: int, key: str, message: str) -> None:
        column = self.table.header[self.index[key]] if key in self.index else FIELD_BY_KEY[key].label
        self.result.problems.append(Problem(row_number, column, message))

    def run(self) -> None:
        for offset, row in enumerate(self.table.rows):
            if self.progress and offset % 1000 == 0 and offset:
                self.progress(1000)
            if not row:
                continue
            self.result.rows += 1
            self.check_row(self.table.first_row + offset, row)
        if self.progress:
            self.progress(len(self.table.rows) % 1000 or (1000 if self.table.rows else 0))

    def check_row(self, n: int, row: list) -> None:  # noqa: C901 - one check per column, in column order
        before = len(self.result.problems)
        nik = _digits(self.value(row, "owner_nik"))
        owner_name = _text(self.value(row, "owner_name"))
        nik_message = nik_problem(nik) if nik else "NIK pemilik wajib diisi."
        if nik_message:
            self.problem(n, "owner_nik", nik_message)
        if not owner_name:
            self.problem(n, "owner_name", "Nama pemilik wajib diisi.")
        elif len(owner_name) > 150:
            self.problem(n, "owner_name", "Nama pemilik paling banyak 150 karakter.")
        phone = None
        raw_phone = _text(self.value(row, "owner_phone"))
        if raw_phone:
            try:
                phone = normalise_phone(raw_phone)
            except RegistryError as exc:
                self.problem(n, "owner_phone", str(exc))
        owner_address = _text(self.value(row, "owner_address")) or None
        name = _text(self.value(row, "name"))
        address = _text(self.value(row, "address"))
        if not name:
            self.problem(n, "name", "Nama usaha wajib diisi.")
        elif len(name) > 200:
            self.problem(n, "name", "Nama usaha paling banyak 200 karakter.")
        if not address:
            self.problem(n, "address", "Alamat usaha wajib diisi.")
        region = self.kelurahan(n, row)
        legal_form = normalise_header(_text(self.value(row, "legal_form"))).replace(" ", "_") or None
        if legal_form and legal_form not in LEGAL_FORMS:
            self.problem(n, "legal_form", f"Bentuk usaha harus salah satu dari: {', '.join(LEGAL_FORMS)}.")
        nib = _digits(self.value(row, "nib")) or None
        if nib and not re.fullmatch(f"[0-9]{{{self.rules.nib_digits}}}", nib):
            self.problem(n, "nib", f"NIB harus {self.rules.nib_digits} angka.")
        kbli = _digits(self.value(row, "kbli")) or None
        if kbli and kbli not in self.kbli:
            self.problem(n, "kbli", f"Kode KBLI {kbli} tidak dikenal.")
        activity = _text(self.value(row, "activity"))[:255] or None
        capital = _amount(self.value(row, "capital"))
        if isinstance(capital, str):
            self.problem(n, "capital", capital)
            capital = None
        elif capital is not None and capital > self.rules.capital_max:
            self.problem(
                n,
                "capital",
                f"Modal Rp {capital:,} melebihi batas usaha kecil (Rp {self.rules.capital_max:,}); "
                "usaha ini tidak didaftarkan di sini.".replace(",", "."),
            )
        workers = _amount(self.value(row, "workers"))
        if isinstance(workers, str) or (workers is not None and workers > 100_000):
            self.problem(n, "workers", "Jumlah tenaga kerja harus bilangan bulat.")
            workers = None
        permit = self.check_permit(n, row, region)
        # Duplicates within the file.
        if nik and not nik_problem(nik) and owner_name:
            earlier = self.seen_nik.get(nik)
            if earlier and earlier[1].lower() != owner_name.lower():
                self.problem(n, "owner_name", f"NIK sama dengan baris {earlier[0]} tetapi nama pemilik berbeda.")
            self.seen_nik.setdefault(nik, (n, owner_name))
        key = (name.lower(), region.id if region else None, nik)
        if name and region:
            if key in self.seen_business:
                self.problem(
                    n, "name", f"Baris ganda: usaha, kelurahan dan pemilik sama dengan baris {self.seen_business[key]}."
                )
            else:
                self.seen_business[key] = n
        if nib:
            if nib in self.seen_nib:
                self.problem(n, "nib", f"NIB sama dengan baris {self.seen_nib[nib]}.")
            else:
                self.seen_nib[nib] = n
        if len(self.result.problems) > before or region is None:
            return
        self.plan_row(
            _Row(
                n,
                nik,
                owner_name,
                phone,
                owner_address,
                name,
                address,
                region,
                legal_form,
                nib,
                kbli,
                activity,
                capital,
                workers,
                permit,
            )
        )

    def check_permit(self, n: int, row: list, region: Region | None) -> dict | None:
        number = _text(self.value(row, "permit_number")).upper()
        issued = _date(self.value(row, "permit_issued_on"))
        until = _date(self.value(row, "permit_valid_until"))
        for key, value in (("permit_issued_on", issued), ("permit_valid_until", until)):
            if isinstance(value, str):
                self.problem(n, key, value)
        if isinstance(issued, str) or isinstance(until, str):
            return None
        if not number:
            if issued or until:
                self.problem(n, "permit_number", "Tanggal izin diisi tetapi nomor izin kosong.")
            return None
        if len(number) > 80:
            self.problem(n, "permit_number", "Nomor izin paling banyak 80 karakter.")
            return None
        match = self.number_re.fullmatch(number)
        if match is None:
            self.problem(
                n, "permit_number", f"Nomor izin '{number}' tidak sesuai pola {self.config['PERMIT_NUMBER_PATTERN']}."
            )
            return None
        if issued is None:
            self.problem(n, "permit_issued_on", "Tanggal terbit izin wajib diisi bila ada nomor izin.")
            return None
        if issued > self.today:
            self.problem(n, "permit_issued_on", "Tanggal terbit izin tidak boleh setelah hari ini.")
            return None
        until = until or permits.add_years(issued, self.config["PERMIT_VALIDITY_YEARS"])
        if until < issued:
            self.problem(n, "permit_valid_until", "Tanggal berlaku sampai tidak boleh sebelum tanggal terbit.")
            return None
        if number in self.seen_permit:
            self.problem(n, "permit_number", f"Nomor izin sama dengan baris {self.seen_permit[number]}.")
            return None
        self.seen_permit[number] = n
        if region is None:
            return None
        try:
            scope = permits.sequence_scope(self.config, region)
        except permits.PermitError as exc:
            self.problem(n, "permit_number", str(exc))
            return None
        seq_key = (self.config["PERMIT_SERIES"], int(match["year"]), scope, int(match["seq"]))
        if seq_key in self.seen_seq:
            self.problem(n, "permit_number", f"Nomor urut izin sama dengan baris {self.seen_seq[seq_key]}.")
            return None
        self.seen_seq[seq_key] = n
        return {"number": number, "issued_on": issued, "valid_until": until, "seq_key": seq_key}

    def plan_row(self, row: _Row) -> None:
        n, nik, owner_name, phone, owner_address = row.n, row.nik, row.owner_name, row.phone, row.owner_address
        name, region, nib = row.name, row.region, row.nib
        permit = row.permit
        result = self.result
        existing_person = self.persons.get(nik)
        if existing_person is None:
            if nik not in result.new_persons:
                result.new_persons[nik] = {
                    "nik": nik,
                    "full_name": owner_name,
                    "phone": phone,
                    "home_address": owner_address,
                    "birth_date": birth_date_from_nik(nik),
                }
                result.persons.create += 1
            owner_id = None
        else:
            owner_id, old_name, old_phone, old_address = existing_person
            changes: dict[str, Any] = {}
            if owner_name != old_name:
                changes["full_name"] = owner_name
            if phone and phone != old_phone:
                changes["phone"] = phone
            if owner_address and owner_address != old_address:
                changes["home_address"] = owner_address
            if nik not in result.person_updates and nik not in self.seen_person_counted:
                self.seen_person_counted.add(nik)
                if changes:
                    result.person_updates[nik] = {"id": owner_id, **changes}
                    result.persons.update += 1
                else:
                    result.persons.unchanged += 1
        values = {
            "name": name,
            "address": row.address,
            "kelurahan_id": region.id,
            "nib": nib,
            "kbli_code": row.kbli,
            "kbli_version": self.kbli.get(row.kbli) if row.kbli else None,
            "activity": row.activity,
            "capital_rupiah": row.capital,
            "workers": row.workers,
            "legal_form": row.legal_form,
        }
        existing = self.by_nib.get(nib) if nib else None
        if existing is None and owner_id is not None:
            existing = self.by_key.get((name.lower(), region.id, owner_id))
        if existing is not None and nib and existing.nib and existing.nib != nib:
            existing = None
        if existing is not None and owner_id is not None and existing.owner_id != owner_id:
            self.problem(n, "nib", "NIB ini sudah tercatat untuk usaha dengan pemilik lain.")
            return
        if existing is None and nib and nib in self.by_nib:
            self.problem(n, "nib", "NIB ini sudah tercatat untuk usaha lain.")
            return
        business_id = existing.id if existing is not None else None
        if permit is not None and not self.permit_plan(n, permit, business_id):
            return
        if existing is None:
            result.new_businesses.append({"row": n, "owner_nik": nik, **values, "permit": permit})
            result.businesses.create += 1
        else:
            changes = {k: v for k, v in values.items() if v is not None and getattr(existing, k, v) != v}
            if changes:
                result.business_updates[existing.id] = {"id": existing.id, **changes}
                result.businesses.update += 1
            else:
                result.businesses.unchanged += 1
            if permit is not None and permit["number"] not in self.permit_numbers:
                result.new_permits.append(
                    {**permit, "business_id": existing.id, "business_name": name, "kelurahan_id": region.id}
                )

    def permit_plan(self, n: int, permit: dict, business_id: int | None) -> bool:
        known = self.permit_numbers.get(permit["number"])
        if known is not None:
            if known[0] != business_id:
                self.problem(n, "permit_number", f"Nomor izin {permit['number']} sudah dipakai izin usaha lain.")
                return False
            if (known[1], known[2]) != (permit["issued_on"], permit["valid_until"]):
                self.problem(n, "permit_issued_on", "Izin ini sudah tercatat dengan tanggal yang berbeda.")
                return False
            self.result.permits.unchanged += 1
            return True
        if permit["seq_key"] in self.permit_seqs:
            self.problem(
                n, "permit_number", "Nomor urut izin ini sudah dipakai izin lain pada seri dan tahun yang sama."
            )
            return False
        if business_id is not None and business_id in self.current_permit:
            self.problem(n, "permit_number", f"Usaha ini sudah memiliki izin {self.current_permit[business_id]}.")
            return False
        self.result.permits.create += 1
        return True


# --- Apply -----------------------------------------------------------------------------------------


def apply(
    session: Session,
    data: bytes,
    filename: str,
    source: str,
    mapping: dict[str, str],
    config: dict,
    actor: User | None,
    *,
    scope: int | None = None,
    ip_address: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Check the file again and write it in one transaction; ImportRefused (nothing written) on any problem."""
    return apply_plan(
        session,
        data,
        lambda: plan(session, data, filename, source, mapping, config, scope=scope, progress=progress),
        lambda result: _write(session, result, config, progress),
        kind=BUSINESSES,
        mapping=mapping,
        fields=FIELDS,
        actor=actor,
        object_type="business",
        ip_address=ip_address,
    )


# The audit entry of an applied file, by the kind of record it registers.
IMPORT_ACTIONS = {"business": AuditAction.BUSINESS_IMPORT, "cooperative": AuditAction.COOPERATIVE_IMPORT}


def apply_plan(
    session: Session,
    data: bytes,
    make_plan: Callable[[], Any],
    write: Callable[[Any], None],
    *,
    kind: str,
    mapping: dict[str, str],
    fields: tuple[Field, ...],
    actor: User | None,
    object_type: str,
    ip_address: str | None,
) -> Any:
    """The all-or-nothing apply of any kind of register: refuse bytes already imported, check the file again
    inside the transaction, refuse on any problem, `write` the plan, remember the mapping and the file's
    fingerprint, one audit entry (`<object_type>.import`) with the counts, commit; on any error roll everything back."""
    try:
        if session.get(ImportedFile, fingerprint(data)) is not None:
            raise ImportRefused("Berkas ini sudah pernah diimpor; tidak ada yang diubah.")
        result = make_plan()
        if result.already_imported:
            raise ImportRefused("Berkas ini sudah pernah diimpor; tidak ada yang diubah.", result)
        if result.problems:
            raise ImportRefused(
                f"Ada {len(result.problems)} masalah pada berkas; perbaiki dulu, lalu impor lagi.", result
            )
        write(result)
        remember_mapping(session, result.source, mapping, kind, fields)
        session.add(
            ImportedFile(
                sha256=result.sha256,
                kind=kind,
                source=result.source,
                filename=result.filename,
                counts=result.counts(),
                imported_by_id=actor.id if actor is not None else None,
            )
        )
        record(
            session,
            actor,
            IMPORT_ACTIONS[object_type],
            object_type,
            None,
            summary=f"{result.source} · {result.filename}"[:255],
            after={"sha256": result.sha256, **result.counts()},
            ip_address=ip_address,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    figures.invalidate()
    return result


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write(session: Session, result: Plan, config: dict, progress: Callable[[int], None] | None) -> None:
    now = clock.now()
    for chunk in _chunks(list(result.new_persons.values())):
        session.execute(insert(Person), [{**person, "created_at": now} for person in chunk])
    if result.person_updates:
        session.execute(update(Person), list(result.person_updates.values()))
    person_ids: dict[str, int] = {}
    niks = sorted({business["owner_nik"] for business in result.new_businesses})
    for chunk in _chunks(niks, 900):
        person_ids.update(
            (nik, pid) for nik, pid in session.execute(select(Person.nik, Person.id).where(Person.nik.in_(chunk)))
        )
    rows = []
    for business in result.new_businesses:
        values = {k: v for k, v in business.items() if k not in ("row", "owner_nik", "permit")}
        values["legal_form"] = values["legal_form"] or "perseorangan"
        rows.append({**values, "owner_id": person_ids[business["owner_nik"]], "created_at": now, "updated_at": now})
    touched: set[int] = set(result.business_updates)
    # Plain executemany (no RETURNING: row-by-row on SQLite); the new ids are read back by natural key.
    since = session.scalar(select(func.max(Business.id))) or 0
    table = cast(SqlTable, Business.__table__)
    for chunk in _chunks(rows):
        session.execute(table.insert(), chunk)
        if progress:
            progress(len(chunk))
    created: dict[tuple, int] = {}
    query = select(Business.id, Business.name, Business.kelurahan_id, Business.owner_id).where(Business.id > since)
    for business_id, name, kelurahan_id, owner_id in session.execute(query):
        created.setdefault((name, kelurahan_id, owner_id), business_id)
    new_ids = [created[(row["name"], row["kelurahan_id"], row["owner_id"])] for row in rows]
    touched.update(new_ids)
    if result.business_updates:
        session.execute(
            update(Business), [{**change, "updated_at": now} for change in result.business_updates.values()]
        )
    for business, business_id in zip(result.new_businesses, new_ids, strict=True):
        if business["permit"] is not None:
            result.new_permits.append(
                {
                    **business["permit"],
                    "business_id": business_id,
                    "business_name": business["name"],
                    "kelurahan_id": business["kelurahan_id"],
                }
            )
    _write_permits(session, result.new_permits, config, now)
    for chunk in _chunks(sorted(touched)):
        session.execute(
            insert(SearchOutbox), [{"kind": "business", "record_id": bid, "created_at": now} for bid in chunk]
        )
    if touched:
        session.info["search_changes"] = True


def _write_permits(session: Session, new_permits: list[dict], config: dict, now: datetime) -> None:
    tz = config.get("TIMEZONE", "Asia/Jakarta")
    highest: dict[tuple, int] = {}
    rows = []
    for permit in new_permits:
        series, year, scope, seq = permit["seq_key"]
        highest[(series, year, scope)] = max(highest.get((series, year, scope), 0), seq)
        rows.append(
            {
                "number": permit["number"],
                "series": series,
                "year": year,
                "sequence_scope": scope,
                "seq": seq,
                "kind": NEW,
                "token": secrets.token_urlsafe(24),
                "business_id": permit["business_id"],
                "business_name": permit["business_name"],
                "kelurahan_id": permit["kelurahan_id"],
                "issued_at": clock.local_to_utc(datetime.combine(permit["issued_on"], time(0, 0)), tz),
                "issued_on": permit["issued_on"],
                "valid_until": permit["valid_until"],
                "demo_signature": False,
            }
        )
    for chunk in _chunks(rows):
        session.execute(insert(Permit), chunk)
    for (series, year, scope), seq in highest.items():
        counter = session.get(PermitCounter, (series, year, scope))
        if counter is None:
            session.add(PermitCounter(series=series, year=year, scope=scope, last_seq=seq))
        elif counter.last_seq < seq:
            counter.last_seq = seq
    session.flush()


def report_rows(result: Plan) -> list[list]:
    """The dry run's problems as spreadsheet rows (row, column, message)."""
    return [[problem.row, problem.column, problem.message] for problem in result.problems]


REPORT_HEADER = ("Baris", "Kolom", "Masalah")
