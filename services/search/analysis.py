"""Indonesian text analysis shared by every search backend: the same tokens at index and query time.

Folding (case, accents, punctuation), `&` = `dan`, abbreviations expanded to their long form, and
legal-form words kept apart so that they never outweigh the distinctive words of a name. No stemming:
Indonesian stemmers mangle names.
"""

from __future__ import annotations

import re
import unicodedata

# Abbreviation -> long form, applied to documents and queries alike.
ABBREVIATIONS = {
    "ksp": "koperasi simpan pinjam",
    "ksu": "koperasi serba usaha",
    "kud": "koperasi unit desa",
    "kopkar": "koperasi karyawan",
    "kopwan": "koperasi wanita",
    "kspps": "koperasi simpan pinjam pembiayaan syariah",
    "usp": "unit simpan pinjam",
    "ud": "usaha dagang",
    "cv": "persekutuan komanditer",
    "pt": "perseroan terbatas",
    "kop": "koperasi",
    "tb": "toko bangunan",
}

# Words that say what kind of entity a name is, not which one: weighted low.
LEGAL_FORM_WORDS = frozenset(
    {
        "koperasi",
        "simpan",
        "pinjam",
        "serba",
        "usaha",
        "unit",
        "desa",
        "karyawan",
        "wanita",
        "pembiayaan",
        "syariah",
        "dagang",
        "persekutuan",
        "komanditer",
        "perseroan",
        "terbatas",
        "toko",
        "warung",
        "kedai",
        "dan",
    }
)

_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str | None) -> str:
    """Lower-case, strip accents, `&` -> `dan`; punctuation becomes space."""
    if not text:
        return ""
    if text.isascii():  # nothing to decompose: the common case, and much cheaper
        return text.lower().replace("&", " dan ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return text.replace("&", " dan ")


def tokens(text: str | None) -> list[str]:
    """Folded tokens with abbreviations expanded; no stemming."""
    out: list[str] = []
    for token in _TOKEN.findall(fold(text)):
        out.extend(ABBREVIATIONS.get(token, token).split())
    return out


def split_name(name: str) -> tuple[list[str], list[str]]:
    """A name's tokens split into (distinctive words, legal-form words)."""
    words = tokens(name)
    return [w for w in words if w not in LEGAL_FORM_WORDS], [w for w in words if w in LEGAL_FORM_WORDS]


def identifier_tokens(identifiers) -> list[str]:
    """Permit numbers and NIBs: each part, the whole squeezed form, and the tails of long digit runs.

    So that `510/IUMK/2024`, `510`, `iumk 2024` or the last digits of a NIB all find the record.
    """
    out: list[str] = []
    for identifier in identifiers:
        parts = _TOKEN.findall(fold(identifier))
        if not parts:
            continue
        out.extend(parts)
        if len(parts) > 1:
            out.append("".join(parts))
        for part in parts:
            if part.isdigit() and len(part) >= 8:  # the last 4 to 7 digits of a NIB or a long number
                out.extend(part[-length:] for length in range(4, 8))
    return list(dict.fromkeys(out))


def query_identifier(text: str) -> str | None:
    """The squeezed form of a query that looks like a permit number or NIB (has digits), else None."""
    parts = _TOKEN.findall(fold(text))
    if len(parts) > 1 and any(part.isdigit() for part in parts):
        return "".join(parts)
    return None


def max_typos(word: str) -> int:
    """Edits tolerated in a query word: none under 5 letters, one from 5, two from 9; none in numbers."""
    if word.isdigit() or len(word) < 5:
        return 0
    return 2 if len(word) >= 9 else 1


def sort_key(name: str) -> str:
    """The folded name used to sort alphabetically."""
    return " ".join(_TOKEN.findall(fold(name)))
