"""The business registry as officers keep it: owners and businesses, checks, scoping to a kecamatan, lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from models.business import Business, BusinessKbli, Person
from models.kbli import KbliCode
from models.region import KELURAHAN, Region
from models.user import User
from services import authorization, clock
from services.audit import AuditAction, record
from services.labels import mask_name, mask_nik
from services.paging import Page, paginate
from services.transactions import owns_transaction

# First two digits of a NIK: the province codes in use (Kemendagri).
PROVINCE_CODES = {
    *range(11, 20),
    21,
    *range(31, 37),
    *range(51, 54),
    *range(61, 66),
    *range(71, 77),
    81,
    82,
    *range(91, 98),
}
PERSON_FIELDS = ("full_name", "nik", "phone", "home_address", "birth_date")
BUSINESS_FIELDS = (
    "name",
    "legal_form",
    "address",
    "kelurahan_id",
    "kbli_code",
    "activity",
    "premises",
    "capital_rupiah",
    "npwp",
    "nib",
    "workers",
    "status",
)


class RegistryError(ValueError):
    """A record cannot be saved as given; the message is for the officer, `field` the form field it concerns."""

    def __init__(self, message: str, field: str = "owner_nik"):
        super().__init__(message)
        self.field = field


def nik_problem(nik: str) -> str | None:
    """Why `nik` is not a plausible NIK (None when it is): 16 digits, a real province, a real birth date."""
    if not re.fullmatch(r"[0-9]{16}", nik or ""):
        return "NIK harus 16 angka."
    if int(nik[:2]) not in PROVINCE_CODES:
        return "Dua angka pertama NIK bukan kode provinsi yang dikenal."
    if nik[2:4] == "00" or nik[4:6] == "00":
        return "Kode kabupaten/kota atau kecamatan pada NIK tidak valid."
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:  # women: day of birth + 40
        day -= 40
    century = 2000 if 2000 + year <= clock.today().year else 1900
    try:
        date(century + year, month, day)
    except ValueError:
        return "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak valid."
    if nik[12:] == "0000":
        return "Nomor urut pada NIK tidak boleh 0000."
    return None


def birth_date_from_nik(nik: str) -> date | None:
    if nik_problem(nik):
        return None
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    century = 2000 if 2000 + year <= clock.today().year else 1900
    return date(century + year, month, day - 40 if day > 40 else day)


def normalise_phone(raw: str) -> str:
    """An Indonesian phone number as +62…; raises RegistryError when it cannot be one."""
    digits = re.sub(r"[\s().-]", "", raw or "")
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("62"):
            raise RegistryError("Nomor telepon harus nomor Indonesia (+62).")
    if not re.fullmatch(r"[0-9]+", digits):
        raise RegistryError("Nomor telepon hanya boleh berisi angka, spasi, tanda hubung, atau + di depan.")
    if digits.startswith("62"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    if not 8 <= len(digits) <= 13 or digits.startswith("0"):
        raise RegistryError("Nomor telepon tidak valid: contoh 0812 3456 7890 atau +62 21 3456 7890.")
    return "+62" + digits


def person_by_nik(session: Session, nik: str) -> Person | None:
    return session.scalar(select(Person).where(Person.nik == nik))


@dataclass(frozen=True)
class OwnerMatch:
    """A person already registered under a typed NIK, as the officer may see them."""

    id: int
    display_name: str
    business_count: int
    in_scope: bool


@owns_transaction
def owner_match(
    session: Session, user: User, nik: str, exclude_person_id: int | None = None, ip_address: str | None = None
) -> OwnerMatch | None:
    """Who holds `nik` already, if anyone: the full name only when `user` may manage that person, else a
    masked name. Each lookup that finds someone is audited (masked NIK), so a NIK check cannot be used
    quietly to enumerate residents."""
    if nik_problem(nik or ""):
        return None
    person = person_by_nik(session, nik)
    if person is None or person.id == exclude_person_id:
        return None
    in_scope = authorization.may_manage_person(session, user, person)
    count = session.scalar(select(func.count()).select_from(Business).where(Business.owner_id == person.id)) or 0
    record(
        session,
        user,
        AuditAction.PERSON_NIK_CHECK,
        "person",
        person.id,
        summary=mask_nik(nik),
        after={"in_scope": in_scope},
        ip_address=ip_address,
    )
    session.commit()
    name = person.full_name if in_scope else mask_name(person.full_name)
    return OwnerMatch(person.id, name, count, in_scope)


kecamatan_scope = authorization.kecamatan_scope


def kelurahan_choices(session: Session, user: User) -> list[Region]:
    """Kelurahan an officer may register businesses in, with their kecamatan loaded, by kecamatan and name."""
    query = select(Region).where(Region.level == KELURAHAN)
    scope = kecamatan_scope(user)
    if scope is not None:
        query = query.where(Region.parent_id == scope)
    regions = list(session.scalars(query))
    return sorted(regions, key=lambda r: (r.parent.name if r.parent else "", r.name))


def scoped_businesses(user: User) -> Select:
    """SELECT of the businesses `user` may see: an officer limited to a kecamatan sees only that kecamatan."""
    query = select(Business)
    scope = kecamatan_scope(user)
    if scope is not None:
        query = query.join(Region, Business.kelurahan_id == Region.id).where(Region.parent_id == scope)
    return query


def get_business(session: Session, user: User, business_id: int) -> Business | None:
    """The business if `user` may see it, else None (the view answers 404: no hint that it exists)."""
    return session.scalar(scoped_businesses(user).where(Business.id == business_id))


def search_businesses(
    user: User, *, q: str = "", kelurahan_id: int | None = None, status: str | None = None, nik: str | None = None
) -> Select:
    """Businesses `user` may see, filtered by words (name, owner, NIB) or an owner's NIK, kelurahan and status,
    newest first. The NIK is its own argument: it arrives in a POST body, never in a URL."""
    query = scoped_businesses(user).join(Person, Business.owner_id == Person.id)
    words = (q or "").strip()
    if words:
        like = f"%{words.lower()}%"
        conditions: list[ColumnElement[bool]] = [
            func.lower(Business.name).like(like),
            func.lower(Person.full_name).like(like),
        ]
        if re.fullmatch(r"[0-9]+", words):
            conditions.append(Business.nib == words)
        query = query.where(or_(*conditions))
    if nik:
        query = query.where(Person.nik == nik)
    if kelurahan_id:
        query = query.where(Business.kelurahan_id == kelurahan_id)
    if status:
        query = query.where(Business.status == status)
    return query.order_by(Business.id.desc())


def business_page(
    session: Session,
    user: User,
    *,
    q: str = "",
    kelurahan_id: int | None = None,
    status: str | None = None,
    nik: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """One page of the businesses `user` may see (see search_businesses)."""
    query = search_businesses(user, q=q, kelurahan_id=kelurahan_id, status=status, nik=nik)
    return paginate(session, query, page, per_page)


def search_kbli(session: Session, q: str, limit: int = 15) -> list[KbliCode]:
    """KBLI codes matching every word typed: a code starting with it, or a title (or description) containing it."""
    query = select(KbliCode).order_by(KbliCode.version.desc(), KbliCode.code)
    texts = [func.lower(column) for column in (KbliCode.title, getattr(KbliCode, "description", None)) if column]
    for word in (q or "").lower().split()[:8]:
        matches = [text.contains(word, autoescape=True) for text in texts]
        query = query.where(or_(KbliCode.code.startswith(word, autoescape=True), *matches))
    return list(session.scalars(query.limit(limit)))


def kbli_by_code(session: Session, code: str) -> KbliCode | None:
    return session.scalar(
        select(KbliCode).where(KbliCode.code == (code or "").strip()).order_by(KbliCode.version.desc()).limit(1)
    )


@dataclass
class BusinessInput:
    """What an officer typed, already checked by the form."""

    owner: dict
    business: dict
    existing_owner_id: int | None = None


def _snapshot(business: Business) -> dict:
    data = {name: getattr(business, name) for name in BUSINESS_FIELDS}
    data["kbli_other"] = [other.kbli_code for other in business.other_kbli]
    data["owner_id"] = business.owner_id
    return data


@owns_transaction
def register_business(session: Session, data: BusinessInput, actor: User, ip_address: str | None = None) -> Business:
    """Create a business and its owner (or link the existing person with the same NIK); audited."""
    owner = _owner_for(session, data)
    business = Business(owner=owner, **_business_values(session, data.business))
    session.add(business)
    session.flush()
    record(
        session,
        actor,
        AuditAction.BUSINESS_REGISTER,
        "business",
        business.id,
        summary=business.name[:255],
        after=_snapshot(business),
        ip_address=ip_address,
    )
    session.commit()
    return business


@owns_transaction
def update_business(
    session: Session, business: Business, data: BusinessInput, actor: User, ip_address: str | None = None
) -> Business:
    """Change a business and its owner's details; audited with before and after (no personal data).

    The owner's personal data changes only when `actor` may manage that person (every business of the
    person in the actor's scope); person changes are audited field by field, masked."""
    before = _snapshot(business)
    current = business.owner
    if authorization.may_manage_person(session, actor, current):
        person_before = _person_snapshot(current)
        owner = _owner_for(session, data, current=current)
    elif data.owner.get("nik", current.nik) != current.nik:
        raise RegistryError(SHARED_OWNER_MESSAGE)
    else:
        person_before, owner = None, current
    business.owner = owner
    values = _business_values(session, data.business, business)
    others = values.pop("other_kbli")
    for name, value in values.items():
        setattr(business, name, value)
    business.other_kbli = []
    session.flush()
    business.other_kbli = others
    session.flush()
    if person_before is not None and owner is current:
        _record_person_changes(session, actor, owner, person_before, ip_address)
    record(
        session,
        actor,
        AuditAction.BUSINESS_EDIT,
        "business",
        business.id,
        summary=business.name[:255],
        before=before,
        after=_snapshot(business),
        ip_address=ip_address,
    )
    session.commit()
    return business


