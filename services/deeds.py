"""Founding deeds (akta pendirian): versions of the deed and what its template is filled with.

Rendering to PDF, storing the bytes with their SHA-256 and signing go through the shared document
pipeline (services/documents.py); this module decides which version is current and what the deed says.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app, has_app_context, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.cooperative import Cooperative, FoundingDeed
from models.user import COOPERATIVE, User
from services.audit import record
from services.cooperatives import cooperative_for_officer

DEED_TEMPLATE = "documents/founding_deed.html"
DEFAULT_NUMBER_FORMAT = "{cooperative_id:05d}/AKTA-KOP/{year}/V{version}"

# The deed is a legal document in Indonesian whatever the reader's language.
KIND_LABELS = {
    "simpan_pinjam": "Simpan Pinjam",
    "konsumen": "Konsumen",
    "produsen": "Produsen",
    "pemasaran": "Pemasaran",
    "jasa": "Jasa",
}
LEVEL_LABELS = {"primer": "Primer", "sekunder": "Sekunder"}


def tanggal(value: date | datetime | None) -> str:
    """A date as a deed writes it: 12 Maret 2021."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, "d MMMM y", locale="id")


def rupiah(amount: int | None) -> str:
    if amount is None:
        return "-"
    return "Rp" + format_decimal(amount, locale="id")


def current_deed(cooperative: Cooperative) -> FoundingDeed | None:
    return next((deed for deed in cooperative.deeds if deed.superseded_by_id is None), None)


def deed_number(cooperative: Cooperative, version: int, when: datetime) -> str:
    pattern = DEFAULT_NUMBER_FORMAT
    if has_app_context():
        pattern = current_app.config.get("COOP_DEED_NUMBER_FORMAT", DEFAULT_NUMBER_FORMAT)
    return pattern.format(cooperative_id=cooperative.id, version=version, year=when.year)


def new_deed_version(session: Session, actor: User, cooperative: Cooperative, now: datetime | None = None):
    """Add the next deed version of `cooperative`, marking the current one superseded. Flushed, not committed:
    the document pipeline renders and stores the PDF, then commits both together."""
    now = now or utcnow()
    previous = current_deed(cooperative)
    latest = select(func.max(FoundingDeed.version)).where(FoundingDeed.cooperative_id == cooperative.id)
    version = (session.scalar(latest) or 0) + 1
    deed = FoundingDeed(
        cooperative=cooperative,
        version=version,
        number=deed_number(cooperative, version, now),
        issued_at=now,
        issued_by_id=actor.id if actor is not None else None,
        record_updated_at=cooperative.updated_at,
    )
    session.add(deed)
    session.flush()
    if previous is not None:
        previous.superseded_by_id = deed.id
        previous.superseded_at = now
    record(
        session,
        actor,
        "issue_deed" if previous is None else "reissue_deed",
        "founding_deed",
        deed.id,
        summary=f"{cooperative.name}: akta {deed.number}",
        after={"cooperative_id": cooperative.id, "version": version, "supersedes": previous.id if previous else None},
    )
    session.flush()
    return deed


def deeds_of(session: Session, cooperative: Cooperative) -> list[FoundingDeed]:
    """Every version, the newest first."""
    query = select(FoundingDeed).where(FoundingDeed.cooperative_id == cooperative.id)
    return list(session.scalars(query.order_by(FoundingDeed.version.desc())))


def deed_for_user(session: Session, user: User, deed_id: int) -> FoundingDeed | None:
    """The deed if `user` may see it (its own cooperative, or an officer's scope), else None: the view says 404."""
    deed = session.get(FoundingDeed, deed_id)
    if deed is None:
        return None
    if user.role == COOPERATIVE:
        return deed if user.cooperative_id is not None and deed.cooperative_id == user.cooperative_id else None
    return deed if cooperative_for_officer(session, user, deed.cooperative_id) is not None else None


def deed_context(cooperative: Cooperative, deed: FoundingDeed | None = None, qr_svg: str | None = None) -> dict:
    """Everything the deed template needs, already worded and formatted in Indonesian."""
    kelurahan = cooperative.kelurahan
    kecamatan = kelurahan.parent if kelurahan else None
    kota = kecamatan.parent if kecamatan else None
    municipality = current_app.extensions.get("municipality") if has_app_context() else None
    config = current_app.config if has_app_context() else {}
    return {
        "cooperative": cooperative,
        "deed": deed,
        "qr_svg": qr_svg,
        "government_header": config.get("CERT_HEADER_GOVERNMENT")
        or (municipality.government_header if municipality else ""),
        "agency_header": config.get("CERT_HEADER_AGENCY") or "DINAS KOPERASI, USAHA MIKRO, KECIL DAN MENENGAH",
        "kind_label": KIND_LABELS.get(cooperative.kind, cooperative.kind),
        "level_label": LEVEL_LABELS.get(cooperative.level, cooperative.level),
        "kelurahan": kelurahan.name if kelurahan else "-",
        "kecamatan": kecamatan.name if kecamatan else "-",
        "kota": kota.name if kota else "-",
        "kampungs": [k.name for k in cooperative.kampungs],
        "founders": cooperative.founders,
        "board": cooperative.board,
        "supervisors": cooperative.supervisors,
        "members": cooperative.member_cooperatives,
        "tanggal": tanggal,
        "rupiah": rupiah,
    }


def render_deed_html(cooperative: Cooperative, deed: FoundingDeed | None = None, qr_svg: str | None = None) -> str:
    """The deed as HTML for the PDF renderer (needs an app context for the template)."""
    return render_template(DEED_TEMPLATE, **deed_context(cooperative, deed, qr_svg))
