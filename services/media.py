"""The media library: images and PDFs checked by their content, stored under random names."""

from __future__ import annotations

import hashlib
import io
import secrets
import warnings
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.content import IMAGE, PDF, MediaFile, NewsPost
from models.user import User
from services import audit
from services.transactions import owns_transaction

# Pillow's format name -> (MIME type, extension). SVG and anything else are refused.
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 40_000_000


class MediaError(ValueError):
    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def _sniff_image(data: bytes) -> tuple[str, str, int, int] | None:
    """(mime, extension, width, height) when the bytes are a real JPEG/PNG/WebP image, else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                width, height = probe.size
                probe.verify()
    except Exception:
        return None
    if kind not in IMAGE_FORMATS or width * height > MAX_PIXELS:
        return None
    mime, extension = IMAGE_FORMATS[kind]
    return mime, extension, width, height


def _without_metadata(data: bytes) -> tuple[bytes, tuple[int, int]]:
    """The image re-encoded from its pixels alone: EXIF (GPS position, camera, owner), XMP and text chunks
    are dropped, the EXIF orientation is applied first so the picture still stands upright."""
    with Image.open(io.BytesIO(data)) as original:
        kind = original.format
        icc_profile = original.info.get("icc_profile")
        upright = ImageOps.exif_transpose(original)
        options = {"icc_profile": icc_profile} if icc_profile else {}
        if kind == "JPEG":
            options.update(quality=90, optimize=True)
        elif kind == "WEBP":
            options.update(quality=90)
        buffer = io.BytesIO()
        upright.save(buffer, format=kind, **options)
        return buffer.getvalue(), upright.size


def _is_pdf(data: bytes) -> bool:
    return data[:5] == b"%PDF-" and b"%%EOF" in data[-1024:]


@owns_transaction
def store_upload(
    session: Session,
    media_dir: str,
    data: bytes,
    original_name: str,
    alt_text: str | None,
    author: User | None,
    max_bytes: int,
) -> MediaFile:
    """Check `data` by content (never by name), store it under a random name and record it."""
    if not data:
        raise MediaError("file", _l("Pilih berkas yang akan diunggah."))
    if len(data) > max_bytes:
        raise MediaError(
            "file",
            _l("Berkas terlalu besar: maksimal %(mb)s MB per berkas.", mb=f"{max_bytes / 1024 / 1024:.0f}"),
        )
    image = _sniff_image(data)
    if image is not None:
        mime, extension, width, height = image
        kind = IMAGE
        data, (width, height) = _without_metadata(data)
        alt_text = (alt_text or "").strip()
        if not alt_text:
            raise MediaError("alt_text", _l("Teks alternatif wajib diisi untuk gambar: jelaskan isi gambar."))
    elif _is_pdf(data):
        mime, extension, width, height, kind = "application/pdf", "pdf", None, None, PDF
        alt_text = (alt_text or "").strip() or None
    else:
        raise MediaError("file", _l("Jenis berkas tidak didukung: unggah gambar JPEG, PNG, WebP, atau dokumen PDF."))
    stored_name = f"{secrets.token_urlsafe(18)}.{extension}"
    directory = Path(media_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored_name).write_bytes(data)
    media = MediaFile(
        kind=kind,
        stored_name=stored_name,
        original_name=Path(original_name or "berkas").name[:255],
        content_type=mime,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        alt_text=alt_text,
        width=width,
        height=height,
        uploaded_by_id=author.id if author is not None else None,
    )
    session.add(media)
    session.flush()
    audit.record(session, author, audit.AuditAction.MEDIA_UPLOAD, "media", media.id, summary=media.original_name)
    session.commit()
    return media


def get_file(session: Session, media_id: int) -> MediaFile | None:
    return session.get(MediaFile, media_id)


def find_by_name(session: Session, stored_name: str) -> MediaFile | None:
    return session.scalar(select(MediaFile).where(MediaFile.stored_name == stored_name))


def file_path(media_dir: str, media: MediaFile) -> Path:
    return Path(media_dir) / media.stored_name


def library(session: Session) -> list[MediaFile]:
    """Every upload, newest first."""
    return list(session.scalars(select(MediaFile).order_by(MediaFile.id.desc())))


def images(session: Session) -> list[MediaFile]:
    return list(session.scalars(select(MediaFile).where(MediaFile.kind == IMAGE).order_by(MediaFile.id.desc())))


def remove(session: Session, media_dir: str, media: MediaFile, author: User | None) -> None:
    """Delete an upload; news posts using it as their picture lose the picture."""
    for post in session.scalars(select(NewsPost).where(NewsPost.image_id == media.id)):
        post.image_id = None
    path = file_path(media_dir, media)
    audit.record(session, author, audit.AuditAction.MEDIA_DELETE, "media", media.id, summary=media.original_name)
    session.delete(media)
    session.commit()
    path.unlink(missing_ok=True)


def markdown_snippet(media: MediaFile) -> str:
    """What an editor pastes into a body to show the file."""
    url = f"/media/{media.stored_name}"
    if media.kind == IMAGE:
        return f"![{media.alt_text}]({url})"
    return f"[{media.original_name}]({url})"
