"""Which municipality this deployment serves, resolved against the areaid region data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from areaid import buka_data, buka_nama

from config import ConfigError

# Common names for provinces that areaid spells out in full.
PROVINCE_ALIASES = {
    "dki jakarta": "Daerah Khusus Ibukota Jakarta",
    "jakarta": "Daerah Khusus Ibukota Jakarta",
    "daerah khusus jakarta": "Daerah Khusus Ibukota Jakarta",
    "dkj": "Daerah Khusus Ibukota Jakarta",
    "diy": "Daerah Istimewa Yogyakarta",
}


@dataclass(frozen=True)
class Municipality:
    """A province-level city (DKI) or one kota/kabupaten, with its regions from areaid."""

    name: str
    province: str
    is_province: bool
    kab_kota: tuple = field(repr=False)

    @property
    def head_title(self) -> str:
        """Title of the head of government in whose name permits are signed."""
        if self.is_province:
            return "Gubernur"
        return "Bupati" if self.name.lower().startswith("kabupaten") else "Wali Kota"

    @property
    def head_of_government(self) -> str:
        """'Wali Kota Bekasi', 'Bupati Bogor', 'Gubernur DKI Jakarta': the title, then the place named once."""
        if self.is_province:
            return f"{self.head_title} {self.name}"
        place = re.sub(r"^(kota|kabupaten)\s+(administrasi\s+)?", "", self.name, flags=re.IGNORECASE)
        return f"{self.head_title} {place}"

    @property
    def government_header(self) -> str:
        if self.is_province:
            return f"PEMERINTAH PROVINSI {self.province.upper()}"
        return f"PEMERINTAH {self.name.upper()}"


def normalise(name: str) -> str:
    """Fold case, punctuation and the 'Adm.' abbreviation so that names compare equal."""
    text = name.lower().replace("adm.", "administrasi").replace("kab.", "kabupaten")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def display_name(areaid_name: str) -> str:
    return areaid_name.replace("Adm.", "Administrasi")


@lru_cache(maxsize=1)
def _provinces() -> tuple[str, ...]:
    return tuple(buka_nama()["himpunan"])


@lru_cache(maxsize=64)
def _province_data(province: str) -> list[dict]:
    return buka_data(province.lower())[0]["kabupaten"]


@lru_cache(maxsize=16)
def resolve(name: str) -> Municipality:
    """Find the municipality called `name` ('DKI Jakarta', 'Kota Bekasi', 'Kota Bekasi, Jawa Barat')."""
    wanted, _, province_hint = (part.strip() for part in name.partition(","))
    key = normalise(wanted)
    provinces = {normalise(p): p for p in _provinces()}
    aliased = PROVINCE_ALIASES.get(key)
    if aliased or (key in provinces and not province_hint):
        province = aliased or provinces[key]
        return Municipality(wanted, province, True, tuple(_province_data(province)))
    search_in = _provinces()
    if province_hint:
        hint = PROVINCE_ALIASES.get(normalise(province_hint)) or provinces.get(normalise(province_hint))
        if hint is None:
            raise ConfigError(f"unknown province '{province_hint}' in MUNICIPALITY")
        search_in = (hint,)
    matches = [
        (province, entry)
        for province in search_in
        for entry in _province_data(province)
        if normalise(entry["kab_kota"]) == key
    ]
    if not matches:
        raise ConfigError(
            f"unknown municipality '{name}': set MUNICIPALITY to a province such as 'DKI Jakarta' "
            "or a kota/kabupaten such as 'Kota Bekasi'"
        )
    if len(matches) > 1:
        raise ConfigError(f"'{name}' exists in several provinces: set MUNICIPALITY to '{wanted}, <province>'")
    province, entry = matches[0]
    return Municipality(display_name(entry["kab_kota"]), province, False, (entry,))


@lru_cache(maxsize=1)
def kemendagri_codes() -> dict:
    from config import BASE_DIR

    return json.loads((BASE_DIR / "data" / "kemendagri_codes.json").read_text(encoding="utf-8"))
