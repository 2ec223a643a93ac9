"""The template helpers for Indonesian output, registered once for the whole app (pages and PDF templates).

{{ day | long_date }}            30 November 2026   (also what `dateformat` prints: one date format)
{{ "2026-10" | month_name }}     Oktober 2026
{{ moment | local_datetime }}    30 November 2026 14.30 WIB
{{ amount | rupiah_amount }}     Rp1.250.000
{{ count | number }}             1.250.000          (Babel's format_decimal, fast for whole numbers)
{{ address(street, kel, kec) }}  each region named once
{{ nik | masked_nik }}           3171••••••••0003
{{ audit_action_label(event.action, event.object_type) }}  an audit entry's action, old names read as new
{{ revocation_label(code) }}     the public wording of a revocation reason
and the words for codes (services/labels.py): business_status_labels, permit_status_labels,
permit_standing_labels, coop_kind_labels, coop_level_labels, coop_status_labels, rat_status_labels, role_labels
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from babel import Locale
from babel.numbers import get_group_symbol, get_minus_sign_symbol
from flask import current_app
from flask_babel import format_datetime, format_decimal, get_locale, to_user_timezone

from services import audit, formatting, labels, reasons
from services.clock import zone_label


def _locale() -> str:
    locale = get_locale()
    return str(locale) if locale else "id"


def long_date(moment) -> str:
    """'30 November 2026' in the reader's language; a datetime counts on the municipality's calendar day."""
    if not moment:
        return ""
    if isinstance(moment, datetime):
        moment = to_user_timezone(moment)
    return formatting.long_date(moment, _locale())


def local_datetime(moment, _pattern: str | None = None) -> str:
    """'30 November 2026 14.30 WIB': date and time in the municipality's zone, zone named."""
    if not moment:
        return ""
    return f"{format_datetime(moment, formatting.DATETIME_PATTERN)} {zone_label(current_app.config['TIMEZONE'])}"


def month_name(month: str) -> str:
    return formatting.month_name(month, _locale())


def rupiah_amount(amount: int | None) -> str:
    return formatting.format_rupiah(amount, _locale())


@lru_cache(maxsize=16)
def _integer_format(locale: str) -> tuple[str, str] | None:
    """(group symbol, minus sign) when the locale groups whole numbers by threes, else None."""
    pattern = Locale.parse(locale).decimal_formats.get(None)
    if pattern is None or pattern.grouping != (3, 3):
        return None
    return get_group_symbol(locale), get_minus_sign_symbol(locale)


def number(value) -> str:
    """Babel's format_decimal (1.250.000 in Indonesian, 1,250,000 in English). A whole number is
    grouped here directly: the search page prints one per facet value, and Babel takes ~50 µs each."""
    if isinstance(value, int) and not isinstance(value, bool):
        symbols = _integer_format(_locale())
        if symbols is not None:
            group, minus = symbols
            grouped = f"{abs(value):,}".replace(",", group)
            return f"{minus}{grouped}" if value < 0 else grouped
    return format_decimal(value)


def register(app) -> None:
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(rupiah_amount, "rupiah_amount")
    app.add_template_filter(month_name, "month_name")
    # Flask-Babel's own filters print other formats ("30 Nov 2026"): on this site they print the one format.
    app.add_template_filter(long_date, "dateformat")
    app.add_template_filter(local_datetime, "datetimeformat")
    app.add_template_global(formatting.full_address, "address")
    # The words for codes and the masks (services/labels.py), for every blueprint's templates.
    app.add_template_filter(labels.mask_nik, "masked_nik")
    app.add_template_global(audit.action_label, "audit_action_label")
    app.add_template_global(reasons.revocation_label, "revocation_label")
    app.add_template_global(reasons.revocation_choices, "revocation_choices")
    app.jinja_env.globals.update(_labels())  # globals: macros imported without context see them too


def _labels() -> dict:
    return {
        "business_status_labels": labels.BUSINESS_STATUS_LABELS,
        "permit_status_labels": labels.PERMIT_STATUS_LABELS,
        "permit_standing_labels": labels.PERMIT_STANDING_LABELS,
        "coop_status_labels": labels.ACTIVITY_STATUS_LABELS,
        "coop_kind_labels": labels.COOPERATIVE_KIND_LABELS,
        "coop_level_labels": labels.COOPERATIVE_LEVEL_LABELS,
        "rat_status_labels": labels.RAT_STATUS_LABELS,
        "role_labels": labels.ROLE_LABELS,
    }
