"""IUMK permits: issue (gap-free numbers), revoke, reissue, look up; the certificate goes through services.documents."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from models.business import CLOSED, Business
from models.official import Official
from models.permit import VALID, Permit, PermitCounter
from models.region import Region
from models.user import User
from services import clock, documents, registry
from services.audit import record
from services.formatting import full_address, long_date
from services.paging import Page, paginate

CERTIFICATE_TEMPLATE = "documents/iumk_certificate.html"
PREMISES_LABELS = {
    "milik_sendiri": "Milik sendiri",
    "sewa": "Sewa",
    "pinjam_pakai": "Pinjam pakai",
    "lainnya": "Lainnya",
}
LEGAL_FORM_LABELS = {
    "perseorangan": "Perseorangan",
    "ud": "Usaha Dagang (UD)",
    "cv": "Persekutuan Komanditer (CV)",
    "firma": "Firma",
    "pt_perorangan": "PT Perorangan",
}


class PermitError(ValueError):
    """A permit cannot be issued, revoked or reissued as asked; the message is for the officer."""


def local_today(config: dict) -> date:
    return clock.local_today(config.get("TIMEZONE", "Asia/Jakarta"))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def kelurahan_code(kelurahan: Region) -> str:
    """The kelurahan's Kemendagri code, or its region id where none is loaded."""
    return kelurahan.kemendagri_code or str(kelurahan.id)


class NotYetNumbered:
    """Stands for the sequence number in a preview: an X for every digit the pattern gives the number."""

    def __format__(self, spec: str) -> str:
        return "X" * len(format(0, spec))


def format_number(pattern: str, *, seq: int | NotYetNumbered, year: int, series: str, kelurahan: Region) -> str:
    kecamatan = kelurahan.parent
    return pattern.format(
        seq=seq,
        year=year,
        series=series,
        kelurahan_code=kelurahan_code(kelurahan),
        kecamatan_code=(kecamatan.kemendagri_code or str(kecamatan.id)) if kecamatan else "",
    )


def signing_official(session: Session, kelurahan: Region, day: date) -> Official | None:
    """The official in office on `day` for the kelurahan, else its kecamatan, else the whole municipality."""
    candidates = [kelurahan.id, kelurahan.parent_id, None]
    for region_id in candidates:
        region_clause = Official.region_id.is_(None) if region_id is None else Official.region_id == region_id
        official = session.scalar(
            select(Official)
            .where(region_clause, Official.valid_from <= day)
            .where(or_(Official.valid_to.is_(None), Official.valid_to >= day))
            .order_by(Official.valid_from.desc())
            .limit(1)
        )
        if official is not None:
            return official
    return None


def active_permit(session: Session, business_id: int, today: date) -> Permit | None:
    """The business's permit that is still valid today (not revoked, superseded or expired), if any."""
    return session.scalar(
        select(Permit).where(
            Permit.business_id == business_id,
            Permit.revoked_at.is_(None),
            Permit.superseded_by_id.is_(None),
            Permit.valid_until >= today,
        )
    )


def _lock_for_issue(session: Session) -> None:
    """SQLite: take the write lock now (BEGIN IMMEDIATE) so the counter read below cannot go stale."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def next_sequence(session: Session, series: str, year: int) -> int:
    """Increment and return the counter of (series, year), locked until the caller's transaction ends.

    PostgreSQL: SELECT … FOR UPDATE on the counter row; SQLite: the database write lock taken by
    `_lock_for_issue`. A rolled-back issue rolls the counter back too, so numbers have no gaps.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(PermitCounter).values(series=series, year=year, last_seq=0).on_conflict_do_nothing())
    current = session.execute(
        select(PermitCounter.last_seq)
        .where(PermitCounter.series == series, PermitCounter.year == year)
        .with_for_update()
    ).scalar_one()
    session.execute(
        update(PermitCounter)
        .where(PermitCounter.series == series, PermitCounter.year == year)
        .values(last_seq=current + 1)
    )
    return current + 1


