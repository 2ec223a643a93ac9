"""Bringing an existing cooperative register in: cooperatives with founders, board and RAT history.

The layout (README, docs/import_sample_cooperatives.xlsx) is one XLSX workbook with a sheet per kind,
as agencies keep them: "Koperasi" (one row per cooperative), "Pendiri" (one row per founder), "Pengurus"
(the pengurus and the pengawas, one row per person, the organ in a column) and "RAT" (one row per
annual meeting held). The sheets are linked by the cooperative's legal-entity number (nomor badan
hukum), its natural key; founders are told apart by NIK, meetings by financial year.

The machinery is the business importer's (services.imports): the column mapping remembered per source
(kind "cooperatives"), the file fingerprint, the dry run's report by row, column and message in
Indonesian, and the all-or-nothing apply (also as a job, services.import_jobs). The rules are the
cooperative record's own (services.cooperatives.rules: founders' NIK, the legal minimum of founders of a
primer cooperative, a kampung served, no founding in the future) and the RAT's (services.cooperatives.rat:
a closed financial year, attendance not above the member count). Records are written through the ORM
(cooperatives are counted in thousands, not hundreds of thousands), so they enter the search index and
the figures as an officer's save does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import ClassVar, TypeVar, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.cooperative import (
    COOPERATIVE_KINDS,
    COOPERATIVE_LEVELS,
    PENGAWAS,
    PENGURUS,
    PRIMER,
    RAT_CONFIRMED,
    RAT_REJECTED,
    Cooperative,
    RatReport,
)
from models.imports import ImportedFile
from models.user import User
from services import clock, imports
from services.cooperatives.rat import RatInput, check_rat_rules
from services.cooperatives.records import CooperativeInput, FounderInput, MemberInput, OfficialInput, write_record
from services.cooperatives.rules import check_cooperative_rules
from services.import_files import Table, normalise_header, read_headers, read_sheets
from services.imports import (
    Counts,
    Field,
    ImportRefused,
    PlanBase,
    Problem,
    RowChecker,
    _amount,
    _date,
    _digits,
    _Regions,
    _text,
)
from services.registry import nik_problem

COOPERATIVES = "cooperatives"
KOPERASI, PENDIRI, PENGURUS_SHEET, RAT = "Koperasi", "Pendiri", "Pengurus", "RAT"
SHEETS = (KOPERASI, PENDIRI, PENGURUS_SHEET, RAT)
# Sheet titles an agency may use for each kind (normalised words).
SHEET_NAMES = {
    KOPERASI: ("koperasi", "data koperasi", "daftar koperasi"),
    PENDIRI: ("pendiri", "para pendiri", "daftar pendiri"),
    PENGURUS_SHEET: ("pengurus", "pengurus dan pengawas", "pengurus pengawas", "pengurus pengawas koperasi"),
    RAT: ("rat", "rapat anggota tahunan", "riwayat rat"),
}
KEY_SYNONYMS = ("nomor badan hukum", "no badan hukum", "badan hukum", "no bh", "nomor bh", "nomor ahu")


def _f(sheet: str, key: str, label: str, required: bool, synonyms: tuple[str, ...]) -> Field:
    return Field(key, f"{sheet}: {label}", required, synonyms)


FIELDS = (
    _f(KOPERASI, "legal_entity_number", "Nomor badan hukum", True, KEY_SYNONYMS),
    _f(KOPERASI, "name", "Nama koperasi", True, ("nama koperasi", "nama")),
    _f(KOPERASI, "kind", "Jenis koperasi", True, ("jenis koperasi", "jenis")),
    _f(KOPERASI, "level", "Tingkat", False, ("tingkat", "tingkat koperasi")),
    _f(KOPERASI, "seat_address", "Alamat kedudukan", True, ("alamat", "alamat kedudukan", "alamat koperasi")),
    _f(KOPERASI, "kelurahan", "Kelurahan", True, ("kelurahan", "desa", "kode kelurahan")),
    _f(KOPERASI, "kecamatan", "Kecamatan", False, ("kecamatan",)),
    _f(KOPERASI, "kampung", "Kampung dilayani", False, ("kampung", "kampung dilayani", "wilayah layanan")),
    _f(KOPERASI, "founding_date", "Tanggal pendirian", False, ("tanggal pendirian", "tanggal berdiri")),
    _f(KOPERASI, "legal_entity_date", "Tanggal badan hukum", False, ("tanggal badan hukum", "tanggal bh")),
    _f(KOPERASI, "deed_number", "Nomor akta pendirian", False, ("nomor akta", "nomor akta pendirian", "no akta")),
    _f(KOPERASI, "notary_name", "Notaris", False, ("notaris", "nama notaris")),
    _f(KOPERASI, "nib", "NIB", False, ("nib", "nomor induk berusaha")),
    _f(KOPERASI, "nomor_induk_koperasi", "Nomor induk koperasi", False, ("nomor induk koperasi", "nik koperasi")),
    _f(KOPERASI, "member_count", "Jumlah anggota", False, ("jumlah anggota", "anggota")),
    _f(KOPERASI, "simpanan_pokok_rupiah", "Simpanan pokok (Rp)", False, ("simpanan pokok", "simpanan pokok rp")),
    _f(KOPERASI, "simpanan_wajib_rupiah", "Simpanan wajib (Rp)", False, ("simpanan wajib", "simpanan wajib rp")),
    _f(PENDIRI, "founder_coop", "Nomor badan hukum", True, KEY_SYNONYMS),
    _f(PENDIRI, "founder_name", "Nama pendiri", True, ("nama", "nama pendiri", "nama lengkap")),
    _f(PENDIRI, "founder_nik", "NIK", True, ("nik", "nik pendiri", "no ktp", "nomor ktp")),
    _f(PENDIRI, "founder_birth_place", "Tempat lahir", False, ("tempat lahir",)),
    _f(PENDIRI, "founder_birth_date", "Tanggal lahir", False, ("tanggal lahir",)),
    _f(PENDIRI, "founder_address", "Alamat", False, ("alamat", "alamat rumah", "alamat pendiri")),
    _f(PENGURUS_SHEET, "official_coop", "Nomor badan hukum", True, KEY_SYNONYMS),
    _f(PENGURUS_SHEET, "official_body", "Organ", True, ("organ", "pengurus pengawas", "kedudukan", "unsur")),
    _f(PENGURUS_SHEET, "official_title", "Jabatan", True, ("jabatan",)),
    _f(PENGURUS_SHEET, "official_name", "Nama", True, ("nama", "nama lengkap", "nama pengurus")),
    _f(RAT, "rat_coop", "Nomor badan hukum", True, KEY_SYNONYMS),
    _f(RAT, "rat_year", "Tahun buku", True, ("tahun buku", "tahun")),
    _f(RAT, "rat_date", "Tanggal RAT", True, ("tanggal rat", "tanggal", "tanggal rapat")),
    _f(RAT, "rat_present", "Anggota hadir", True, ("anggota hadir", "jumlah hadir", "hadir")),
    _f(RAT, "rat_shu", "SHU (Rp)", False, ("shu", "shu rp", "sisa hasil usaha")),
    _f(RAT, "rat_assets", "Total aset (Rp)", False, ("aset", "total aset", "total aset rp", "jumlah aset")),
)
SHEET_OF = {spec.key: spec.label.split(":", 1)[0] for spec in FIELDS}
FIELDS_OF = {sheet: tuple(spec for spec in FIELDS if SHEET_OF[spec.key] == sheet) for sheet in SHEETS}
COUNTED = (
    ("cooperatives", _l("Koperasi")),
    ("founders", _l("Pendiri")),
    ("officials", _l("Pengurus dan pengawas")),
    ("rat", _l("Laporan RAT")),
)
KIND_WORDS = {"ksp": "simpan_pinjam", "kopsyah": "simpan_pinjam", "usp": "simpan_pinjam"}
# The rules' field keys, as the importer's fields.
RULE_FIELD = {
    "name": "name",
    "kind": "kind",
    "level": "level",
    "seat_address": "seat_address",
    "kelurahan_id": "kelurahan",
    "kampungs": "kampung",
    "founding_date": "founding_date",
    "member_count": "member_count",
    "simpanan_pokok_rupiah": "simpanan_pokok_rupiah",
    "simpanan_wajib_rupiah": "simpanan_wajib_rupiah",
}
LIST_LABELS = {"founders": "pendiri", "members": "koperasi anggota"}


@dataclass
class CooperativePlan(PlanBase):
    """The dry run of a cooperative register."""

    COUNTED: ClassVar[tuple[str, ...]] = ("cooperatives", "founders", "officials", "rat")

    cooperatives: Counts = field(default_factory=Counts)
    founders: Counts = field(default_factory=Counts)
    officials: Counts = field(default_factory=Counts)
    rat: Counts = field(default_factory=Counts)
    # What apply writes: (existing id or None, the record), and the new RAT reports per legal-entity number.
    records: list[tuple[int | None, CooperativeInput]] = field(default_factory=list)
    new_rat: dict[str, list[RatInput]] = field(default_factory=dict)


# --- The workbook and its mapping --------------------------------------------------------------------


T = TypeVar("T")


def _by_kind(by_title: dict[str, T], empty: Callable[[], T]) -> dict[str, T]:
    """The workbook's sheets (or their headers) by kind (Koperasi, Pendiri, Pengurus, RAT), found by their
    titles; a missing kind is empty. A CSV file or a one-sheet workbook is the Koperasi sheet."""
    found: dict[str, T] = {}
    for title, value in by_title.items():
        name = normalise_header(title)
        for sheet, names in SHEET_NAMES.items():
            if name in names and sheet not in found:
                found[sheet] = value
    if KOPERASI not in found and len(by_title) == 1:
        found[KOPERASI] = next(iter(by_title.values()))
    return {sheet: found[sheet] if sheet in found else empty() for sheet in SHEETS}


def sheets_of(tables: dict[str, Table]) -> dict[str, Table]:
    """The workbook's tables by kind of sheet."""
    return _by_kind(tables, lambda: Table(header=[], rows=[], first_row=2))


