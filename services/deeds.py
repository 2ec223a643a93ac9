"""The cooperative's legal record and the Dinas' registry copy of it.

The legal record holds the notarial founding deed (notary, NPAK, number and date, two witnesses, the
founders present), the legal-entity decree, NIB and Nomor Induk Koperasi, every amendment deed, the
notaries' own signed PDFs (stored once by SHA-256) and, when it happens, the dissolution. The PDF Balai
issues is the Dinas' registry copy of that record, in the Dinas' voice and sealed by the office; it never
imitates the notary's deed. A new version is issued for a typo correction of the record (marked as a
correction, with what was corrected), after an amendment deed is recorded, or after a dissolution; a change
of the articles without an amendment deed is refused. The founding deed's number and date never change.

Rendering to PDF, signing and storing go through the shared document pipeline (services/documents.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from models.cooperative import (
    AMENDMENT,
    AMENDMENT_KINDS,
    CORRECTION,
    DISSOLUTION,
    FIRST_ISSUE,
    PRIMER,
    Cooperative,
    DeedAmendment,
    FoundingDeed,
    NotarialCopy,
)
from models.region import Region
from models.user import COOPERATIVE, User
from services import clock, documents
from services.audit import AuditAction, record
from services.cooperatives import cooperative_for_officer
from services.formatting import format_rupiah, full_address, long_date
from services.labels import COOPERATIVE_KIND_LABELS, COOPERATIVE_LEVEL_LABELS, MINISTRY_ACT_LABELS, in_indonesian
from services.locking import lock_row

DEED_TEMPLATE = "documents/deed_registry_copy.html"
MAX_NOTARY_PDF = 10 * 1024 * 1024

DOCUMENT_KIND = "Salinan Register Badan Hukum Koperasi"
# The record's fields that are the articles of association: changing one needs an amendment deed.
ARTICLE_FIELDS = {
    "name": "nama",
    "kind": "jenis",
    "level": "tingkat",
    "seat_address": "tempat kedudukan",
    "kelurahan_id": "tempat kedudukan",
    "purpose": "maksud dan tujuan",
    "duration": "jangka waktu",
    "business_fields": "bidang usaha",
    "simpanan_pokok_rupiah": "simpanan pokok",
    "simpanan_wajib_rupiah": "simpanan wajib",
}


class DeedError(ValueError):
    """A deed cannot be issued as asked; the message is for the officer."""


def tanggal(value: date | datetime | None) -> str:
    """A date as a deed writes it: 12 Maret 2021."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        zone = current_app.config["TIMEZONE"]
        value = (value.astimezone(ZoneInfo(zone)) if value.tzinfo else value).date()
    return long_date(value)


def current_deed(cooperative: Cooperative) -> FoundingDeed | None:
    return next((deed for deed in cooperative.deeds if deed.is_current), None)


def deed_number(cooperative: Cooperative, version: int, when: datetime) -> str:
    pattern = current_app.config["COOP_DEED_NUMBER_FORMAT"]
    return pattern.format(cooperative_id=cooperative.id, version=version, year=when.year)


def articles_of(cooperative: Cooperative) -> dict:
    """The articles of association as the record holds them now."""
    return {field: getattr(cooperative, field) for field in ARTICLE_FIELDS}


def changed_articles(cooperative: Cooperative, deed: FoundingDeed) -> list[str]:
    """The articles (their Indonesian names) that differ from what `deed` printed."""
    if not deed.articles_snapshot:
        return []
    printed = json.loads(deed.articles_snapshot)
    now = articles_of(cooperative)
    return sorted({ARTICLE_FIELDS[field] for field in ARTICLE_FIELDS if printed.get(field) != now[field]})


