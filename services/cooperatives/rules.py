"""The rules a cooperative's record must meet (UU 25/1992 as amended), one named rule per concern.

Each rule yields (field key, message) for what it finds wrong; the key is a form field name, a section
("founders", "members") or a row field ("founders-3-nik"). `check_cooperative_rules` runs them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from models.cooperative import COOPERATIVE_KINDS, COOPERATIVE_LEVELS, PRIMER, SEKUNDER
from models.region import KELURAHAN, Region
from models.user import OFFICER, User
from services import clock

if TYPE_CHECKING:
    from services.cooperatives.records import CooperativeInput

MIN_PRIMER_FOUNDERS = 9  # UU 25/1992 as amended by UU 11/2020 (was 20)
MIN_SEKUNDER_MEMBERS = 3
NIK_PATTERN = re.compile(r"^[0-9]{16}$")
RUPIAH_FIELDS = ("simpanan_pokok_rupiah", "simpanan_wajib_rupiah")

Problems = Iterator[tuple[str, str]]


class CooperativeRuleError(ValueError):
    """The record breaks a rule; `errors` maps a field name (or 'founders-3-nik') to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def identity_rule(session: Session, data: CooperativeInput, user: User | None) -> Problems:
    """A name, and a kind and level from the law's lists."""
    if not data.name.strip():
        yield "name", _("Nama koperasi wajib diisi.")
    if data.kind not in COOPERATIVE_KINDS:
        yield "kind", _("Pilih jenis koperasi.")
    if data.level not in COOPERATIVE_LEVELS:
        yield "level", _("Pilih tingkat koperasi: primer atau sekunder.")


def seat_rule(session: Session, data: CooperativeInput, user: User | None) -> Problems:
    """The seat is a kelurahan, inside the officer's kecamatan when the officer is limited to one."""
    kelurahan = session.get(Region, data.kelurahan_id) if data.kelurahan_id else None
    if kelurahan is None or kelurahan.level != KELURAHAN:
        yield "kelurahan_id", _("Pilih kelurahan tempat kedudukan koperasi.")
    elif user is not None and user.role == OFFICER and user.kecamatan_id not in (None, kelurahan.parent_id):
        yield "kelurahan_id", _("Kelurahan ini di luar kecamatan Anda.")


def kampung_rule(session: Session, data: CooperativeInput, user: User | None) -> Problems:
    """A kampung cooperative serves at least one kampung."""
    if not any(name.strip() for name in data.kampung_names):
        yield "kampungs", _("Isi paling sedikit satu kampung yang dilayani.")


def amounts_rule(session: Session, data: CooperativeInput, user: User | None) -> Problems:
    """Deposits and the member count are never negative."""
    for name in RUPIAH_FIELDS:
        value = getattr(data, name)
        if value is not None and value < 0:
            yield name, _("Jumlah rupiah tidak boleh negatif.")
    if data.member_count is not None and data.member_count < 0:
        yield "member_count", _("Jumlah anggota tidak boleh negatif.")


def founding_date_rule(session: Session, data: CooperativeInput, user: User | None) -> Problems:
    """A cooperative cannot be founded in the future."""
    if data.founding_date and data.founding_date > clock.today():
        yield "founding_date", _("Tanggal pendirian tidak boleh di masa depan.")


def founders_rule(session: Session, data: CooperativeInput, user: User | None) -> Problems:
    """Every founder has a name and a 16-digit NIK that no other founder of this record has."""
    first_row: dict[str, int] = {}
    for index, founder in enumerate(data.founders):
        if not founder.full_name.strip():
            yield f"founders-{index}-full_name", _("Nama pendiri wajib diisi.")
        if not NIK_PATTERN.match(founder.nik or ""):
            yield f"founders-{index}-nik", _("NIK harus 16 angka.")
        elif founder.nik in first_row:
            yield (
                f"founders-{index}-nik",
                _("NIK ini sudah dipakai pendiri nomor %(number)d.", number=first_row[founder.nik] + 1),
            )
        else:
            first_row[founder.nik] = index


def founding_size_rule(session: Session, data: CooperativeInput, user: User | None) -> Problems:
    """A primer cooperative has at least 9 founders; a sekunder one at least 3 member cooperatives."""
    if data.level == PRIMER and len(data.founders) < MIN_PRIMER_FOUNDERS:
        yield (
            "founders",
            _(
                "Koperasi primer didirikan oleh paling sedikit %(minimum)d orang; baru %(count)d pendiri diisi.",
                minimum=MIN_PRIMER_FOUNDERS,
                count=len(data.founders),
            ),
        )
    if data.level == SEKUNDER and len(data.members) < MIN_SEKUNDER_MEMBERS:
        yield (
            "members",
            _(
                "Koperasi sekunder beranggotakan paling sedikit %(minimum)d koperasi; baru %(count)d diisi.",
                minimum=MIN_SEKUNDER_MEMBERS,
                count=len(data.members),
            ),
        )


Rule = Callable[[Session, "CooperativeInput", User | None], Problems]
RULES: tuple[Rule, ...] = (
    identity_rule,
    seat_rule,
    kampung_rule,
    amounts_rule,
    founding_date_rule,
    founders_rule,
    founding_size_rule,
)


def check_cooperative_rules(session: Session, data: CooperativeInput, user: User | None = None) -> dict:
    """Every rule a cooperative record must meet, with a message per field. Empty when all is well."""
    errors: dict[str, list[str]] = {}
    for rule in RULES:
        for key, message in rule(session, data, user):
            errors.setdefault(key, []).append(message)
    return errors