SHARED_OWNER_MESSAGE = (
    "Pemilik usaha ini juga memiliki usaha di kecamatan lain: data pribadinya hanya dapat diubah "
    "oleh petugas yang cakupannya meliputi semua usaha tersebut."
)
# How each personal field appears in the audit log: enough to see that it changed, never the value.
_PERSON_MASKS = {
    "full_name": lambda value: value,
    "nik": mask_nik,
    "phone": lambda value: f"{value[:5]}•••{value[-3:]}" if value else value,
    "home_address": lambda value: "(terisi)" if value else value,
    "birth_date": lambda value: "(terisi)" if value else value,
}


def _person_snapshot(person: Person) -> dict:
    return {name: getattr(person, name) for name in PERSON_FIELDS}


def _record_person_changes(session: Session, actor: User, person: Person, before: dict, ip_address: str | None) -> None:
    after = _person_snapshot(person)
    changed = [name for name in PERSON_FIELDS if before[name] != after[name]]
    if not changed:
        return
    record(
        session,
        actor,
        AuditAction.PERSON_EDIT,
        "person",
        person.id,
        summary=", ".join(changed),
        before={name: _PERSON_MASKS[name](before[name]) for name in changed},
        after={name: _PERSON_MASKS[name](after[name]) for name in changed},
        ip_address=ip_address,
    )


