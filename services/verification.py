"""Public verification across every kind of issued document (IUMK certificates, registry copies of deeds).

One lookup — by QR token, typed number or the PDF's SHA-256 — asks each kind in turn and answers with
what anyone may know: kind, number, holder's business or cooperative name, kelurahan, status, dates as
printed, fingerprint, the signing certificate; the holder's name only masked. A verifier holding the
holder's KTP may ask whether its NIK is the one the document names: the answer is only "cocok" or
"tidak cocok" (salted hashes compared; rate limited and audited by the caller).

An uploaded PDF is checked against the stored original: the same bytes are "asli, utuh"; a file whose
signed revision is byte for byte ours but has something appended is "asli; ada perubahan setelah
ditandatangani"; anything else is "bukan dokumen kami".
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models.cooperative import FoundingDeed
from models.permit import REVOKED, SUPERSEDED, VALID, Permit
from models.signature import SignedDocument
from services import clock, deeds, documents, permits, reasons
from services.audit import AuditAction, record
from services.labels import mask_name

MAX_TOKEN = 64
MAX_NUMBER = 100
DISSOLVED = "dissolved"

# Permits first: they are the documents verified most often (a bank or buyer scanning a certificate).
_KINDS = (permits, deeds)

# What an upload check can say.
INTACT = "intact"  # asli, utuh
CHANGED = "changed"  # asli; ada perubahan setelah ditandatangani
FOREIGN = "foreign"  # bukan dokumen kami

MATCH = "cocok"
NO_MATCH = "tidak cocok"


def find_by_token(session: Session, token: str) -> Permit | FoundingDeed | None:
    """The document a QR code points to (tokens are random and unique across kinds)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return _first(kind.find_by_token(session, token) for kind in _KINDS)


def find_by_number(session: Session, number: str) -> Permit | FoundingDeed | None:
    """The document with the number printed on it, whatever its kind (case and spacing ignored)."""
    number = " ".join((number or "").split())
    if not number or len(number) > MAX_NUMBER:
        return None
    return _first(kind.find_by_number(session, number) for kind in _KINDS)