def certificate_context(
    session: Session,
    business: Business,
    *,
    config: dict,
    municipality,
    number: str,
    token: str,
    issued_on: date,
    valid_until: date,
    official: Official | None,
    demo: bool,
    preview: bool = False,
    supersedes: Permit | None = None,
    signer: documents.SignerFacts | None = None,
) -> dict:
    """Every field of the certificate (DOMAIN.md's list), formatted in Indonesian."""
    kelurahan = business.kelurahan
    kecamatan = kelurahan.parent
    kota = kelurahan.kota
    owner = business.owner
    agency = config.get("CERT_HEADER_AGENCY") or (
        f"KECAMATAN {kecamatan.name.upper()} · KELURAHAN {kelurahan.name.upper()}"
        if kecamatan
        else f"KELURAHAN {kelurahan.name.upper()}"
    )
    verify_url = documents.verification_url(config, token)
    kbli = business.kbli
    return {
        "government": config.get("CERT_HEADER_GOVERNMENT") or municipality.government_header,
        "agency": agency,
        "number": number,
        "legal_basis": config.get("CERT_LEGAL_BASIS"),
        "holder_name": owner.full_name,
        "holder_nik": owner.nik,
        "holder_address": owner.home_address or "-",
        "holder_phone": owner.phone or "-",
        "business_name": business.name,
        "legal_form": LEGAL_FORM_LABELS.get(business.legal_form, business.legal_form),
        "npwp": business.npwp or "-",
        "activity": business.activity or "-",
        "premises": PREMISES_LABELS.get(business.premises or "", business.premises or "-"),
        "business_address": full_address(
            business.address, kelurahan.name, kecamatan.name if kecamatan else None, kota.name if kota else None
        ),
        "capital": f"Rp{format_decimal(business.capital_rupiah, locale='id')}" if business.capital_rupiah else "-",
        "registration_number": business.nib or f"REG-{business.id:07d}",
        "kbli": f"{kbli.code} ({business.kbli_version}) {kbli.title}" if kbli else "-",
        "place": config.get("CERT_PLACE_OF_ISSUE") or (kota.name if kota else municipality.name),
        "issued_on": long_date(issued_on),
        "valid_until": long_date(valid_until),
        "validity_years": config.get("PERMIT_VALIDITY_YEARS", 5),
        "on_behalf_of": f"a.n. {municipality.head_of_government}",
        "official": official,
        "verify_url": verify_url,
        "qr": documents.qr_svg(verify_url),
        "demo": demo,
        "preview": preview,
        "supersedes": supersedes.number if supersedes else None,
        "signer": signer,
    }


def _signing_key_for(config: dict, instance_path: str, official: Official, passphrase: str | None):
    """The official's personal certificate when registered (passphrase typed at issue), else the office e-seal."""
    try:
        return documents.key_for_official(config, instance_path, official.nip, passphrase)
    except documents.PassphraseNeeded as exc:
        raise PermitError(
            f"{official.name} menandatangani dengan sertifikat elektronik pribadi: "
            "masukkan frasa sandi sertifikat untuk menandatangani."
        ) from exc
    except documents.WrongPassphrase as exc:
        raise PermitError("Frasa sandi sertifikat penanda tangan salah. Tidak ada yang diterbitkan.") from exc


def _check_can_issue(session: Session, business: Business, today: date, replacing: Permit | None = None) -> None:
    if business.status == CLOSED:
        raise PermitError("Usaha ini sudah tutup; izin tidak dapat diterbitkan untuk usaha yang tutup.")
    current = active_permit(session, business.id, today)
    if current is not None and (replacing is None or current.id != replacing.id):
        raise PermitError(
            f"Usaha ini sudah memiliki izin yang masih berlaku ({current.number}). "
            "Cabut izin itu atau terbitkan ulang bila ada perbaikan."
        )


def preview_certificate(session: Session, business: Business, *, config: dict, municipality) -> bytes:
    """An unsigned, watermarked PDF of what would be issued today; nothing is stored or numbered."""
    today = local_today(config)
    _check_can_issue(session, business, today)
    official = signing_official(session, business.kelurahan, today)
    context = certificate_context(
        session,
        business,
        config=config,
        municipality=municipality,
        number=format_number(
            config["PERMIT_NUMBER_PATTERN"],
            seq=NotYetNumbered(),
            year=today.year,
            series=config["PERMIT_SERIES"],
            kelurahan=business.kelurahan,
        ),
        token="pratinjau",  # noqa: S106 - a placeholder, not a secret
        issued_on=today,
        valid_until=add_years(today, config["PERMIT_VALIDITY_YEARS"]),
        official=official,
        demo=False,
        preview=True,
    )
    return documents.preview_pdf(CERTIFICATE_TEMPLATE, context, title="Pratinjau")


