"""IUMK permits: issue (gap-free numbers), revoke, reissue, look up; the certificate goes through services.documents."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from models.business import CLOSED, Business
from models.official import Official
from models.permit import CORRECTION, NEW, RENEWAL, Permit, PermitCounter, PermitReservation
from models.region import Region
from models.user import User
from services import clock, documents, oss, reasons, registry
from services.audit import AuditAction, record
from services.formatting import format_rupiah, full_address, long_date
from services.labels import LEGAL_FORM_LABELS, PREMISES_LABELS, in_indonesian
from services.locking import lock_row
from services.paging import Page, paginate

CERTIFICATE_TEMPLATE = "documents/iumk_certificate.html"


class PermitError(ValueError):
    """A permit cannot be issued, revoked or reissued as asked; the message is for the officer."""


def local_today(config: dict) -> date:
    return clock.local_today(config["TIMEZONE"])


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


NUMBER_CODE_MISSING = (
    "Kelurahan {name} belum memiliki kode Kemendagri maupun kode kantor, sehingga nomor izin tidak dapat "
    "dibentuk. Minta administrator memuat tabel kode wilayah (flask regions import-codes) atau menetapkan "
    "kode kantor kelurahan ini."
)


def kelurahan_code(kelurahan: Region) -> str | None:
    """The code a permit number carries for the kelurahan: the office code the admin set, else the
    Kemendagri code; None when neither exists (never a database row id)."""
    return kelurahan.office_code or kelurahan.kemendagri_code


def _number_codes(kelurahan: Region) -> dict[str, str | None]:
    kecamatan = kelurahan.parent
    return {
        "kelurahan_code": kelurahan_code(kelurahan),
        "kecamatan_code": (kecamatan.office_code or kecamatan.kemendagri_code) if kecamatan else None,
    }


def _fields_used(pattern: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(pattern) if name}


def number_problem(pattern: str, kelurahan: Region) -> str | None:
    """Why no permit number can be formed for `kelurahan` (None when it can)."""
    codes = _number_codes(kelurahan)
    if any(codes[name] is None for name in _fields_used(pattern) & codes.keys()):
        return NUMBER_CODE_MISSING.format(name=kelurahan.name)
    return None


class NotYetNumbered:
    """Stands for the sequence number in a preview: an X for every digit the pattern gives the number."""

    def __format__(self, spec: str) -> str:
        return "X" * len(format(0, spec))


def format_number(pattern: str, *, seq: int | NotYetNumbered, year: int, series: str, kelurahan: Region) -> str:
    problem = number_problem(pattern, kelurahan)
    if problem:
        raise PermitError(problem)
    codes = {name: value or "" for name, value in _number_codes(kelurahan).items()}
    return pattern.format(seq=seq, year=year, series=series, **codes)


def sequence_scope(config: dict, kelurahan: Region) -> str:
    """'' for one sequence per series and year; the kelurahan's code when each kelurahan counts its own."""
    if not config.get("PERMIT_SEQUENCE_PER_KELURAHAN"):
        return ""
    code = kelurahan_code(kelurahan)
    if code is None:
        raise PermitError(NUMBER_CODE_MISSING.format(name=kelurahan.name))
    return code


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


def current_permit(session: Session, business_id: int | None) -> Permit | None:
    """The business's permit that is neither revoked nor replaced (it may have expired): at most one."""
    if business_id is None:
        return None
    return session.scalar(
        select(Permit)
        .where(Permit.business_id == business_id, Permit.current())
        .execution_options(populate_existing=True)
    )


def active_permit(session: Session, business_id: int, today: date) -> Permit | None:
    """The business's permit that is still valid today (not revoked, superseded or expired), if any."""
    permit = current_permit(session, business_id)
    return permit if permit is not None and permit.valid_until >= today else None


def renewal_opens_on(permit: Permit, config: dict) -> date:
    """The first day a renewal (perpanjangan) of `permit` may be issued."""
    return permit.valid_until - timedelta(days=int(config.get("PERMIT_RENEWAL_WINDOW_DAYS", 90)))


def actions_for(permit: Permit, today: date, config: dict) -> dict[str, bool]:
    """What an officer may do with `permit` today: correct it, renew it, revoke it."""
    current = permit.is_current
    return {
        "correct": current and permit.valid_until >= today,
        "renew": current and today >= renewal_opens_on(permit, config),
        "revoke": current and permit.valid_until >= today,
    }


