"""What text Balai accepts in names, addresses and other free text: the one rule, used by every form
(blueprints/forms.py), the CLI and the services.

Refused everywhere: NUL and other control characters (line breaks only where a field is multi-line),
bidirectional overrides and isolates (they make a printed name read differently from what is stored),
other invisible format characters, surrogates, private-use and unassigned code points. Refused in
what is printed on certificates and deeds (names, addresses): emoji and picture symbols, and any
character the certificate font, DejaVu Sans (static/fonts/), cannot draw (its character map is read
with fontTools), e.g. CJK ideographs.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

FONT = Path(__file__).resolve().parent.parent / "static" / "fonts" / "DejaVuSans.ttf"
MULTILINE_ALLOWED = frozenset("\n\r\t")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Format characters that belong in ordinary text: soft hyphen, zero-width (non-)joiner of Indic scripts.
ALLOWED_FORMAT = frozenset("\u00ad\u200c\u200d")


@lru_cache(maxsize=1)
def printable_code_points() -> frozenset[int]:
    """Every code point the certificate font has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(FONT, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _is_pictograph(char: str, category: str) -> bool:
    """Emoji and picture symbols (the font draws some, but they are not part of a legal name or address)."""
    code = ord(char)
    return char in "\ufe0e\ufe0f" or (category == "So" and (code >= 0x1F000 or 0x2600 <= code <= 0x27BF))


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}{' ' + name if name else ''}"


def problem(text: str | None, *, multiline: bool = False, printed: bool = False):
    """None when `text` is acceptable, else the message (Indonesian, translatable) naming the first bad character."""
    if not text:
        return None
    printable = printable_code_points() if printed else None
    for char in text:
        category = unicodedata.category(char)
        if char == "\x00":
            return _l("Isian mengandung karakter NUL yang tidak diizinkan.")
        if category == "Cc" and not (multiline and char in MULTILINE_ALLOWED):
            return _l("Isian mengandung karakter kendali (%(char)s) yang tidak diizinkan.", char=_describe(char))
        if char in BIDI_CONTROLS:
            return _l(
                "Isian mengandung karakter pengubah arah tulisan (%(char)s) yang tidak diizinkan.",
                char=_describe(char),
            )
        if (category == "Cf" and char not in ALLOWED_FORMAT) or category in ("Cs", "Co", "Cn"):
            return _l("Isian mengandung karakter tak terlihat atau tidak dikenal (%(char)s).", char=_describe(char))
        if printed and _is_pictograph(char, category):
            return _l("Emoji dan simbol gambar (%(char)s) tidak dipakai pada nama dan alamat.", char=_describe(char))
        if printable is not None and not char.isspace() and ord(char) not in printable:
            return _l(
                "Karakter %(char)s tidak dapat dicetak pada sertifikat; ganti dengan huruf biasa.",
                char=f"«{char}» ({_describe(char)})",
            )
    return None


def is_acceptable(text: str | None, *, multiline: bool = False, printed: bool = False) -> bool:
    return problem(text, multiline=multiline, printed=printed) is None