def new_deed_version(
    session: Session,
    actor: User | None,
    cooperative: Cooperative,
    now: datetime | None = None,
    ip_address: str | None = None,
    *,
    occasion: str | None = None,
    correction_note: str | None = None,
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
        occasion=occasion or (FIRST_ISSUE if previous is None else CORRECTION),
        correction_note=correction_note,
        articles_snapshot=json.dumps(articles_of(cooperative), sort_keys=True),
    )
    session.add(deed)
    session.flush()
    if previous is not None:
        previous.superseded_by_id = deed.id
        previous.superseded_at = now
    record(
        session,
        actor,
        AuditAction.DEED_ISSUE if previous is None else AuditAction.DEED_REISSUE,
        "founding_deed",
        deed.id,
        summary=f"{cooperative.name}: akta {deed.number}",
        after={
            "cooperative_id": cooperative.id,
            "version": version,
            "supersedes": previous.id if previous else None,
            "occasion": deed.occasion,
        },
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


def _deed_label(labels: dict, code: str) -> str:
    """The pages' label of `code` as the deed prints it: in Indonesian, each word capitalised."""
    return (in_indonesian(labels, code, code) or code).title()


def deed_context(
    cooperative: Cooperative,
    deed: FoundingDeed | None = None,
    qr_svg: str | None = None,
    *,
    demo: bool = False,
    preview: bool = False,
    signer: documents.SignerFacts | None = None,
) -> dict:
    """Everything the registry copy's template needs, already worded and formatted in Indonesian."""
    kelurahan = cooperative.kelurahan
    kecamatan = kelurahan.parent if kelurahan else None
    kota = kecamatan.parent if kecamatan else None
    municipality = current_app.extensions["municipality"]
    config = current_app.config
    previous = None
    if deed is not None and deed.version > 1:
        previous = next((d for d in cooperative.deeds if d.superseded_by_id == deed.id), None)
    return {
        "cooperative": cooperative,
        "deed": deed,
        "previous": previous,
        "qr_svg": qr_svg,
        "demo": demo,
        "preview": preview,
        "signer": signer,
        "government_header": config.get("CERT_HEADER_GOVERNMENT") or municipality.government_header,
        "agency_header": config.get("CERT_HEADER_AGENCY") or "DINAS KOPERASI, USAHA MIKRO, KECIL DAN MENENGAH",
        "kind_label": _deed_label(COOPERATIVE_KIND_LABELS, cooperative.kind),
        "level_label": _deed_label(COOPERATIVE_LEVEL_LABELS, cooperative.level),
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
        "founding_member_count": len(cooperative.founders),
        "board": cooperative.board,
        "supervisors": cooperative.supervisors,
        "officials_not_founders": officials_not_founders(cooperative),
        "members": cooperative.member_cooperatives,
        "amendments": list(cooperative.amendments),
        "ministry_act_labels": MINISTRY_ACT_LABELS,
        "issued_on": tanggal(deed.issued_at) if deed is not None else None,
        "tanggal": tanggal,
        "rupiah": partial(format_rupiah, missing="-"),
    }


def officials_not_founders(cooperative: Cooperative) -> list[str]:
    """The first board and supervisors who are not among the founders (a primer's must all be founders)."""
    founder_names = {_bare(f.full_name) for f in cooperative.founders}
    return [o.full_name for o in cooperative.officials if _bare(o.full_name) not in founder_names]


def _bare(name: str) -> str:
    return " ".join(name.split()).casefold()


def render_deed_html(cooperative: Cooperative, deed: FoundingDeed | None = None, qr_svg: str | None = None) -> str:
    """The deed as HTML for the PDF renderer (needs an app context for the template)."""
    return documents.render_html(DEED_TEMPLATE, **deed_context(cooperative, deed, qr_svg))


def is_up_to_date(cooperative: Cooperative) -> bool:
    """Does the current copy already say what the record says (no edit, amendment or dissolution since)?"""
    current = current_deed(cooperative)
    return current is not None and _occasion(cooperative, current) is None


def _occasion(cooperative: Cooperative, current: FoundingDeed | None) -> str | None:
    """Why a new version would be issued now, or None when the current one is up to date."""
    if current is None:
        return FIRST_ISSUE
    if cooperative.is_dissolved and current.occasion != DISSOLUTION:
        return DISSOLUTION
    if any(a.recorded_at > current.issued_at for a in cooperative.amendments):
        return AMENDMENT
    if current.record_updated_at != cooperative.updated_at:
        return CORRECTION
    return None


def missing_legal_facts(cooperative: Cooperative) -> list[str]:
    """What the record still lacks for a registry copy (Indonesian names), empty when complete."""
    required = {
        "nomor akta pendirian": cooperative.deed_number,
        "tanggal akta pendirian": cooperative.deed_date,
        "nama notaris": cooperative.notary_name,
        "SK pengangkatan notaris (NPAK)": cooperative.notary_npak_decree,
        "saksi pertama": cooperative.founding_witness_1,
        "saksi kedua": cooperative.founding_witness_2,
    }
    return [label for label, value in required.items() if not value]


def check_can_issue(cooperative: Cooperative, correction_note: str | None = None) -> str:
    """The occasion of the next version, or DeedError saying why none may be issued."""
    current = current_deed(cooperative)
    occasion = _occasion(cooperative, current)
    if occasion is None:
        raise DeedError(
            f"Salinan register versi {current.version} sudah sesuai dengan catatan koperasi terakhir. "
            "Perbaiki catatan, catat akta perubahan atau pembubaran terlebih dahulu."
        )
    missing = missing_legal_facts(cooperative)
    if missing:
        raise DeedError("Lengkapi catatan akta pendirian terlebih dahulu: " + ", ".join(missing) + ".")
    if cooperative.level == PRIMER:
        outsiders = officials_not_founders(cooperative)
        if outsiders:
            raise DeedError(
                "Pengurus dan pengawas pertama dipilih dari dan oleh para pendiri (UU 25/1992 pasal 29); "
                f"bukan pendiri: {', '.join(outsiders)}."
            )
    if occasion == CORRECTION:
        changed = changed_articles(cooperative, current)
        if changed:
            raise DeedError(
                f"Perubahan anggaran dasar ({', '.join(changed)}) memerlukan akta perubahan: catat akta perubahan "
                "dari notaris terlebih dahulu, atau kembalikan datanya bila bukan perubahan."
            )
        if not (correction_note or "").strip():
            raise DeedError("Tuliskan kesalahan tulis yang diperbaiki; perbaikan dicantumkan pada salinan baru.")
        if len(correction_note.strip()) > 500:
            raise DeedError("Keterangan perbaikan paling banyak 500 karakter.")
    return occasion


def preview_deed(cooperative: Cooperative) -> bytes:
    """An unsigned, watermarked PDF of the copy the record would give today; nothing is numbered or stored."""
    return documents.preview_pdf(DEED_TEMPLATE, deed_context(cooperative, preview=True), title="Pratinjau salinan")


def issue_deed(
    session: Session,
    cooperative: Cooperative,
    actor: User | None,
    *,
    config: dict,
    instance_path: str,
    ip_address: str | None = None,
    now: datetime | None = None,
    correction_note: str | None = None,
) -> FoundingDeed:
    """Issue the next version of the registry copy: numbered, rendered with its QR, sealed by the office, stored.

    The previous version, if any, becomes "superseded". Refused when nothing changed since the current one,
    when the record is incomplete, and when articles changed without an amendment deed. The cooperative's
    row is locked first and the checks made under the lock, so a double click or two officers at once give
    one version and a DeedError for the other, never a duplicate or a 500.
    """
    try:
        locked = lock_row(session, Cooperative, cooperative.id)
        if locked is None:
            raise DeedError("Koperasi ini tidak ditemukan.")
        cooperative = locked
        session.expire(cooperative)
        occasion = check_can_issue(cooperative, correction_note)
        key = documents.signing_key(config, instance_path)
        signer = documents.signer_facts(key)
        note = correction_note.strip() if occasion == CORRECTION else None
        deed = new_deed_version(
            session, actor, cooperative, now=now, ip_address=ip_address, occasion=occasion, correction_note=note
        )
        qr = documents.qr_code(documents.verification_url(config, deed.verification_token))
        context = deed_context(cooperative, deed, qr, demo=key.demo, signer=signer)
        stored = documents.issue_pdf(
            DEED_TEMPLATE,
            context,
            config=config,
            key=key,
            title=deed.number,
            reason=f"{DOCUMENT_KIND} {deed.number}",
            location=context["kota"],
        )
        deed.keep_document(stored, signer=signer.subject, demo=key.demo)
        documents.record_signed(session, stored, signer, config=config)
        session.commit()
        return deed
    except IntegrityError:
        session.rollback()
        raise DeedError("Akta koperasi ini baru saja diterbitkan oleh petugas lain; muat ulang halaman.") from None
    except documents.DocumentError as exc:
        session.rollback()
        raise DeedError(
            "Salinan tidak dapat ditandatangani; tidak ada yang diterbitkan. Hubungi administrator."
        ) from exc
    except BaseException:
        session.rollback()
        raise


# --- The legal record: founding facts, amendment deeds, notaries' PDFs, dissolution ---------------------


@dataclass
class AmendmentInput:
    number: str
    deed_date: date | None
    notary_name: str
    ministry_act: str
    ministry_number: str
    ministry_date: date | None
    changes: str


def _text(value: str | None, label: str, limit: int, errors: list[str], *, required: bool = True) -> str | None:
    value = " ".join((value or "").split()) if limit <= 200 else (value or "").strip()
    if not value:
        if required:
            errors.append(f"{label} wajib diisi.")
        return None
    if len(value) > limit:
        errors.append(f"{label} paling banyak {limit} karakter.")
    return value


def update_founding_record(
    session: Session,
    cooperative: Cooperative,
    actor: User | None,
    *,
    witness_1: str,
    witness_2: str,
    ministry: str | None,
    ip_address: str | None = None,
) -> None:
    """Record the founding deed's two witnesses and the ministry that granted legal-entity status."""
    errors: list[str] = []
    first = _text(witness_1, "Saksi pertama", 150, errors)
    second = _text(witness_2, "Saksi kedua", 150, errors)
    issuer = _text(ministry, "Kementerian penerbit keputusan badan hukum", 200, errors, required=False)
    if first and second and first.casefold() == second.casefold():
        errors.append("Saksi pertama dan kedua harus dua orang yang berbeda.")
    if errors:
        raise DeedError(" ".join(errors))
    before = {"witnesses": [cooperative.founding_witness_1, cooperative.founding_witness_2]}
    cooperative.founding_witness_1, cooperative.founding_witness_2 = first, second
    cooperative.legal_entity_ministry = issuer
    record(
        session,
        actor,
        AuditAction.COOPERATIVE_UPDATE_LEGAL_RECORD,
        "cooperative",
        cooperative.id,
        summary=f"{cooperative.name}: saksi akta pendirian",
        before=before,
        after={"witnesses": [first, second], "ministry": issuer},
        ip_address=ip_address,
    )
    session.commit()


def store_notary_pdf(session: Session, actor: User | None, data: bytes, config: dict) -> NotarialCopy:
    """Keep a notary's signed PDF once (by SHA-256); the same file uploaded twice is one copy."""
    if not data or not data.startswith(b"%PDF-") or len(data) > MAX_NOTARY_PDF:
        raise DeedError("Berkas akta notaris harus PDF dan paling besar 10 MB.")
    digest = documents.sha256(data)
    existing = session.scalar(select(NotarialCopy).where(NotarialCopy.sha256 == digest))
    if existing is not None:
        return existing
    stored = documents.store(data, config)
    copy = NotarialCopy(
        sha256=stored.sha256,
        size_bytes=stored.size,
        storage_key=stored.path,
        document_pdf=stored.blob,
        uploaded_by_id=actor.id if actor is not None else None,
    )
    session.add(copy)
    session.flush()
    return copy


def attach_founding_deed_pdf(
    session: Session, cooperative: Cooperative, actor: User | None, data: bytes, *, config: dict, ip_address=None
) -> NotarialCopy:
    """Attach the notary's own signed PDF of the founding deed to the record."""
    try:
        copy = store_notary_pdf(session, actor, data, config)
        cooperative.founding_deed_copy_id = copy.id
        record(
            session,
            actor,
            AuditAction.COOPERATIVE_ATTACH_NOTARIAL_COPY,
            "cooperative",
            cooperative.id,
            summary=f"{cooperative.name}: akta pendirian dari notaris",
            after={"sha256": copy.sha256},
            ip_address=ip_address,
        )
        session.commit()
        return copy
    except BaseException:
        session.rollback()
        raise


def record_amendment(
    session: Session,
    cooperative: Cooperative,
    actor: User | None,
    data: AmendmentInput,
    *,
    config: dict,
    notary_pdf: bytes | None = None,
    ip_address: str | None = None,
) -> DeedAmendment:
    """Record an amendment deed (akta perubahan anggaran dasar). The founding deed is left as it was."""
    errors: list[str] = []
    number = _text(data.number, "Nomor akta perubahan", 100, errors)
    notary = _text(data.notary_name, "Nama notaris", 150, errors)
    ministry_number = _text(data.ministry_number, "Nomor persetujuan atau pemberitahuan", 150, errors)
    changes = _text(data.changes, "Yang diubah", 5000, errors)
    if data.ministry_act not in AMENDMENT_KINDS:
        errors.append("Pilih persetujuan atau pemberitahuan.")
    if data.deed_date is None:
        errors.append("Tanggal akta perubahan wajib diisi.")
    elif data.deed_date > clock.today():
        errors.append("Tanggal akta perubahan tidak boleh di masa depan.")
    elif cooperative.deed_date and data.deed_date < cooperative.deed_date:
        errors.append("Akta perubahan tidak mungkin lebih awal dari akta pendirian.")
    if data.ministry_date and data.deed_date and data.ministry_date < data.deed_date:
        errors.append("Tanggal persetujuan atau pemberitahuan tidak mungkin sebelum tanggal akta perubahan.")
    if cooperative.is_dissolved:
        errors.append("Koperasi ini sudah dibubarkan; akta perubahan tidak dapat dicatat.")
    if (
        number
        and cooperative.deed_number
        and number.casefold() == cooperative.deed_number.casefold()
        and (data.deed_date == cooperative.deed_date)
    ):
        errors.append("Nomor dan tanggal ini adalah akta pendirian, bukan akta perubahan.")
    if number and any(
        a.number.casefold() == number.casefold() and a.deed_date == data.deed_date for a in cooperative.amendments
    ):
        errors.append(f"Akta perubahan nomor {number} tanggal itu sudah tercatat.")
    if errors:
        raise DeedError(" ".join(errors))
    try:
        copy = store_notary_pdf(session, actor, notary_pdf, config) if notary_pdf else None
        amendment = DeedAmendment(
            cooperative=cooperative,
            number=number,
            deed_date=data.deed_date,
            notary_name=notary,
            ministry_act=data.ministry_act,
            ministry_number=ministry_number,
            ministry_date=data.ministry_date,
            changes=changes,
            notary_copy_id=copy.id if copy else None,
            recorded_at=clock.now(),
            recorded_by_id=actor.id if actor is not None else None,
        )
        session.add(amendment)
        session.flush()
        record(
            session,
            actor,
            AuditAction.COOPERATIVE_RECORD_AMENDMENT,
            "cooperative",
            cooperative.id,
            summary=f"{cooperative.name}: akta perubahan {number}"[:255],
            after={"amendment_id": amendment.id, "number": number, "deed_date": data.deed_date.isoformat()},
            ip_address=ip_address,
        )
        session.commit()
        return amendment
    except BaseException:
        session.rollback()
        raise


def dissolve(
    session: Session,
    cooperative: Cooperative,
    actor: User | None,
    *,
    decree: str,
    dissolved_on: date | None,
    ip_address: str | None = None,
) -> None:
    """Record the dissolution (decree and date): every registry copy of the cooperative then verifies as such."""
    errors: list[str] = []
    decree = _text(decree, "Dasar pembubaran (keputusan rapat anggota atau pemerintah)", 200, errors)
    if dissolved_on is None:
        errors.append("Tanggal pembubaran wajib diisi.")
    elif dissolved_on > clock.today():
        errors.append("Tanggal pembubaran tidak boleh di masa depan.")
    elif cooperative.deed_date and dissolved_on < cooperative.deed_date:
        errors.append("Tanggal pembubaran tidak mungkin sebelum akta pendirian.")
    if cooperative.is_dissolved:
        errors.append("Koperasi ini sudah tercatat dibubarkan.")
    if errors:
        raise DeedError(" ".join(errors))
    cooperative.dissolved_on = dissolved_on
    cooperative.dissolution_decree = decree
    record(
        session,
        actor,
        AuditAction.COOPERATIVE_DISSOLVE,
        "cooperative",
        cooperative.id,
        summary=f"{cooperative.name}: dibubarkan {dissolved_on.isoformat()}",
        after={"decree": decree, "dissolved_on": dissolved_on.isoformat()},
        ip_address=ip_address,
    )
    session.commit()


def notary_copy_for_user(session: Session, user: User, copy_id: int) -> NotarialCopy | None:
    """A notary's PDF if it belongs to a cooperative `user` may see (its own, or an officer's scope)."""
    copy = session.get(NotarialCopy, copy_id)
    if copy is None:
        return None
    owners = set(session.scalars(select(Cooperative.id).where(Cooperative.founding_deed_copy_id == copy_id)))
    owners |= set(session.scalars(select(DeedAmendment.cooperative_id).where(DeedAmendment.notary_copy_id == copy_id)))
    if user.role == COOPERATIVE:
        return copy if user.cooperative_id in owners else None
    allowed = any(cooperative_for_officer(session, user, owner) is not None for owner in owners)
    return copy if allowed else None


def notary_copy_pdf(copy: NotarialCopy, config: dict) -> bytes:
    return documents.load(config, sha=copy.sha256, path=copy.storage_key, blob=copy.document_pdf)


def record_notary_download(session: Session, user: User, copy: NotarialCopy, ip_address: str | None = None) -> None:
    record(
        session,
        user,
        AuditAction.NOTARIAL_COPY_DOWNLOAD,
        "notarial_copy",
        copy.id,
        summary=copy.sha256[:16],
        ip_address=ip_address,
    )
    session.commit()


def deed_pdf(deed: FoundingDeed, config: dict) -> bytes:
    """The stored deed, byte for byte as issued (DocumentError if it was never stored or is damaged)."""
    if not deed.has_document:
        raise documents.DocumentError("this deed version has no stored document")
    return documents.load(config, **deed.document_location())


def download_name(deed: FoundingDeed) -> str:
    return "salinan-register-" + deed.number.replace("/", "-") + ".pdf"


def record_download(session: Session, user: User, deed: FoundingDeed, ip_address: str | None = None) -> None:
    """Every copy download is in the audit log (the copy carries founders' NIK)."""
    record(
        session,
        user,
        AuditAction.DEED_DOWNLOAD,
        "founding_deed",
        deed.id,
        summary=f"{deed.number} · {deed.cooperative_name or ''}"[:255],
        ip_address=ip_address,
    )
    session.commit()


# --- Public verification (services/verification.py asks these) ----------------------------------------


def _with_public_facts(query):
    return query.options(
        joinedload(FoundingDeed.kelurahan).joinedload(Region.parent),
        joinedload(FoundingDeed.superseded_by),
        joinedload(FoundingDeed.cooperative),
    )


def find_by_token(session: Session, token: str) -> FoundingDeed | None:
    return session.scalar(_BY_TOKEN, {"token": token})


_BY_TOKEN = _with_public_facts(select(FoundingDeed).where(FoundingDeed.verification_token == bindparam("token")))


def find_by_number(session: Session, number: str) -> FoundingDeed | None:
    query = select(FoundingDeed).where(func.upper(FoundingDeed.number) == number.upper())
    return session.scalar(_with_public_facts(query).limit(1))


def find_by_sha256(session: Session, digest: str) -> FoundingDeed | None:
    return session.scalar(
        _with_public_facts(select(FoundingDeed).where(FoundingDeed.document_sha256 == digest)).limit(1)
    )