def _draw_number(session: Session, series: str, year: int, scope: str) -> int:
    """The next number of (series, year, scope): a released one first, else the counter's next.

    The counter row is locked (SELECT … FOR UPDATE; SQLite's write lock) until the caller commits its
    short reservation transaction, so two draws never get the same number.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = (PermitCounter.series == series, PermitCounter.year == year, PermitCounter.scope == scope)
    session.execute(
        insert(PermitCounter).values(series=series, year=year, scope=scope, last_seq=0).on_conflict_do_nothing()
    )
    current = session.execute(select(PermitCounter.last_seq).where(*key).with_for_update()).scalar_one()
    released = session.scalar(
        select(func.min(PermitReservation.seq)).where(
            PermitReservation.series == series,
            PermitReservation.year == year,
            PermitReservation.scope == scope,
            PermitReservation.business_id.is_(None),
        )
    )
    if released is not None:
        return released
    session.execute(update(PermitCounter).where(*key).values(last_seq=current + 1))
    return current + 1


def kbli_lines(business: Business, rules) -> list[str]:
    """The business's KBLI as printed: the main code first, then the others; the activity in words with
    "KBLI belum ditentukan" when no code was chosen (never a guessed code)."""
    if business.kbli is None:
        return [f"KBLI belum ditentukan — {business.activity or '-'}"]
    lines = []
    for kbli in [business.kbli, *(other.kbli for other in business.other_kbli)]:
        risk = rules.risk_label(kbli.risk_level)
        lines.append(f"{kbli.code} (KBLI {kbli.version}) {kbli.title}" + (f" — risiko {risk.lower()}" if risk else ""))
    lines[0] += " (utama)" if len(lines) > 1 else ""
    return lines


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
    kind: str = NEW,
    signer: documents.SignerFacts | None = None,
) -> dict:
    """Every field of the certificate (DOMAIN.md's list), formatted in Indonesian, as plain values:
    the PDF is rendered after the database transaction has ended."""
    rules = oss.rules(config)
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
    size = rules.size_class(business.capital_rupiah)
    official_facts = (
        SimpleNamespace(name=official.name, rank=official.rank, nip=official.nip, position=official.position)
        if official is not None
        else None
    )
    return {
        "government": config.get("CERT_HEADER_GOVERNMENT") or municipality.government_header,
        "agency": agency,
        "number": number,
        "legal_basis": config.get("CERT_LEGAL_BASIS") or rules.legal_basis,
        "holder_name": owner.full_name,
        "holder_nik": owner.nik,
        "holder_address": owner.home_address or "-",
        "holder_phone": owner.phone or "-",
        "business_name": business.name,
        "legal_form": in_indonesian(LEGAL_FORM_LABELS, business.legal_form, business.legal_form),
        "npwp": business.npwp or "-",
        "nib": business.nib or "Belum memiliki NIB",
        "activity": business.activity or "-",
        "premises": in_indonesian(PREMISES_LABELS, business.premises or "", business.premises or "-"),
        "business_address": full_address(
            business.address, kelurahan.name, kecamatan.name if kecamatan else None, kota.name if kota else None
        ),
        "capital": format_rupiah(business.capital_rupiah or None, missing="-"),
        "size_class": size.label if size else "-",
        "kbli_lines": kbli_lines(business, rules),
        "place": config.get("CERT_PLACE_OF_ISSUE") or (kota.name if kota else municipality.name),
        "issued_on": long_date(issued_on),
        "valid_until": long_date(valid_until),
        "validity_years": config["PERMIT_VALIDITY_YEARS"],
        "on_behalf_of": f"a.n. {municipality.head_of_government}",
        "official": official_facts,
        "verify_url": verify_url,
        "qr": documents.qr_code(verify_url),
        "demo": demo,
        "preview": preview,
        "kind": kind,
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


@dataclass(frozen=True)
class Draw:
    """A number reserved for one business, with everything the certificate says, decided under the lock."""

    business_id: int
    series: str
    year: int
    scope: str
    seq: int
    number: str
    token: str
    kind: str
    issued_on: date
    valid_until: date
    official_id: int
    supersedes_id: int | None


def _validity(kind: str, today: date, replacing: Permit | None, config: dict) -> date:
    """A correction keeps the validity end of the permit it corrects; a new permit and a renewal get their own."""
    if kind == CORRECTION and replacing is not None:
        return replacing.valid_until
    return add_years(today, config["PERMIT_VALIDITY_YEARS"])


def _check_can_issue(
    session: Session, business: Business, today: date, config: dict, kind: str = NEW, replacing: Permit | None = None
) -> None:
    """Refuse what the rules forbid, with a message for the officer (read under the business's lock)."""
    if business.status == CLOSED and kind != CORRECTION:
        raise PermitError("Usaha ini sudah tutup; izin tidak dapat diterbitkan untuk usaha yang tutup.")
    current = current_permit(session, business.id)
    if kind == NEW:
        if current is None:
            return
        if current.valid_until < today:
            raise PermitError(
                f"Izin {current.number} sudah kedaluwarsa; terbitkan perpanjangan izin itu, bukan izin baru."
            )
        raise PermitError(
            f"Usaha ini sudah memiliki izin yang masih berlaku ({current.number}). "
            "Cabut izin itu, atau terbitkan ulang bila ada perbaikan."
        )
    if replacing is None or replacing.revoked_at is not None:
        raise PermitError("Izin yang sudah dicabut tidak dapat diterbitkan ulang; terbitkan izin baru.")
    if replacing.superseded_at is not None or current is None or current.id != replacing.id:
        raise PermitError(f"Izin {replacing.number} sudah digantikan; muat ulang halaman untuk melihat izin terbaru.")
    if kind == CORRECTION and replacing.valid_until < today:
        raise PermitError(
            f"Izin {replacing.number} sudah kedaluwarsa; perbaikan tidak memperpanjang masa berlaku. "
            "Terbitkan perpanjangan izin."
        )
    if kind == RENEWAL and today < renewal_opens_on(replacing, config):
        opens = long_date(renewal_opens_on(replacing, config))
        until = long_date(replacing.valid_until)
        raise PermitError(
            f"Izin {replacing.number} masih berlaku sampai {until}; perpanjangan dapat diterbitkan mulai {opens}."
        )


def preview_certificate(
    session: Session,
    business: Business,
    *,
    config: dict,
    municipality,
    kind: str = NEW,
    replacing: Permit | None = None,
) -> bytes:
    """An unsigned, watermarked PDF of what would be issued today; nothing is stored or numbered."""
    today = local_today(config)
    _check_can_issue(session, business, today, config, kind, replacing)
    official = signing_official(session, business.kelurahan, today)
    number = format_number(
        config["PERMIT_NUMBER_PATTERN"],
        seq=NotYetNumbered(),
        year=today.year,
        series=config["PERMIT_SERIES"],
        kelurahan=business.kelurahan,
    )
    context = certificate_context(
        session,
        business,
        config=config,
        municipality=municipality,
        number=number,
        token="pratinjau",  # noqa: S106 - a placeholder, not a secret
        issued_on=today,
        valid_until=_validity(kind, today, replacing, config),
        official=official,
        demo=False,
        preview=True,
        supersedes=replacing,
        kind=kind,
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
    kind: str | None = None,
    signing_passphrase: str | None = None,
) -> Permit:
    """Issue a permit for `business`: a new one, or (with `supersedes`) a correction or a renewal.

    Three short steps, so that officers issuing at once are not queued behind each other's render:
    1. under the business's row lock, check the rules and draw a number (reserved for this business);
    2. with no lock held, render and sign the certificate;
    3. under the lock again, store the permit and drop the reservation.
    A double click, a retry or a second officer finds the reservation or the permit in step 1 and gets a
    PermitError; the database's one-current-permit index refuses anything that slips through. When step 2
    or 3 fails, the number is released and the next permit of the series takes it: no gaps.
    """
    kind = kind or (CORRECTION if supersedes is not None else NEW)
    draw = _reserve(session, business.id, config, kind, supersedes.id if supersedes is not None else None)
    try:
        business = session.get_one(Business, draw.business_id)
        official = session.get_one(Official, draw.official_id)
        key, signer = _signing_key_for(config, instance_path, official, signing_passphrase)
        replacing = session.get(Permit, draw.supersedes_id) if draw.supersedes_id else None
        context = certificate_context(
            session,
            business,
            config=config,
            municipality=municipality,
            number=draw.number,
            token=draw.token,
            issued_on=draw.issued_on,
            valid_until=draw.valid_until,
            official=official,
            demo=key.demo,
            supersedes=replacing,
            kind=draw.kind,
            signer=signer,
        )
        session.rollback()  # end the read transaction: nothing is held while rendering and signing
        try:
            stored = documents.issue_pdf(
                CERTIFICATE_TEMPLATE,
                context,
                config=config,
                key=key,
                title=draw.number,
                reason=f"Izin Usaha Mikro dan Kecil {draw.number}",
                location=context["place"],
            )
        except documents.DocumentError as exc:
            raise PermitError(
                "Sertifikat tidak dapat ditandatangani (kunci, sertifikat atau layanan cap waktu bermasalah); "
                "tidak ada yang diterbitkan. Hubungi administrator."
            ) from exc
        holder = (context["holder_name"], context["holder_nik"])
        return _record(session, draw, stored, key.demo, signer, holder, actor, ip_address, config)
    except BaseException:
        session.rollback()
        release_number(session, draw)
        raise


def _reserve(session: Session, business_id: int, config: dict, kind: str, supersedes_id: int | None) -> Draw:
    """Step 1: check the rules under the business's lock and reserve the next number; committed."""
    try:
        business = lock_row(session, Business, business_id)
        if business is None:
            raise PermitError("Usaha ini tidak ditemukan.")
        today = local_today(config)
        _reclaim_stale(session, config)
        if session.scalar(select(PermitReservation.seq).where(PermitReservation.business_id == business_id)):
            raise PermitError(
                "Izin untuk usaha ini sedang diterbitkan (klik ganda atau petugas lain). "
                "Muat ulang halaman sebentar lagi untuk melihat hasilnya."
            )
        replacing = session.get(Permit, supersedes_id, populate_existing=True) if supersedes_id else None
        _check_can_issue(session, business, today, config, kind, replacing)
        official = signing_official(session, business.kelurahan, today)
        if official is None:
            raise PermitError(
                "Belum ada pejabat penanda tangan yang menjabat hari ini untuk kelurahan ini. "
                "Tambahkan data pejabat terlebih dahulu."
            )
        series, scope = config["PERMIT_SERIES"], sequence_scope(config, business.kelurahan)
        pattern = config["PERMIT_NUMBER_PATTERN"]
        problem = number_problem(pattern, business.kelurahan)
        if problem:
            raise PermitError(problem)
        seq = _draw_number(session, series, today.year, scope)
        number = format_number(pattern, seq=seq, year=today.year, series=series, kelurahan=business.kelurahan)
        reservation = session.get(PermitReservation, (series, today.year, scope, seq))
        if reservation is None:
            reservation = PermitReservation(series=series, year=today.year, scope=scope, seq=seq)
            session.add(reservation)
        reservation.business_id = business_id
        reservation.reserved_at = clock.now()
        draw = Draw(
            business_id=business_id,
            series=series,
            year=today.year,
            scope=scope,
            seq=seq,
            number=number,
            token=secrets.token_urlsafe(24),
            kind=kind,
            issued_on=today,
            valid_until=_validity(kind, today, replacing, config),
            official_id=official.id,
            supersedes_id=supersedes_id,
        )
        session.commit()
        return draw
    except IntegrityError:
        session.rollback()
        raise PermitError(
            "Izin untuk usaha ini sedang diterbitkan (klik ganda atau petugas lain). "
            "Muat ulang halaman sebentar lagi untuk melihat hasilnya."
        ) from None
    except BaseException:
        session.rollback()
        raise


def _reclaim_stale(session: Session, config: dict) -> None:
    """Release numbers reserved longer ago than PERMIT_RESERVATION_MINUTES (a worker killed mid-issue)."""
    cutoff = clock.now() - timedelta(minutes=int(config.get("PERMIT_RESERVATION_MINUTES", 10)))
    session.execute(
        update(PermitReservation)
        .where(PermitReservation.business_id.is_not(None), PermitReservation.reserved_at < cutoff)
        .values(business_id=None, reserved_at=None)
    )


def release_number(session: Session, draw: Draw) -> None:
    """Give a drawn number back (rendering, signing or storing failed): the next permit takes it."""
    try:
        session.execute(
            update(PermitReservation)
            .where(
                PermitReservation.series == draw.series,
                PermitReservation.year == draw.year,
                PermitReservation.scope == draw.scope,
                PermitReservation.seq == draw.seq,
                PermitReservation.business_id == draw.business_id,
            )
            .values(business_id=None, reserved_at=None)
        )
        session.commit()
    except Exception:
        session.rollback()
        raise


def _record(
    session: Session,
    draw: Draw,
    stored,
    demo: bool,
    signer,
    holder: tuple[str, str],
    actor: User | None,
    ip_address: str | None,
    config: dict,
) -> Permit:
    """Step 3: store the permit under the business's lock, replace the permit it supersedes, drop the reservation."""
    try:
        business = lock_row(session, Business, draw.business_id)
        reservation = session.get(PermitReservation, (draw.series, draw.year, draw.scope, draw.seq))
        if reservation is None or reservation.business_id != draw.business_id:
            raise PermitError("Penerbitan izin memakan waktu terlalu lama dan dibatalkan; coba terbitkan lagi.")
        now = clock.now()
        replacing = session.get(Permit, draw.supersedes_id, populate_existing=True) if draw.supersedes_id else None
        if replacing is not None:
            if replacing.revoked_at is not None or replacing.superseded_at is not None:
                raise PermitError(
                    f"Izin {replacing.number} sudah dicabut atau digantikan oleh petugas lain; muat ulang halaman."
                )
            replacing.superseded_at = now
            session.flush()
        permit = Permit(
            number=draw.number,
            series=draw.series,
            year=draw.year,
            sequence_scope=draw.scope,
            seq=draw.seq,
            kind=draw.kind,
            token=draw.token,
            business_id=business.id,
            business_name=business.name,
            kelurahan_id=business.kelurahan_id,
            official_id=draw.official_id,
            issued_at=now,
            issued_on=draw.issued_on,
            valid_until=draw.valid_until,
            issued_by_id=actor.id if actor is not None else None,
        )
        permit.keep_document(stored, signer=signer.subject, demo=demo)
        session.add(permit)
        session.flush()
        documents.record_signed(
            session, stored, signer, config=config, holder_name=holder[0], holder_nik=holder[1], salt=draw.token
        )
        session.delete(reservation)
        if replacing is not None:
            replacing.superseded_by_id = permit.id
            record(
                session,
                actor,
                AuditAction.PERMIT_RENEW if draw.kind == RENEWAL else AuditAction.PERMIT_REISSUE,
                "permit",
                replacing.id,
                summary=f"{replacing.number} → {draw.number}",
                before={"status": replacing.status_on(draw.issued_on)},
                after={"superseded_by": draw.number, "kind": draw.kind},
                ip_address=ip_address,
            )
        record(
            session,
            actor,
            AuditAction.PERMIT_ISSUE,
            "permit",
            permit.id,
            summary=f"{draw.number} · {business.name}"[:255],
            after={"number": draw.number, "business_id": business.id, "kind": draw.kind, "sha256": stored.sha256},
            ip_address=ip_address,
        )
        session.commit()
        return permit
    except IntegrityError:
        session.rollback()
        raise PermitError(
            "Usaha ini sudah memiliki izin yang berlaku (diterbitkan bersamaan oleh petugas lain); muat ulang halaman."
        ) from None


def revoke_permit(
    session: Session,
    permit: Permit,
    actor: User | None,
    reason_code: str,
    *,
    note: str | None = None,
    config: dict,
    ip_address: str | None = None,
) -> Permit:
    """Revoke for a reason from the list (its label is public on verification), with an optional internal note."""
    if reason_code not in reasons.REVOCATION_REASONS:
        raise PermitError("Pilih alasan pencabutan dari daftar.")
    note = (note or "").strip() or None
    if permit.revoked_at is not None:
        raise PermitError("Izin ini sudah dicabut.")
    if permit.superseded_at is not None:
        raise PermitError("Izin ini sudah digantikan oleh izin lain; cabut izin penggantinya.")
    before = {"status": permit.status_on(local_today(config))}
    permit.revoked_at = clock.now()
    permit.revoked_by_id = actor.id if actor is not None else None
    permit.revoke_reason_code = reason_code
    permit.revoke_reason = note[:1000] if note else None
    record(
        session,
        actor,
        AuditAction.PERMIT_REVOKE,
        "permit",
        permit.id,
        summary=f"{permit.number}: {reason_code}"[:255],
        before=before,
        after={"status": "revoked", "reason": reason_code},
        ip_address=ip_address,
    )
    session.commit()
    return permit


def reissue_permit(session: Session, permit: Permit, actor: User | None, **issuing: Any) -> Permit:
    """A correction (perbaikan): the business's current data, the same validity end; the old one is superseded.
    `issuing`: issue_permit's keywords (config, municipality, instance_path, ip_address, signing_passphrase)."""
    return issue_permit(session, permit.business, actor, supersedes=permit, kind=CORRECTION, **issuing)


def renew_permit(session: Session, permit: Permit, actor: User | None, **issuing: Any) -> Permit:
    """A renewal (perpanjangan), near or after expiry: a new validity from today; the old one is superseded."""
    return issue_permit(session, permit.business, actor, supersedes=permit, kind=RENEWAL, **issuing)


def permit_pdf(permit: Permit, config: dict) -> bytes:
    """The stored certificate, byte for byte as issued."""
    return documents.load(config, **permit.document_location())


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
    return clock.utc_to_local(moment, config["TIMEZONE"]).date()


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
    record(
        session, user, AuditAction.PERMIT_DOWNLOAD, "permit", permit.id, summary=permit.number, ip_address=ip_address
    )
    session.commit()
