"""What every issued document keeps of its stored PDF (permits' certificates, cooperatives' deeds): one set
of columns and the behaviour that goes with them."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Boolean, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class StoredPdf(Protocol):
    """What the document pipeline (services/documents.store) returns for the bytes it kept."""

    sha256: str
    size: int
    path: str | None
    blob: bytes | None


class StoredDocumentMixin:
    """The signed PDF of an issued document, kept once: its SHA-256 (what verification looks up), size,
    and the bytes in the row or their file name under DOCUMENT_STORE; who signed it and whether with the
    demo key."""

    document_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    document_size: Mapped[int | None] = mapped_column(Integer)
    # The PDF itself when no DOCUMENT_STORE is configured, else its file name there (`document_path`).
    document_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    document_path: Mapped[str | None] = mapped_column(String(255))
    document_signer: Mapped[str | None] = mapped_column(Text)  # the signing certificate's subject
    demo_signature: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def has_document(self) -> bool:
        return self.document_sha256 is not None

    def keep_document(self, stored: StoredPdf, *, signer: str | None, demo: bool) -> None:
        """Record where the signed bytes are and what they are."""
        self.document_sha256 = stored.sha256
        self.document_size = stored.size
        self.document_path = stored.path
        self.document_pdf = stored.blob
        self.document_signer = signer
        self.demo_signature = demo

    def document_location(self) -> dict:
        """The arguments services.documents.load needs to read the bytes back (checked against the hash)."""
        return {"sha": self.document_sha256, "path": self.document_path, "blob": self.document_pdf}