def issue_permit(
    session: Session,
    business: Business,
    actor: User | None,
    *,
    config: dict,
    municipality,
    instance_path: str,
    ip_address: str | None = None,
    supersedes: Permit | None = None,
    commit: bool = True,
    signing_passphrase: str | None = None,
) -> Permit:
    """Number, render, sign and store a permit for `business` in one transaction (see next_sequence).

    Refuses a closed business, a second valid permit, and a kelurahan without a signing official.
    """
    _lock_for_issue(session)
    try:
        today = local_today(config)
        business = session.get(Business, business.id)
        _check_can_issue(session, business, today, replacing=supersedes)
        official = signing_official(session, business.kelurahan, today)
        if official is None:
            raise PermitError(
                "Belum ada pejabat penanda tangan yang menjabat hari ini untuk kelurahan ini. "
                "Tambahkan data pejabat terlebih dahulu."
            )
        series = config["PERMIT_SERIES"]
        seq = next_sequence(session, series, today.year)
        number = format_number(
            config["PERMIT_NUMBER_PATTERN"], seq=seq, year=today.year, series=series, kelurahan=business.kelurahan
        )
        token = secrets.token_urlsafe(24)
        valid_until = add_years(today, config["PERMIT_VALIDITY_YEARS"])
        key, signer = _signing_key_for(config, instance_path, official, signing_passphrase)
        context = certificate_context(
            session,
            business,
            config=config,
            municipality=municipality,
            number=number,
            token=token,
            issued_on=today,
            valid_until=valid_until,
            official=official,
            demo=key.demo,
            supersedes=supersedes,
            signer=signer,
        )
        try:
            stored = documents.issue_pdf(
                CERTIFICATE_TEMPLATE,
                context,
                config=config,
                key=key,
                title=number,
                reason=f"Izin Usaha Mikro dan Kecil {number}",
                location=context["place"],
            )
        except documents.DocumentError as exc:
            raise PermitError(
                "Sertifikat tidak dapat ditandatangani (kunci, sertifikat atau layanan cap waktu bermasalah); "
                "tidak ada yang diterbitkan. Hubungi administrator."
            ) from exc
        permit = Permit(
            number=number,
            series=series,
            year=today.year,
            seq=seq,
            token=token,
            business_id=business.id,
            business_name=business.name,
            kelurahan_id=business.kelurahan_id,
            official_id=official.id,
            issued_at=clock.now(),
            issued_on=today,
            valid_until=valid_until,
            issued_by_id=actor.id if actor is not None else None,
            document_sha256=stored.sha256,
            document_size=stored.size,
            document_pdf=stored.blob,
            document_path=stored.path,
            demo_signature=key.demo,
        )
        session.add(permit)
        session.flush()
        owner = business.owner
        documents.record_signed(
            session, stored, signer, config=config, holder_name=owner.full_name, holder_nik=owner.nik, salt=token
        )
        if supersedes is not None:
            supersedes.superseded_by_id = permit.id
            record(
                session,
                actor,
                "reissue",
                "permit",
                supersedes.id,
                summary=f"{supersedes.number} → {number}",
                before={"status": VALID},
                after={"superseded_by": number},
                ip_address=ip_address,
            )
        record(
            session,
            actor,
            "issue",
            "permit",
            permit.id,
            summary=f"{number} · {business.name}"[:255],
            after={"number": number, "business_id": business.id, "sha256": stored.sha256},
            ip_address=ip_address,
        )
        if commit:
            session.commit()
        return permit
    except BaseException:
        session.rollback()
        raise


