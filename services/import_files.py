"""Reading an agency's register as it keeps it: CSV (any common delimiter and encoding) or XLSX.

An XLSX header may span several rows with merged cells ("Pemilik" over "NIK" and "Nama"): merged
cells are filled across their range and the header rows are joined per column ("Pemilik NIK").
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

MAX_HEADER_ROWS = 4


class FileProblem(ValueError):
    """The file cannot be read at all; the message is for the officer."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[Any]]
    first_row: int  # the spreadsheet row number of rows[0]


def read_table(data: bytes, filename: str) -> Table:
    """The header and data rows of the first sheet of an XLSX file, or of a CSV file."""
    if not data:
        raise FileProblem("Berkas kosong.")
    if data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    return _read_csv(data)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("Berkas CSV tidak dapat dibaca: simpan sebagai CSV UTF-8.")


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if len(rows) < 2 or not any(any(cell.strip() for cell in row) for row in rows[1:]):
        raise FileProblem("Berkas tidak berisi baris data.")
    header = [_header_text(cell) for cell in rows[0]]
    body = [row if any(cell.strip() for cell in row) else [] for row in rows[1:]]
    return Table(header=header, rows=body, first_row=2)


def read_sheets(data: bytes, filename: str) -> dict[str, Table]:
    """Every sheet of an XLSX file by its name (a sheet without data rows has none), or a CSV file as one
    sheet named after the file (without its extension)."""
    if not data:
        raise FileProblem("Berkas kosong.")
    if data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
        workbook = _open_workbook(data)
        tables = {}
        for sheet in workbook.worksheets:
            try:
                tables[sheet.title] = _sheet_table(sheet)
            except FileProblem:
                tables[sheet.title] = Table(header=[], rows=[], first_row=2)
        return tables
    return {filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]: _read_csv(data)}


def _open_workbook(data: bytes):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem("Berkas XLSX tidak dapat dibuka: pastikan berkas adalah lembar kerja Excel (.xlsx).") from exc


def _read_xlsx(data: bytes) -> Table:
    return _sheet_table(_open_workbook(data).worksheets[0])


def _sheet_table(sheet) -> Table:
    merged = list(sheet.merged_cells.ranges)
    depth = _header_depth(merged)
    all_rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    if len(all_rows) < depth:
        raise FileProblem("Berkas tidak berisi baris data.")
    width = max((len(row) for row in all_rows), default=0)
    header = _header_of(all_rows[:depth], merged, width)
    rows = [row + [None] * (width - len(row)) for row in all_rows[depth:]]
    if not any(any(_present(cell) for cell in row) for row in rows):
        raise FileProblem("Berkas tidak berisi baris data.")
    # Blank rows stay (as empty lists, skipped later) so that row numbers match the spreadsheet.
    padded = [row if any(_present(cell) for cell in row) else [] for row in rows]
    return Table(header=header, rows=padded, first_row=depth + 1)


def _header_of(header_rows: list[list], merged, width: int) -> list[str]:
    """The column titles from the header rows: merged cells filled across their range, rows joined per column."""
    depth = len(header_rows)
    filled: dict[tuple[int, int], Any] = {}
    for cell_range in merged:
        if cell_range.min_row > depth:
            continue
        top = header_rows[cell_range.min_row - 1]
        value = top[cell_range.min_col - 1] if cell_range.min_col <= len(top) else None
        for row in range(cell_range.min_row, cell_range.max_row + 1):
            for col in range(cell_range.min_col, cell_range.max_col + 1):
                filled[(row, col)] = value
    header = []
    for col in range(1, width + 1):
        parts: list[str] = []
        for row in range(1, depth + 1):
            cells = header_rows[row - 1]
            value = filled.get((row, col), cells[col - 1] if col <= len(cells) else None)
            text = _header_text(value)
            if text and text not in parts:
                parts.append(text)
        header.append(" ".join(parts))
    return header


def read_headers(data: bytes, filename: str) -> dict[str, list[str]]:
    """The column titles of every sheet of an XLSX file (by sheet name), or of a CSV file (named after it),
    reading only the header rows: what an upload needs, at once even for a register of 150,000 rows."""
    if not data:
        raise FileProblem("Berkas kosong.")
    if data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_headers(data)
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, [])
    if not any(any(cell.strip() for cell in row) for row in itertools.islice(reader, 1000)):
        raise FileProblem("Berkas tidak berisi baris data.")
    return {filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]: [_header_text(cell) for cell in header]}


MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _xlsx_headers(data: bytes) -> dict[str, list[str]]:
    """Each sheet's header rows read in openpyxl's read-only mode; the merged ranges (which that mode does
    not read) found in the sheet's XML."""
    from openpyxl import load_workbook
    from openpyxl.worksheet.cell_range import CellRange

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem("Berkas XLSX tidak dapat dibuka: pastikan berkas adalah lembar kerja Excel (.xlsx).") from exc
    headers = {}
    try:
        for sheet in workbook.worksheets:
            xml = archive.read(sheet._worksheet_path)
            merged = [CellRange(ref.decode()) for ref in MERGE_REF.findall(xml)]
            depth = _header_depth(merged)
            rows = [list(row) for row in sheet.iter_rows(max_row=depth, values_only=True)]
            rows += [[] for _ in range(depth - len(rows))]
            headers[sheet.title] = _header_of(rows, merged, max((len(row) for row in rows), default=0))
    except (KeyError, OSError, ValueError, AttributeError) as exc:
        raise FileProblem("Berkas XLSX tidak dapat dibuka: pastikan berkas adalah lembar kerja Excel (.xlsx).") from exc
    finally:
        workbook.close()
    return headers


def _header_depth(merged) -> int:
    """How many rows the header spans: a merge across columns in the header has its parts in the row below."""
    depth = 1
    changed = True
    while changed and depth < MAX_HEADER_ROWS:
        changed = False
        for cell_range in merged:
            if cell_range.min_row > depth:
                continue
            below = cell_range.max_row + 1 if cell_range.max_col > cell_range.min_col else cell_range.max_row
            if below > depth:
                depth, changed = min(below, MAX_HEADER_ROWS), True
    return depth


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return re.sub(r"\s+", " ", str(value)).strip()


def normalise_header(text: str) -> str:
    """Lower case words only, for matching a column title to a field ("No. KTP" → "no ktp")."""
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))
