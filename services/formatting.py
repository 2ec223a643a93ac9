"""Indonesian input and output, one function per need: rupiah in and out, dates, addresses, titles.

Pages (through the template filters registered in blueprints/formatting.py) and documents (PDF
templates, CSV) call these same functions, so "1.000.000" is read and "30 November 2026" is written
the same way everywhere.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal as babel_format_decimal

DATE_PATTERN = "d MMMM y"  # 30 November 2026 (id), 30 November 2026 (en)
DATETIME_PATTERN = "d MMMM y HH.mm"

_RUPIAH_PREFIX = re.compile(r"^\s*(?:rp\.?|idr)\s*", re.IGNORECASE)
# 1000000 | 1.000.000 | 1 000 000, optionally with ",00" or ",-" for the (absent) sen.
_RUPIAH_NUMBER = re.compile(r"^(?P<sign>[-−])?(?P<digits>\d{1,3}(?:([. ])\d{3})?(?:\3\d{3})*|\d+)(?:,(?:0{1,2}|-))?$")


class NotRupiah(ValueError):
    """The text is not a whole rupiah amount."""


def parse_rupiah(text: str | None) -> int | None:
    """'Rp 1.000.000', '1.000.000', '1000000', 'Rp1.000.000,00' -> 1000000; '' -> None.

    Dots (or spaces) group thousands, as Indonesians write them; a comma only ends the amount with
    ',00' or ',-'. Anything else (letters, '1,5', '1.00.000') raises NotRupiah.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    cleaned = _RUPIAH_PREFIX.sub("", raw).strip()
    cleaned = cleaned.replace("\u00a0", " ")
    match = _RUPIAH_NUMBER.match(cleaned)
    if match is None:
        raise NotRupiah(raw)
    digits = re.sub(r"[. ]", "", match.group("digits"))
    if len(digits) > 15:
        raise NotRupiah(raw)
    value = int(digits)
    return -value if match.group("sign") else value


def format_rupiah(amount: int | None, locale: str = "id", missing: str = "—") -> str:
    """Rp1.250.000, −Rp300.000 (a loss), or `missing` (a dash) when unknown: pages and documents alike."""
    if amount is None:
        return missing
    sign = "−" if amount < 0 else ""
    return f"{sign}Rp{babel_format_decimal(abs(amount), locale=locale)}"


def long_date(value: date | datetime | None, locale: str = "id") -> str:
    """30 November 2026: the one date format of pages and documents (datetimes: convert to local time first)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return babel_format_date(value, DATE_PATTERN, locale=locale)


def month_name(month: str, locale: str = "id") -> str:
    """'2026-10' -> 'Oktober 2026' (October 2026 in English); text that is not a month is returned as it is."""
    try:
        value = datetime.strptime(month, "%Y-%m").date()
    except (TypeError, ValueError):
        return month
    return babel_format_date(value, "LLLL y", locale=locale)


_KELURAHAN_MENTION = r"(?:kel\.|kelurahan|desa)\s*{name}\b"
_KECAMATAN_MENTION = r"(?:kec\.|kecamatan)\s*{name}\b"


def full_address(
    street: str | None,
    kelurahan: str | None = None,
    kecamatan: str | None = None,
    kota: str | None = None,
    spelled_out: bool = False,
) -> str:
    """'Jl. Melati 5, Kel. Gambir, Kec. Gambir, Kota Adm. Jakarta Pusat', each region named once.

    A street address that already names its kelurahan ('…, Kel. Gambir') or kecamatan is not given the
    same name a second time. `spelled_out` writes "Kelurahan"/"Kecamatan" (legal text).
    """
    kel_word, kec_word = ("Kelurahan", "Kecamatan") if spelled_out else ("Kel.", "Kec.")
    parts = [" ".join((street or "").split()).rstrip(", ")]
    text = parts[0].lower()
    if kelurahan and not re.search(_KELURAHAN_MENTION.format(name=re.escape(kelurahan.lower())), text):
        parts.append(f"{kel_word} {kelurahan}")
    if kecamatan and not re.search(_KECAMATAN_MENTION.format(name=re.escape(kecamatan.lower())), text):
        parts.append(f"{kec_word} {kecamatan}")
    if kota and kota.lower() not in text:
        parts.append(kota)
    return ", ".join(part for part in parts if part)
