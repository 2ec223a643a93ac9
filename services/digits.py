"""Numbers typed on any keyboard read as ASCII digits, so one person is one NIK.

A phone keyboard may type fullwidth digits (３１７１…) or Arabic-Indic ones (٣١٧١…); Python's `\\d` and
`int()` accept both, so without this step the same NIK could be stored twice in different scripts.
"""

from __future__ import annotations

import unicodedata


def ascii_digits(value: str | None) -> str | None:
    """`value` in NFKC form with every decimal digit of any script replaced by its ASCII digit, stripped."""
    if value is None:
        return None
    folded = unicodedata.normalize("NFKC", value)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in folded).strip()