def find_by_sha256(session: Session, digest: str) -> Permit | FoundingDeed | None:
    """The document whose stored bytes have this SHA-256."""
    digest = (digest or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        return None
    return _first(kind.find_by_sha256(session, digest) for kind in _KINDS)


def token_of(document: Permit | FoundingDeed) -> str:
    """The token of the document's public verification page."""
    return document.verification_token if isinstance(document, FoundingDeed) else document.token


def sha256_of(document: Permit | FoundingDeed) -> str | None:
    return document.document_sha256


def _first(candidates):
    return next((found for found in candidates if found is not None), None)


def printed(day) -> str | None:
    """A date as the documents print it: 30 November 2026."""
    return deeds.tanggal(day) if day is not None else None


def public_facts(session: Session, document: Permit | FoundingDeed, config: dict) -> dict:
    """What anyone may know about an issued document. `superseded_by_token` is for the caller to link."""
    facts = _deed_facts(document, config) if isinstance(document, FoundingDeed) else _permit_facts(document, config)
    signed = session.get(SignedDocument, facts["sha256"]) if facts["sha256"] else None
    facts["signer"] = _signer_facts(signed)
    facts["holder_name_masked"] = (mask_name(signed.holder_name) or None) if signed else None
    facts["holder_check_available"] = bool(signed and signed.holder_nik_sha256)
    return facts


def _signer_facts(signed: SignedDocument | None) -> dict | None:
    if signed is None:
        return None
    return {
        "kind": signed.signer_kind,
        "name": signed.signer_name,
        "subject": signed.signer_subject,
        "issuer": signed.issuer,
        "serial": signed.certificate_serial,
        "valid_from": signed.certificate_not_before.date().isoformat(),
        "valid_until": signed.certificate_not_after.date().isoformat(),
        "valid_from_text": printed(signed.certificate_not_before),
        "valid_until_text": printed(signed.certificate_not_after),
        "timestamped_at": signed.timestamped_at.isoformat() if signed.timestamped_at else None,
    }


def _permit_facts(permit: Permit, config: dict) -> dict:
    status = permit.status_on(permits.local_today(config))
    kelurahan = permit.kelurahan
    revoked_on = permits.local_date(permit.revoked_at, config) if permit.revoked_at else None
    return {
        "document_type": "iumk",
        "document_kind": "IUMK",
        "document_title": "Surat Izin Usaha Mikro dan Kecil",
        "number": permit.number,
        "business_name": permit.business_name,
        "cooperative_name": None,
        "kelurahan": kelurahan.name,
        "kecamatan": kelurahan.parent.name if kelurahan.parent else None,
        "status": status,
        "issued_on": permit.issued_on.isoformat(),
        "issued_on_text": printed(permit.issued_on),
        "valid_until": permit.valid_until.isoformat(),
        "valid_until_text": printed(permit.valid_until),
        "revoked_on": revoked_on.isoformat() if revoked_on else None,
        "revoked_on_text": printed(revoked_on),
        "revoke_reason": reasons.revocation_label(permit.revoke_reason_code) if status == REVOKED else None,
        "superseded_by": permit.superseded_by.number if permit.superseded_by else None,
        "superseded_by_token": permit.superseded_by.token if permit.superseded_by else None,
        "sha256": permit.document_sha256,
        "demo_signature": permit.demo_signature,
    }


def _deed_facts(deed: FoundingDeed, config: dict) -> dict:
    kelurahan = deed.kelurahan
    successor = deed.superseded_by
    cooperative = deed.cooperative
    issued_on = permits.local_date(deed.issued_at, config)
    superseded_on = permits.local_date(deed.superseded_at, config) if deed.superseded_at else None
    status = VALID
    if cooperative.is_dissolved:
        status = DISSOLVED
    elif not deed.is_current:
        status = SUPERSEDED
    return {
        "document_type": "akta_pendirian",
        "document_kind": deeds.DOCUMENT_KIND,
        "document_title": deeds.DOCUMENT_KIND,
        "number": deed.number,
        "version": deed.version,
        "correction": deed.occasion == "correction",
        "business_name": None,
        "cooperative_name": deed.cooperative_name,
        "kelurahan": kelurahan.name if kelurahan else None,
        "kecamatan": kelurahan.parent.name if kelurahan and kelurahan.parent else None,
        "status": status,
        "issued_on": issued_on.isoformat(),
        "issued_on_text": printed(issued_on),
        "valid_until": None,  # a registry copy does not expire; a later version supersedes it
        "valid_until_text": None,
        "superseded_on": superseded_on.isoformat() if superseded_on else None,
        "superseded_on_text": printed(superseded_on),
        "dissolved_on": cooperative.dissolved_on.isoformat() if cooperative.is_dissolved else None,
        "dissolved_on_text": printed(cooperative.dissolved_on),
        "dissolution_decree": cooperative.dissolution_decree if cooperative.is_dissolved else None,
        "revoked_on": None,
        "revoked_on_text": None,
        "revoke_reason": None,
        "superseded_by": successor.number if successor else None,
        "superseded_by_token": successor.verification_token if successor else None,
        "sha256": deed.document_sha256,
        "demo_signature": deed.demo_signature,
    }


def checked_at_text(config: dict, moment: datetime | None = None) -> str:
    """When the check was made, in local time as people read it: 30 November 2026 14.05 WIB."""
    zone = config.get("TIMEZONE", "Asia/Jakarta")
    local = clock.utc_to_local(moment or clock.now(), zone)
    return f"{printed(local.date())} {local:%H.%M} {clock.zone_label(zone)}"


# --- The holder check: does the NIK on the KTP in front of the verifier match the document? -------------


def holder_matches(
    session: Session, document: Permit | FoundingDeed, nik: str, *, ip_address: str | None = None
) -> str | None:
    """ "cocok" or "tidak cocok"; None when the document names no person (a cooperative's copy) or the
    NIK is not 16 digits. Every answer is in the audit log, without the NIK."""
    digits = "".join(ch for ch in (nik or "") if ch.isdigit())
    if len(digits) != 16 or len(digits) != len((nik or "").strip().replace(" ", "")):
        return None
    sha = sha256_of(document)
    signed = session.get(SignedDocument, sha) if sha else None
    if signed is None or not signed.holder_nik_sha256:
        return None
    typed = documents.nik_digest(token_of(document), digits)
    answer = MATCH if hmac.compare_digest(typed, signed.holder_nik_sha256) else NO_MATCH
    is_permit = isinstance(document, Permit)
    record(
        session,
        None,
        AuditAction.PERMIT_HOLDER_CHECK if is_permit else AuditAction.DEED_HOLDER_CHECK,
        "permit" if is_permit else "founding_deed",
        document.id,
        summary=f"{document.number}: {answer}",
        ip_address=ip_address,
    )
    session.commit()
    return answer


# --- Checking an uploaded PDF against the stored original ------------------------------------------------


@dataclass(frozen=True)
class FileCheck:
    verdict: str  # intact | changed | foreign
    document: Permit | FoundingDeed | None
    sha256: str

    @property
    def genuine(self) -> bool:
        return self.verdict in (INTACT, CHANGED)


_REASON = re.compile(rb"/Reason\s*\(((?:[^()\\]|\\[0-7]{1,3}|\\.){1,300})\)")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)")


def _literal(raw: bytes) -> str:
    """A PDF literal string's text (octal and backslash escapes undone)."""
    return _ESCAPE.sub(lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1], raw).decode("latin-1")


def check_file(session: Session, data: bytes, config: dict) -> FileCheck:
    """Is `data` one of our documents: exactly, with changes after signing, or not at all?"""
    digest = documents.sha256(data)
    document = find_by_sha256(session, digest)
    if document is not None:
        return FileCheck(INTACT, document, digest)
    document = _document_named_in_signature(session, data)
    if document is None:
        return FileCheck(FOREIGN, None, digest)
    try:
        stored = _stored_bytes(document, config)
    except documents.DocumentError:
        return FileCheck(FOREIGN, None, digest)
    end = documents.check_signature(stored).signed_revision_end
    if end is None or data[:end] != stored[:end]:
        return FileCheck(FOREIGN, None, digest)
    # The signed revision is byte for byte ours. Only dropped validation data → still intact.
    return FileCheck(INTACT if stored.startswith(data) else CHANGED, document, digest)


def _document_named_in_signature(session: Session, data: bytes) -> Permit | FoundingDeed | None:
    """The document whose number our signature's /Reason names ("Izin Usaha Mikro dan Kecil 00001/…")."""
    reasons = [documents.check_signature(data).reason]
    reasons += [_literal(match) for match in _REASON.findall(data)[:5]]
    for reason in reasons:
        if reason and " " in reason:
            document = find_by_number(session, reason.rsplit(" ", 1)[1])
            if document is not None:
                return document
    return None


def _stored_bytes(document: Permit | FoundingDeed, config: dict) -> bytes:
    if isinstance(document, FoundingDeed):
        return deeds.deed_pdf(document, config)
    return permits.permit_pdf(document, config)
