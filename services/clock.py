"""The current time, replaceable in tests and demos through the CLOCK setting (a callable)."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, has_app_context

from config import DEFAULT_TIMEZONE
from models.base import utcnow


def now() -> datetime:
    """Aware UTC now, or what app.config['CLOCK']() says when set."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else utcnow()


def wall_now() -> datetime:
    """The machine's real UTC time, never frozen: for what other software checks (certificate validity)."""
    return utcnow()


ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def zone_label(tz_name: str) -> str:
    """'WIB' for Asia/Jakarta: the abbreviation people read on screen."""
    return ZONE_LABELS.get(tz_name, tz_name)


def local_to_utc(naive: datetime, tz_name: str) -> datetime:
    """A wall-clock time typed in the municipality's zone (e.g. WIB) to aware UTC."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    return naive.replace(tzinfo=ZoneInfo(tz_name)).astimezone(UTC)


def utc_to_local(moment: datetime, tz_name: str) -> datetime:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz_name))


def local_today(tz_name: str) -> date:
    """Today's date in the municipality's zone, by the (replaceable) clock."""
    return utc_to_local(now(), tz_name).date()


def today() -> date:
    """Today in the configured zone (WIB unless TIMEZONE says otherwise): the one "today" of Balai."""
    return local_today(current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE)