def headers_of(data: bytes, filename: str) -> dict[str, list[str]]:
    """The column titles of each sheet kind (what the mapping form offers per field), from the header rows only."""
    return _by_kind(read_headers(data, filename), list)


def guess_mapping(headers: dict[str, list[str]]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for sheet in SHEETS:
        mapping.update(imports.guess_mapping(headers.get(sheet, []), FIELDS_OF[sheet]))
    return mapping


def mapping_for(session: Session, source: str, headers: dict[str, list[str]]) -> dict[str, str]:
    """The remembered mapping of `source` (columns still in their sheets), else a guess from the titles."""
    saved = imports.saved_mapping(session, source, COOPERATIVES)
    if saved is None:
        return guess_mapping(headers)
    return {
        key: column for key, column in saved.items() if key in SHEET_OF and column in headers.get(SHEET_OF[key], [])
    }


def mapping_problems(mapping: dict[str, str], headers: dict[str, list[str]]) -> list[str]:
    """Per sheet: a required field without a column (only when the sheet has rows), a column not there."""
    problems: list[str] = []
    for sheet in SHEETS:
        header = headers.get(sheet, [])
        if sheet != KOPERASI and not any(header):
            continue  # no founders (or board, or RAT) sheet: nothing of that kind is imported
        problems += imports.mapping_problems(mapping, header, FIELDS_OF[sheet])
    return problems


def save_mapping(session: Session, source: str, mapping: dict[str, str]) -> None:
    imports.save_mapping(session, source, mapping, COOPERATIVES, FIELDS)


# --- The dry run ---------------------------------------------------------------------------------------


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
) -> CooperativePlan:
    """Check the workbook through `mapping` and work out what applying it would do; writes nothing."""
    source = imports.clean_source(source)
    sheets = sheets_of(read_sheets(data, filename))
    problems = mapping_problems(mapping, {sheet: table.header for sheet, table in sheets.items()})
    if problems:
        raise ImportRefused(" ".join(problems))
    if not any(sheets[KOPERASI].rows):
        raise ImportRefused("Lembar 'Koperasi' tidak ditemukan atau kosong: beri nama lembar 'Koperasi'.")
    result = CooperativePlan(sha256=imports.fingerprint(data), filename=filename[:255], source=source)
    result.already_imported = session.get(ImportedFile, result.sha256) is not None
    _Checker(session, sheets, mapping, scope, result, progress).run()
    return result


