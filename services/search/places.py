"""The words of the municipality's kecamatan and kelurahan names: a query word that is one of them is a
place, matched exactly (it selects that place) and never fuzzed into a neighbouring name."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.region import KECAMATAN, KELURAHAN, Region
from services.search.analysis import tokens

REFRESH_SECONDS = 300  # regions change a few times a year; a reload costs one small query

_cache: dict[str, tuple[float, frozenset[str]]] = {}


def place_words(session: Session, cache_key: str) -> frozenset[str]:
    cached = _cache.get(cache_key)
    if cached is not None and time.monotonic() - cached[0] < REFRESH_SECONDS:
        return cached[1]
    names = session.scalars(select(Region.name).where(Region.level.in_((KECAMATAN, KELURAHAN))))
    words = frozenset(word for name in names for word in tokens(name) if not word.isdigit())
    _cache[cache_key] = (time.monotonic(), words)
    return words
