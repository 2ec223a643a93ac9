"""Which passwords Balai accepts: long, not common, not a sequence, not the user name (NIST SP 800-63B).

No composition rules (one capital, one digit, ...): length and a list of passwords that people
actually use are what make a password hard to guess. The list is zxcvbn's 30,000 most common passwords.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from functools import lru_cache

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 200

# Rows people slide a finger along, and the alphabet; a password that is a piece of one is a sequence.
_SEQUENCES = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_REPEATED_UNIT = re.compile(r"^(.{1,4}?)\1+$", re.DOTALL)
_EDGE_DECORATION = re.compile(r"^[\W\d_]*(.*?)[\W\d_]*$", re.DOTALL)


class PasswordRejected(ValueError):
    """The password breaks the policy; the message (Indonesian, translated) says why."""


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _is_sequence(text: str) -> bool:
    if len(set(text)) <= 2 or _REPEATED_UNIT.match(text):
        return True
    for row in _SEQUENCES:
        for candidate in (row, row[::-1]):
            if text in candidate * 3:
                return True
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(steps) == 1


def _is_common(text: str) -> bool:
    common = _common_passwords()
    if text in common:
        return True
    # "password2026!" is still "password": a common word with digits or signs around it.
    decorated = _EDGE_DECORATION.match(text)
    core = decorated.group(1) if decorated else text
    return len(core) >= 4 and core in common and len(text) - len(core) <= 6


def check_password(password: str, username: str | None = None, full_name: str | None = None) -> None:
    """Raise PasswordRejected when `password` is too short, common, a sequence, or holds the user's name."""
    if password is None or len(password) < MIN_LENGTH:
        raise PasswordRejected(_l("Kata sandi minimal %(count)d karakter.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(_l("Kata sandi paling banyak %(count)d karakter.", count=MAX_LENGTH))
    folded = unicodedata.normalize("NFKC", password).casefold()
    if _is_sequence(folded):
        raise PasswordRejected(_l("Kata sandi ini hanya berupa urutan atau pengulangan karakter; pilih yang lain."))
    if _is_common(folded):
        raise PasswordRejected(_l("Kata sandi ini termasuk yang paling sering dipakai orang; pilih yang lain."))
    username = username or ""
    parts = re.split(r"[\s._-]+", username) + (full_name or "").split()
    names = [(username, 3)] + [(part, 4) for part in parts]
    for name, shortest in names:
        name = unicodedata.normalize("NFKC", (name or "").strip()).casefold()
        if len(name) >= shortest and name in folded:
            raise PasswordRejected(_l("Kata sandi tidak boleh memuat nama pengguna atau nama Anda."))


def random_password(username: str | None = None, full_name: str | None = None) -> str:
    """A random password that passes the policy (for demo accounts printed on the console)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        try:
            check_password(candidate, username, full_name)
        except PasswordRejected:
            continue
        return candidate