def revoke_permit(
    session: Session, permit: Permit, actor: User | None, reason: str, *, config: dict, ip_address: str | None = None
) -> Permit:
    """Revoke with a reason (kept and shown on verification)."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise PermitError("Tuliskan alasan pencabutan (minimal 5 karakter).")
    if permit.revoked_at is not None:
        raise PermitError("Izin ini sudah dicabut.")
    if permit.superseded_by_id is not None:
        raise PermitError("Izin ini sudah digantikan oleh izin lain; cabut izin penggantinya.")
    before = {"status": permit.status_on(local_today(config))}
    permit.revoked_at = clock.now()
    permit.revoked_by_id = actor.id if actor is not None else None
    permit.revoke_reason = reason[:1000]
    record(
        session,
        actor,
        "revoke",
        "permit",
        permit.id,
        summary=f"{permit.number}: {reason}"[:255],
        before=before,
        after={"status": "revoked", "reason": permit.revoke_reason},
        ip_address=ip_address,
    )
    session.commit()
    return permit


def reissue_permit(
    session: Session,
    permit: Permit,
    actor: User | None,
    *,
    config: dict,
    municipality,
    instance_path: str,
    ip_address: str | None = None,
    signing_passphrase: str | None = None,
) -> Permit:
    """Issue a corrected permit from the business's current data; the old one becomes 'superseded'."""
    if permit.revoked_at is not None:
        raise PermitError("Izin yang sudah dicabut tidak dapat diterbitkan ulang; terbitkan izin baru.")
    if permit.superseded_by_id is not None:
        raise PermitError("Izin ini sudah diterbitkan ulang.")
    return issue_permit(
        session,
        permit.business,
        actor,
        config=config,
        municipality=municipality,
        instance_path=instance_path,
        ip_address=ip_address,
        supersedes=permit,
        signing_passphrase=signing_passphrase,
    )


def permit_pdf(permit: Permit, config: dict) -> bytes:
    """The stored certificate, byte for byte as issued."""
    return documents.load(config, sha=permit.document_sha256, path=permit.document_path, blob=permit.document_pdf)


def find_by_token(session: Session, token: str) -> Permit | None:
    """The permit a QR code points to, with what its public page shows loaded in the same query."""
    if not token or len(token) > 64:
        return None
    return session.scalar(_BY_TOKEN, {"token": token})


# Built once: the verification page runs this for every scan.
_BY_TOKEN = (
    select(Permit)
    .where(Permit.token == bindparam("token"))
    .options(joinedload(Permit.kelurahan).joinedload(Region.parent), joinedload(Permit.superseded_by))
)


def find_by_number(session: Session, number: str) -> Permit | None:
    number = " ".join((number or "").split())
    if not number or len(number) > 80:
        return None
    return session.scalar(select(Permit).where(func.upper(Permit.number) == number.upper()))


def find_by_sha256(session: Session, digest: str) -> Permit | None:
    return session.scalar(select(Permit).where(Permit.document_sha256 == digest))


def local_date(moment: datetime, config: dict) -> date:
    return moment.astimezone(ZoneInfo(config.get("TIMEZONE", "Asia/Jakarta"))).date()


# --- Officers' lists -------------------------------------------------------------------------------


def permit_for_user(session: Session, user: User, permit_id: int) -> Permit | None:
    """The permit if its business is in `user`'s scope, else None (the view answers 404)."""
    permit = session.get(Permit, permit_id)
    if permit is None or registry.get_business(session, user, permit.business_id) is None:
        return None
    return permit


def permits_of(session: Session, business: Business) -> list[Permit]:
    """Every permit of a business, newest first."""
    return list(session.scalars(select(Permit).where(Permit.business_id == business.id).order_by(Permit.id.desc())))


def permit_page(session: Session, user: User, *, q: str = "", page: int = 1, per_page: int = 20) -> Page:
    """Permits in `user`'s scope whose number or business name contains `q`, newest first."""
    query = select(Permit).join(Business, Permit.business_id == Business.id)
    scope = registry.kecamatan_scope(user)
    if scope is not None:
        query = query.join(Region, Permit.kelurahan_id == Region.id).where(Region.parent_id == scope)
    if q:
        query = query.where(
            or_(func.lower(Permit.number).contains(q.lower()), func.lower(Permit.business_name).contains(q.lower()))
        )
    return paginate(session, query.order_by(Permit.id.desc()), page, per_page)


def record_download(session: Session, user: User, permit: Permit, ip_address: str | None = None) -> None:
    """Every certificate download is in the audit log."""
    record(session, user, "download", "permit", permit.id, summary=permit.number, ip_address=ip_address)
    session.commit()