@dataclass
class _Entry:
    """One cooperative of the file while it is being checked."""

    row: int
    data: CooperativeInput
    existing: Cooperative | None
    founder_rows: list[int] = field(default_factory=list)
    rat: list[tuple[int, RatInput]] = field(default_factory=list)


class _Checker(RowChecker):
    def __init__(self, session: Session, sheets: dict[str, Table], mapping, scope, result, progress):
        self.session, self.sheets, self.result, self.progress = session, sheets, result, progress
        self.index = {
            key: sheets[SHEET_OF[key]].header.index(column)
            for key, column in mapping.items()
            if key in SHEET_OF and column and column in sheets[SHEET_OF[key]].header
        }
        self.regions = _Regions(session, scope)
        self.today = clock.today()
        self.entries: dict[str, _Entry] = {}
        self.existing = {
            c.legal_entity_number: c
            for c in session.scalars(
                select(Cooperative)
                .where(Cooperative.legal_entity_number.is_not(None))
                .options(
                    selectinload(Cooperative.founders),
                    selectinload(Cooperative.officials),
                    selectinload(Cooperative.kampungs),
                    selectinload(Cooperative.member_cooperatives),
                )
            )
        }
        self.existing_rat: dict[tuple[int, int], RatReport] = {
            (r.cooperative_id, r.financial_year): r
            for r in session.scalars(select(RatReport).where(RatReport.status != RAT_REJECTED))
        }
        self.done = 0

    def problem(self, row_number: int, key: str, message: str) -> None:
        sheet = SHEET_OF[key]
        if key in self.index:
            column = f"{sheet}: {self.sheets[sheet].header[self.index[key]]}"
        else:
            column = next(spec.label for spec in FIELDS if spec.key == key)
        self.result.problems.append(Problem(row_number, column, str(message)))

    def rows(self, sheet: str):
        table = self.sheets[sheet]
        for offset, row in enumerate(table.rows):
            self.done += 1
            if self.progress and self.done % 500 == 0:
                self.progress(500)
            if row:
                self.result.rows += 1
                yield table.first_row + offset, row

    def run(self) -> None:
        for n, row in self.rows(KOPERASI):
            self.check_cooperative(n, row)
        for n, row in self.rows(PENDIRI):
            self.check_founder(n, row)
        for n, row in self.rows(PENGURUS_SHEET):
            self.check_official(n, row)
        for n, row in self.rows(RAT):
            self.check_rat(n, row)
        for number, entry in self.entries.items():
            self.check_record(number, entry)
        if self.progress:
            self.progress(self.done % 500)

    def _key(self, n: int, row: list, key: str) -> _Entry | None:
        number = _text(self.value(row, key)).upper()
        if not number:
            self.problem(n, key, "Nomor badan hukum wajib diisi.")
            return None
        entry = self.entries.get(number)
        if entry is None:
            self.problem(n, key, f"Nomor badan hukum {number} tidak ada di lembar Koperasi.")
        return entry

    def _day(self, n: int, row: list, key: str) -> date | None:
        value = _date(self.value(row, key))
        if isinstance(value, str):
            self.problem(n, key, value)
            return None
        return value

    def _whole(self, n: int, row: list, key: str, message: str) -> int | None:
        value = _amount(self.value(row, key))
        if isinstance(value, str) or (value is not None and value < 0):
            self.problem(n, key, message)
            return None
        return value

    def check_cooperative(self, n: int, row: list) -> None:
        number = _text(self.value(row, "legal_entity_number")).upper()
        if not number:
            self.problem(n, "legal_entity_number", "Nomor badan hukum wajib diisi.")
        elif len(number) > 100:
            self.problem(n, "legal_entity_number", "Nomor badan hukum paling banyak 100 karakter.")
        elif number in self.entries:
            self.problem(
                n,
                "legal_entity_number",
                f"Baris ganda: nomor badan hukum sama dengan baris {self.entries[number].row}.",
            )
            return
        kind = normalise_header(_text(self.value(row, "kind"))).removeprefix("koperasi ").replace(" ", "_")
        kind = KIND_WORDS.get(kind, kind)
        if kind not in COOPERATIVE_KINDS:
            self.problem(n, "kind", f"Jenis koperasi harus salah satu dari: {', '.join(COOPERATIVE_KINDS)}.")
        level = normalise_header(_text(self.value(row, "level"))).removeprefix("koperasi ") or PRIMER
        if level not in COOPERATIVE_LEVELS:
            self.problem(n, "level", "Tingkat koperasi harus primer atau sekunder.")
        region = self.kelurahan(n, row)
        nib = _digits(self.value(row, "nib")) or None
        if nib and not re.fullmatch("[0-9]{13}", nib):
            self.problem(n, "nib", "NIB harus 13 angka.")
        data = CooperativeInput(
            name=_text(self.value(row, "name"))[:200],
            kind=kind,
            level=level,
            seat_address=_text(self.value(row, "seat_address")),
            kelurahan_id=region.id if region is not None else 0,
            kampung_names=[k.strip() for k in re.split(r"[;,]", _text(self.value(row, "kampung"))) if k.strip()],
            founding_date=self._day(n, row, "founding_date"),
            legal_entity_number=number or None,
            legal_entity_date=self._day(n, row, "legal_entity_date"),
            deed_number=_text(self.value(row, "deed_number"))[:100] or None,
            notary_name=_text(self.value(row, "notary_name"))[:150] or None,
            nib=nib,
            nomor_induk_koperasi=_text(self.value(row, "nomor_induk_koperasi"))[:30] or None,
            member_count=self._whole(n, row, "member_count", "Jumlah anggota harus bilangan bulat."),
            simpanan_pokok_rupiah=self._whole(n, row, "simpanan_pokok_rupiah", "Simpanan pokok bukan jumlah rupiah."),
            simpanan_wajib_rupiah=self._whole(n, row, "simpanan_wajib_rupiah", "Simpanan wajib bukan jumlah rupiah."),
        )
        if not data.seat_address:
            self.problem(n, "seat_address", "Alamat kedudukan wajib diisi.")
        if number:
            self.entries[number] = _Entry(n, data, self.existing.get(number))

    def check_founder(self, n: int, row: list) -> None:
        entry = self._key(n, row, "founder_coop")
        name = _text(self.value(row, "founder_name"))
        nik = _digits(self.value(row, "founder_nik"))
        if not name:
            self.problem(n, "founder_name", "Nama pendiri wajib diisi.")
        message = nik_problem(nik) if nik else "NIK pendiri wajib diisi."
        if message:
            self.problem(n, "founder_nik", message)
        birth_date = self._day(n, row, "founder_birth_date")
        if birth_date and birth_date > self.today:
            self.problem(n, "founder_birth_date", "Tanggal lahir tidak boleh di masa depan.")
        if entry is None or not name or message:
            return
        earlier = [row_n for f, row_n in zip(entry.data.founders, entry.founder_rows, strict=True) if f.nik == nik]
        if earlier:
            self.problem(n, "founder_nik", f"Baris ganda: NIK pendiri ini sudah ada di baris {earlier[0]}.")
            return
        entry.data.founders.append(
            FounderInput(
                full_name=name[:150],
                nik=nik,
                birth_place=_text(self.value(row, "founder_birth_place"))[:100] or None,
                birth_date=birth_date,
                address=_text(self.value(row, "founder_address")) or None,
            )
        )
        entry.founder_rows.append(n)

    def check_official(self, n: int, row: list) -> None:
        entry = self._key(n, row, "official_coop")
        body = normalise_header(_text(self.value(row, "official_body")))
        title = _text(self.value(row, "official_title"))[:80]
        name = _text(self.value(row, "official_name"))[:150]
        if body not in (PENGURUS, PENGAWAS):
            self.problem(n, "official_body", "Organ harus 'Pengurus' atau 'Pengawas'.")
        if not title:
            self.problem(n, "official_title", "Jabatan wajib diisi.")
        if not name:
            self.problem(n, "official_name", "Nama wajib diisi.")
        if entry is None or body not in (PENGURUS, PENGAWAS) or not title or not name:
            return
        people = entry.data.board if body == PENGURUS else entry.data.supervisors
        if any(o.full_name.lower() == name.lower() and o.title.lower() == title.lower() for o in people):
            self.problem(n, "official_name", "Baris ganda: orang dan jabatan ini sudah tercantum.")
            return
        people.append(OfficialInput(full_name=name, title=title))

    def check_rat(self, n: int, row: list) -> None:
        entry = self._key(n, row, "rat_coop")
        year = _amount(self.value(row, "rat_year"))
        if not isinstance(year, int) or not 1900 <= year <= 2100:
            self.problem(n, "rat_year", "Tahun buku harus tahun, misalnya 2023.")
            year = None
        meeting = self._day(n, row, "rat_date")
        if not _text(self.value(row, "rat_date")):
            self.problem(n, "rat_date", "Tanggal RAT wajib diisi.")
        present = self._whole(n, row, "rat_present", "Jumlah anggota hadir harus bilangan bulat.")
        if not _text(self.value(row, "rat_present")):
            self.problem(n, "rat_present", "Jumlah anggota hadir wajib diisi.")
        shu = _amount(self.value(row, "rat_shu"))
        if isinstance(shu, str):
            self.problem(n, "rat_shu", shu)
        assets = self._whole(n, row, "rat_assets", "Total aset bukan jumlah rupiah.")
        if entry is None or year is None or meeting is None or present is None or isinstance(shu, str):
            return
        if any(earlier.financial_year == year for _, earlier in entry.rat):
            self.problem(n, "rat_year", f"Baris ganda: RAT tahun buku {year} sudah ada untuk koperasi ini.")
            return
        entry.rat.append((n, RatInput(year, meeting, present, shu, assets)))

    def check_record(self, number: str, entry: _Entry) -> None:
        result = self.result
        before = len(result.problems)
        for key, messages in check_cooperative_rules(self.session, entry.data, None).items():
            if key == "kelurahan_id" and not entry.data.kelurahan_id:
                continue  # the kelurahan's own problem is already listed
            if key in ("founders", "members"):  # the count of the whole list, on the cooperative's row
                result.problems.extend(Problem(entry.row, f"{KOPERASI}: {LIST_LABELS[key]}", m) for m in messages)
                continue
            row, field_key = entry.row, RULE_FIELD.get(key)
            match = re.fullmatch(r"founders-([0-9]+)-(\w+)", key)
            if match:
                row, field_key = entry.founder_rows[int(match[1])], f"founder_{match[2]}"
                field_key = field_key if field_key in SHEET_OF else "founder_nik"
            for message in messages:
                self.problem(row, field_key or "name", message)
        existing = entry.existing
        new_rat: list[RatInput] = []
        for n, rat in entry.rat:
            known = self.existing_rat.get((existing.id, rat.financial_year)) if existing else None
            if known is not None:
                same = (known.meeting_date, known.members_present, known.shu_rupiah, known.total_assets_rupiah) == (
                    rat.meeting_date,
                    rat.members_present,
                    rat.shu_rupiah,
                    rat.total_assets_rupiah,
                )
                if not same:
                    self.problem(n, "rat_year", f"RAT tahun buku {rat.financial_year} sudah tercatat dengan isi lain.")
                continue
            holder = SimpleNamespace(
                id=None, founding_date=entry.data.founding_date, member_count=entry.data.member_count
            )
            for key, messages in check_rat_rules(self.session, cast(Cooperative, holder), rat, self.today).items():
                field_key = {"financial_year": "rat_year", "meeting_date": "rat_date"}.get(key, "rat_present")
                for message in messages:
                    self.problem(n, field_key, message)
            new_rat.append(rat)
        if len(result.problems) > before:
            return
        self.count(entry, existing, new_rat)
        result.new_rat[number] = new_rat

    def count(self, entry: _Entry, existing: Cooperative | None, new_rat: list[RatInput]) -> None:
        result, data = self.result, entry.data
        result.rat.create += len(new_rat)
        result.rat.unchanged += len(entry.rat) - len(new_rat)
        officials = len(data.board) + len(data.supervisors)
        if existing is None:
            result.records.append((None, data))
            result.cooperatives.create += 1
            result.founders.create += len(data.founders)
            result.officials.create += officials
            return
        same_record = _snapshot(data) == _stored(existing)
        result.cooperatives.unchanged += same_record
        result.cooperatives.update += not same_record
        founders_same = [(f.full_name, f.nik) for f in data.founders] == [
            (f.full_name, f.nik) for f in existing.founders
        ]
        result.founders.unchanged += len(data.founders) if founders_same else 0
        result.founders.update += 0 if founders_same else len(data.founders)
        officials_same = _people(data) == [(o.body, o.title, o.full_name) for o in existing.officials]
        result.officials.unchanged += officials if officials_same else 0
        result.officials.update += 0 if officials_same else officials
        if not same_record:
            data.members = [_member(m) for m in existing.member_cooperatives]
            result.records.append((existing.id, data))


