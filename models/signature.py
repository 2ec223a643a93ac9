"""What was signed into an issued document: the signing certificate and the holder the document names.

Keyed by the stored document's SHA-256, so that every kind of document (permit, registry copy) shares it
and verification reads it without opening the PDF. The holder's NIK is kept only as a salted SHA-256.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow

SEAL = "seal"  # an office's electronic seal (segel elektronik)
PERSONAL = "personal"  # an official's personal signing certificate
DEMO = "demo"
SIGNER_KINDS = (SEAL, PERSONAL, DEMO)


class SignedDocument(Base):
    __tablename__ = "signed_document"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    signer_kind: Mapped[str] = mapped_column(String(10))
    signer_name: Mapped[str] = mapped_column(String(200))  # the certificate subject's common name
    signer_subject: Mapped[str] = mapped_column(String(500))
    certificate_serial: Mapped[str] = mapped_column(String(64))
    certificate_not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    certificate_not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    issuer: Mapped[str] = mapped_column(String(500))
    # The RFC 3161 time stamp's time when a time-stamping authority was used (PAdES B-T).
    timestamped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    holder_name: Mapped[str | None] = mapped_column(String(200))
    holder_nik_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
