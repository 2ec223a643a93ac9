"""The OSS-era rules for micro and small businesses, read from one file that names its sources.

data/oss_rules.toml (or the file OSS_RULES_FILE names) holds the size-class thresholds of PP 7/2021,
the NIB format, the risk levels of PP 5/2021 and the legal basis printed on certificates.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from config import BASE_DIR

DEFAULT_RULES_FILE = BASE_DIR / "data" / "oss_rules.toml"


class RulesError(ValueError):
    """The rules file cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class SizeClass:
    name: str
    label: str
    capital_max: int


@dataclass(frozen=True)
class Rules:
    sources: dict[str, str]
    size_classes: tuple[SizeClass, ...]
    size_basis: str
    size_source: str
    nib_digits: int
    legal_basis: str
    risk_levels: dict[str, str]

    @property
    def capital_max(self) -> int:
        """The most capital a business registered here may have (the top of the last class)."""
        return self.size_classes[-1].capital_max

    def size_class(self, capital_rupiah: int | None) -> SizeClass | None:
        """The class of a business with this capital (excluding land and buildings); None when unknown or above."""
        if capital_rupiah is None:
            return None
        return next((c for c in self.size_classes if capital_rupiah <= c.capital_max), None)

    def risk_label(self, level: str | None) -> str | None:
        return self.risk_levels.get(level) if level else None


def rules_path(config: dict) -> Path:
    return Path(config.get("OSS_RULES_FILE") or DEFAULT_RULES_FILE)


def rules(config: dict) -> Rules:
    return _load(str(rules_path(config)))


@lru_cache(maxsize=4)
def _load(path: str) -> Rules:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        sources = dict(data["sources"])
        sizes = data["size_classes"]
        classes = tuple(SizeClass(str(c["name"]), str(c["label"]), int(c["capital_max"])) for c in sizes["class"])
        risk = {k: v for k, v in data["risk_levels"].items() if k != "source"}
        parsed = Rules(
            sources=sources,
            size_classes=classes,
            size_basis=str(sizes["basis"]),
            size_source=sources[sizes["source"]],
            nib_digits=int(data["nib"]["digits"]),
            legal_basis=str(data["certificate"]["legal_basis"]),
            risk_levels=risk,
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise RulesError(f"OSS rules file {path} cannot be used ({type(exc).__name__}: {exc})") from exc
    if not classes or [c.capital_max for c in classes] != sorted(c.capital_max for c in classes):
        raise RulesError(f"OSS rules file {path}: size classes must be listed from the smallest capital up")
    return parsed