def _member(member) -> MemberInput:
    return MemberInput(name=member.name, legal_entity_number=member.legal_entity_number)


def _people(data: CooperativeInput) -> list[tuple[str, str, str]]:
    return [(PENGURUS, o.title, o.full_name) for o in data.board] + [
        (PENGAWAS, o.title, o.full_name) for o in data.supervisors
    ]


def _snapshot(data: CooperativeInput) -> tuple:
    """What the import compares of a record: its fields, kampungs, founders and officials."""
    return (
        data.name.strip(),
        data.kind,
        data.level,
        data.seat_address.strip(),
        data.kelurahan_id,
        sorted(k.lower() for k in data.kampung_names),
        data.founding_date,
        data.legal_entity_date,
        data.deed_number,
        data.notary_name,
        data.nib,
        data.nomor_induk_koperasi,
        data.member_count,
        data.simpanan_pokok_rupiah,
        data.simpanan_wajib_rupiah,
        [(f.full_name, f.nik, f.birth_place, f.birth_date, f.address) for f in data.founders],
        _people(data),
    )


def _stored(cooperative: Cooperative) -> tuple:
    return (
        cooperative.name,
        cooperative.kind,
        cooperative.level,
        cooperative.seat_address,
        cooperative.kelurahan_id,
        sorted(k.name.lower() for k in cooperative.kampungs),
        cooperative.founding_date,
        cooperative.legal_entity_date,
        cooperative.deed_number,
        cooperative.notary_name,
        cooperative.nib,
        cooperative.nomor_induk_koperasi,
        cooperative.member_count,
        cooperative.simpanan_pokok_rupiah,
        cooperative.simpanan_wajib_rupiah,
        [(f.full_name, f.nik, f.birth_place, f.birth_date, f.address) for f in cooperative.founders],
        [(o.body, o.title, o.full_name) for o in cooperative.officials],
    )