def _owner_for(session: Session, data: BusinessInput, current: Person | None = None) -> Person:
    nik = data.owner["nik"]
    existing = person_by_nik(session, nik)
    if existing is not None and (current is None or existing.id != current.id):
        if data.existing_owner_id != existing.id:
            raise RegistryError("NIK ini sudah terdaftar. Pilih 'gunakan data pemilik yang sudah ada'.")
        return existing
    owner = current or Person(nik=nik, full_name=data.owner["full_name"])
    for name in PERSON_FIELDS:
        if name in data.owner:
            setattr(owner, name, data.owner[name])
    if owner.birth_date is None:
        owner.birth_date = birth_date_from_nik(nik)
    session.add(owner)
    return owner


def _business_values(session: Session, values: dict, business: Business | None = None) -> dict:
    values = dict(values)
    code = values.pop("kbli_code", None)
    kbli = kbli_by_code(session, code) if code else None
    values["kbli_code"] = kbli.code if kbli else None
    values["kbli_version"] = kbli.version if kbli else None
    others = [kbli_by_code(session, other) for other in values.pop("kbli_other", None) or []]
    values["other_kbli"] = [
        BusinessKbli(kbli_version=other.version, kbli_code=other.code, position=position)
        for position, other in enumerate(o for o in others if o is not None and o.code != values["kbli_code"])
    ]
    nib = values.get("nib")
    if nib:
        holder = session.scalar(select(Business.id).where(Business.nib == nib))
        if holder is not None and (business is None or holder != business.id):
            raise RegistryError("NIB ini sudah tercatat untuk usaha lain; satu NIB untuk satu pelaku usaha.", "nib")
    return values
