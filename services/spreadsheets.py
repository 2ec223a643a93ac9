"""The one way Balai writes spreadsheets (CSV and XLSX) that people open in Excel or LibreOffice.

A cell that starts with =, +, -, @, a tab or a carriage return is read as a formula by spreadsheet
programs ("CSV injection"); OWASP's rule is to prefix such a cell with a single quote. Every export
goes through `csv_writer` or `xlsx_bytes`, so a business called "=HYPERLINK(…)" stays plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TextIO

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """The cell as text a spreadsheet will not evaluate; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` whose every string cell is neutralised."""

    def __init__(self, handle: TextIO):
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle: TextIO) -> SafeCsvWriter:
    return SafeCsvWriter(handle)


def csv_text(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV document (header first) as text."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def xlsx_bytes(header: Sequence[Any], rows: Iterable[Iterable[Any]], title: str = "Data") -> bytes:
    """A one-sheet XLSX workbook; strings are stored as text cells, never formulas."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([neutralise(cell) for cell in header])
    for row in rows:
        sheet.append([neutralise(_plain(cell)) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(cell: Any) -> Any:
    """What openpyxl can store: numbers, dates and text (lazy translations become text)."""
    if cell is None or isinstance(cell, int | float | str):
        return cell
    if isinstance(cell, date) and not isinstance(cell, datetime):
        return cell
    return str(cell)