# --- Apply ---------------------------------------------------------------------------------------------


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
) -> CooperativePlan:
    """Check the workbook again and write it in one transaction; ImportRefused (nothing written) on any problem."""
    return cast(
        CooperativePlan,
        imports.apply_plan(
            session,
            data,
            lambda: plan(session, data, filename, source, mapping, config, scope=scope, progress=progress),
            lambda result: _write(session, result, actor, progress),
            kind=COOPERATIVES,
            mapping=mapping,
            fields=FIELDS,
            actor=actor,
            object_type="cooperative",
            ip_address=ip_address,
        ),
    )


def _write(
    session: Session, result: CooperativePlan, actor: User | None, progress: Callable[[int], None] | None
) -> None:
    ids: dict[str, int] = {}
    for existing_id, record_data in result.records:
        existing = session.get(Cooperative, existing_id) if existing_id is not None else None
        written = write_record(session, record_data, existing)
        ids[cast(str, record_data.legal_entity_number)] = written.id
        if progress:
            progress(1)
    numbers = [number for number, reports in result.new_rat.items() if reports and number not in ids]
    for chunk in range(0, len(numbers), 500):
        query = select(Cooperative.legal_entity_number, Cooperative.id).where(
            Cooperative.legal_entity_number.in_(numbers[chunk : chunk + 500])
        )
        ids.update((number, cid) for number, cid in session.execute(query) if number)
    now = clock.now()
    for number, reports in result.new_rat.items():
        for rat in reports:
            session.add(
                RatReport(
                    cooperative_id=ids[number],
                    financial_year=rat.financial_year,
                    meeting_date=rat.meeting_date,
                    members_present=rat.members_present,
                    shu_rupiah=rat.shu_rupiah,
                    total_assets_rupiah=rat.total_assets_rupiah,
                    status=RAT_CONFIRMED,
                    recorded_by_id=actor.id if actor is not None else None,
                    confirmed_by_id=actor.id if actor is not None else None,
                    confirmed_at=now,
                )
            )
    session.flush()
