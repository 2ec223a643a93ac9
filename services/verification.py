"""Public verification across every kind of issued document (IUMK certificates, founding deeds).

One lookup — by QR token, typed number or the PDF's SHA-256 — asks each kind in turn and answers with
what anyone may know: kind, number, holder's business or cooperative name, kelurahan, status, dates,
fingerprint. Nothing personal.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.cooperative import FoundingDeed
from models.permit import REVOKED, SUPERSEDED, VALID, Permit
from services import deeds, permits, reasons

MAX_TOKEN = 64
MAX_NUMBER = 100

# Permits first: they are the documents verified most often (a bank or buyer scanning a certificate).
_KINDS = (permits, deeds)


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
    return _first(kind.find_by_sha256(session, digest) for kind in _KINDS)


def token_of(document: Permit | FoundingDeed) -> str:
    """The token of the document's public verification page."""
    return document.verification_token if isinstance(document, FoundingDeed) else document.token


def _first(candidates):
    return next((found for found in candidates if found is not None), None)


def public_facts(document: Permit | FoundingDeed, config: dict) -> dict:
    """What anyone may know about an issued document. `superseded_by_token` is for the caller to link."""
    if isinstance(document, FoundingDeed):
        return _deed_facts(document, config)
    return _permit_facts(document, config)


def _permit_facts(permit: Permit, config: dict) -> dict:
    status = permit.status_on(permits.local_today(config))
    kelurahan = permit.kelurahan
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
        "valid_until": permit.valid_until.isoformat(),
        "revoked_on": permits.local_date(permit.revoked_at, config).isoformat() if permit.revoked_at else None,
        "revoke_reason": reasons.revocation_label(permit.revoke_reason_code) if status == REVOKED else None,
        "superseded_by": permit.superseded_by.number if permit.superseded_by else None,
        "superseded_by_token": permit.superseded_by.token if permit.superseded_by else None,
        "sha256": permit.document_sha256,
        "demo_signature": permit.demo_signature,
    }


def _deed_facts(deed: FoundingDeed, config: dict) -> dict:
    kelurahan = deed.kelurahan
    successor = deed.superseded_by
    return {
        "document_type": "akta_pendirian",
        "document_kind": deeds.DOCUMENT_KIND,
        "document_title": deeds.DOCUMENT_KIND,
        "number": deed.number,
        "version": deed.version,
        "business_name": None,
        "cooperative_name": deed.cooperative_name,
        "kelurahan": kelurahan.name if kelurahan else None,
        "kecamatan": kelurahan.parent.name if kelurahan and kelurahan.parent else None,
        "status": SUPERSEDED if deed.superseded_by_id is not None else VALID,
        "issued_on": permits.local_date(deed.issued_at, config).isoformat(),
        "valid_until": None,  # a founding deed does not expire; a later version supersedes it
        "superseded_on": permits.local_date(deed.superseded_at, config).isoformat() if deed.superseded_at else None,
        "revoked_on": None,
        "revoke_reason": None,
        "superseded_by": successor.number if successor else None,
        "superseded_by_token": successor.verification_token if successor else None,
        "sha256": deed.sha256,
        "demo_signature": deed.demo_signature,
    }
