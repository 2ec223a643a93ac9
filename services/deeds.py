"""Founding deeds (akta pendirian): preview, issue (a new version after each edit), download, look up.

Rendering to PDF, signing and storing the bytes once with their SHA-256 go through the shared document
pipeline (services/documents.py); this module decides which version is current and what the deed says.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import current_app, has_app_context
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from models.cooperative import Cooperative, FoundingDeed
from models.region import Region
from models.user import COOPERATIVE, User
from services import clock, documents
from services.audit import record
from services.cooperatives import cooperative_for_officer
from services.formatting import full_address, long_date

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
DOCUMENT_KIND = "Akta Pendirian Koperasi"


class DeedError(ValueError):
    """A deed cannot be issued as asked; the message is for the officer."""


def tanggal(value: date | datetime | None) -> str:
    """A date as a deed writes it: 12 Maret 2021."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        zone = current_app.config.get("TIMEZONE", "Asia/Jakarta") if has_app_context() else "Asia/Jakarta"
        value = (value.astimezone(ZoneInfo(zone)) if value.tzinfo else value).date()
    return long_date(value)


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


def new_deed_version(
    session: Session,
    actor: User | None,
    cooperative: Cooperative,
    now: datetime | None = None,
    ip_address: str | None = None,
):
    """Add the next deed version of `cooperative`, marking the current one superseded. Flushed, not committed:
    the document pipeline renders and stores the PDF, then commits both together."""
    now = now or clock.now()
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
        cooperative_name=cooperative.name,
        kelurahan_id=cooperative.kelurahan_id,
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
        ip_address=ip_address,
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


def deed_context(
    cooperative: Cooperative,
    deed: FoundingDeed | None = None,
    qr_svg: str | None = None,
    *,
    demo: bool = False,
    preview: bool = False,
) -> dict:
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
        "demo": demo,
        "preview": preview,
        "government_header": config.get("CERT_HEADER_GOVERNMENT")
        or (municipality.government_header if municipality else ""),
        "agency_header": config.get("CERT_HEADER_AGENCY") or "DINAS KOPERASI, USAHA MIKRO, KECIL DAN MENENGAH",
        "kind_label": KIND_LABELS.get(cooperative.kind, cooperative.kind),
        "level_label": LEVEL_LABELS.get(cooperative.level, cooperative.level),
        "kelurahan": kelurahan.name if kelurahan else "-",
        "kecamatan": kecamatan.name if kecamatan else "-",
        "kota": kota.name if kota else "-",
        "seat": full_address(
            cooperative.seat_address,
            kelurahan.name if kelurahan else None,
            kecamatan.name if kecamatan else None,
            kota.name if kota else None,
            spelled_out=True,
        ),
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
    return documents.render_html(DEED_TEMPLATE, **deed_context(cooperative, deed, qr_svg))


def is_up_to_date(cooperative: Cooperative) -> bool:
    """Does the current deed already say what the record says (no edit since it was issued)?"""
    current = current_deed(cooperative)
    return current is not None and current.record_updated_at == cooperative.updated_at


def preview_deed(cooperative: Cooperative) -> bytes:
    """An unsigned, watermarked PDF of the deed the record would give today; nothing is numbered or stored."""
    return documents.preview_pdf(DEED_TEMPLATE, deed_context(cooperative, preview=True), title="Pratinjau akta")


def issue_deed(
    session: Session,
    cooperative: Cooperative,
    actor: User | None,
    *,
    config: dict,
    instance_path: str,
    ip_address: str | None = None,
    now: datetime | None = None,
) -> FoundingDeed:
    """Issue the next version of the deed: numbered, rendered with its verification QR, signed, stored once.

    The previous version, if any, becomes "superseded". Refused when nothing changed since the current one.
    """
    try:
        if is_up_to_date(cooperative):
            raise DeedError(
                f"Akta versi {current_deed(cooperative).version} sudah sesuai dengan data koperasi terakhir. "
                "Ubah data koperasi terlebih dahulu bila ada perbaikan."
            )
        key = documents.signing_key(config, instance_path)
        deed = new_deed_version(session, actor, cooperative, now=now, ip_address=ip_address)
        qr = documents.qr_svg(documents.verification_url(config, deed.verification_token))
        context = deed_context(cooperative, deed, qr, demo=key.demo)
        stored = documents.issue_pdf(
            DEED_TEMPLATE,
            context,
            config=config,
            key=key,
            title=deed.number,
            reason=f"{DOCUMENT_KIND} {deed.number}",
            location=context["kota"],
        )
        deed.sha256 = stored.sha256
        deed.size_bytes = stored.size
        deed.storage_key = stored.path
        deed.document_pdf = stored.blob
        deed.signature = documents.signer_name(key)
        deed.demo_signature = key.demo
        session.commit()
        return deed
    except BaseException:
        session.rollback()
        raise


def deed_pdf(deed: FoundingDeed, config: dict) -> bytes:
    """The stored deed, byte for byte as issued (DocumentError if it was never stored or is damaged)."""
    if deed.sha256 is None:
        raise documents.DocumentError("this deed version has no stored document")
    return documents.load(config, sha=deed.sha256, path=deed.storage_key, blob=deed.document_pdf)


def download_name(deed: FoundingDeed) -> str:
    return "akta-" + deed.number.replace("/", "-") + ".pdf"


def record_download(session: Session, user: User, deed: FoundingDeed, ip_address: str | None = None) -> None:
    """Every deed download is in the audit log (the deed carries founders' NIK)."""
    record(
        session,
        user,
        "download",
        "founding_deed",
        deed.id,
        summary=f"{deed.number} · {deed.cooperative_name or ''}"[:255],
        ip_address=ip_address,
    )
    session.commit()


# --- Public verification (services/verification.py asks these) ----------------------------------------


def _with_public_facts(query):
    return query.options(
        joinedload(FoundingDeed.kelurahan).joinedload(Region.parent), joinedload(FoundingDeed.superseded_by)
    )


def find_by_token(session: Session, token: str) -> FoundingDeed | None:
    return session.scalar(_BY_TOKEN, {"token": token})


_BY_TOKEN = _with_public_facts(select(FoundingDeed).where(FoundingDeed.verification_token == bindparam("token")))


def find_by_number(session: Session, number: str) -> FoundingDeed | None:
    query = select(FoundingDeed).where(func.upper(FoundingDeed.number) == number.upper())
    return session.scalar(_with_public_facts(query).limit(1))


def find_by_sha256(session: Session, digest: str) -> FoundingDeed | None:
    return session.scalar(_with_public_facts(select(FoundingDeed).where(FoundingDeed.sha256 == digest)).limit(1))
