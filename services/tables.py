"""Reading an official reference table handed over as CSV or XLSX: rows as dicts keyed by lower-case headers."""

from __future__ import annotations

import csv
import io
from pathlib import Path


class TableError(ValueError):
    """The file cannot be read as a table with the expected columns; the message says why."""


def read_table(path: str | Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a CSV (UTF-8, comma or semicolon) or XLSX file (first sheet), headers folded to lower case.

    Cells are strings with surrounding whitespace removed; rows without any value are skipped.
    """
    path = Path(path)
    try:
        rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path.read_bytes())
    except TableError:
        raise
    except Exception as exc:
        raise TableError(f"{path.name} cannot be read as a table ({type(exc).__name__})") from exc
    if not rows:
        raise TableError(f"{path.name} is empty")
    header = [(cell or "").strip().lower() for cell in rows[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise TableError(f"{path.name} has no column {', '.join(missing)} (found: {', '.join(h for h in header if h)})")
    table = []
    for row in rows[1:]:
        values = {header[i]: str(cell).strip() for i, cell in enumerate(row) if i < len(header) and cell is not None}
        if any(values.values()):
            table.append(values)
    return table


def _csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _xlsx_rows(path: Path) -> list[list]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
