"""The one PDF pipeline: HTML template → WeasyPrint (PDF/A-3b, shipped fonts) → PAdES signature → stored once.

IUMK certificates (services/permits.py) and cooperative founding deeds (services/deeds.py) both go through
`issue_pdf` (and `preview_pdf` for the unsigned preview); `load` serves the stored bytes. Nothing here reads
a request: callers pass the configuration and the context, inside an app context (for the Jinja environment).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import segno
from flask import current_app
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from config import BASE_DIR
from services import clock

FONTS_DIR = BASE_DIR / "static" / "fonts"
# The only resources a document may load: the fonts we ship, under a scheme of our own.
FONT_SCHEME = "balai-font:"
_FONT_FILES = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"}
DEMO_SIGNER_NAME = "Balai DEMO - bukan tanda tangan resmi"


class DocumentError(RuntimeError):
    """A document could not be rendered, signed or read; the message is for the officer."""


class RefusedURL(ValueError):
    """A document tried to load something other than a shipped font."""


class SafeURLFetcher(URLFetcher):
    """Serves the shipped fonts and refuses everything else: no file://, no network, no data: from user text.

    The refused URLs are kept in `refused` so that a test (or a log line) can say what was tried.
    """

    def __init__(self):
        super().__init__(fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(FONT_SCHEME):
            name = url[len(FONT_SCHEME) :]
            if name in _FONT_FILES:
                return URLFetcherResponse(url, _font_bytes(name), {"Content-Type": "font/ttf"})
        self.refused.append(url)
        raise RefusedURL(f"documents may not load {url[:80]!r}")


_font_cache: dict[str, bytes] = {}


def _font_bytes(name: str) -> bytes:
    if name not in _font_cache:
        _font_cache[name] = (FONTS_DIR / name).read_bytes()
    return _font_cache[name]


def qr_svg(url: str) -> Markup:
    """A QR code for `url` as inline SVG (vector, no file, no fetch)."""
    qr = segno.make(url, error="m", micro=False)
    return Markup(qr.svg_inline(scale=2.2, border=2, dark="#000", light=None))  # noqa: S704 - segno's own SVG


def verification_url(config: dict, token: str) -> str:
    """The public page a document's QR code points to (the same page for every kind of document)."""
    return f"{config.get('PUBLIC_BASE_URL', 'http://127.0.0.1:5000').rstrip('/')}/verify/{token}"


def render_html(template: str, **context) -> str:
    """The document's HTML from a template under templates/documents/ (autoescaped: user text stays text)."""
    # The bare Jinja environment: no request context processors, so the CLI and threads can render too.
    return current_app.jinja_env.get_template(template).render(font_scheme=FONT_SCHEME, **context)


def html_to_pdf(html: str, *, title: str, fetcher: SafeURLFetcher | None = None) -> bytes:
    """WeasyPrint → PDF/A-3b bytes, loading nothing but the shipped fonts."""
    fetcher = fetcher or SafeURLFetcher()
    document = HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/a-3b")


@dataclass(frozen=True)
class SigningKey:
    key_path: Path
    cert_path: Path
    passphrase: bytes | None
    demo: bool


_signer_cache: dict[tuple, object] = {}
_signer_lock = threading.Lock()


def signing_key(config: dict, instance_path: str | os.PathLike) -> SigningKey:
    """The issuing office's key from configuration, else the local demo key (created on first use)."""
    if config.get("SIGNING_KEY_PATH") and config.get("SIGNING_CERT_PATH"):
        passphrase = config.get("SIGNING_KEY_PASSPHRASE")
        return SigningKey(
            Path(config["SIGNING_KEY_PATH"]),
            Path(config["SIGNING_CERT_PATH"]),
            passphrase.encode() if passphrase else None,
            demo=False,
        )
    key_path, cert_path = ensure_demo_key(Path(config.get("SIGNING_DEMO_DIR") or Path(instance_path) / "signing"))
    return SigningKey(key_path, cert_path, None, demo=True)


def ensure_demo_key(directory: Path) -> tuple[Path, Path]:
    """Create a self-signed demo key and certificate in `directory` if missing. Returns their paths."""
    key_path, cert_path = directory / "demo-signing-key.pem", directory / "demo-signing-cert.pem"
    with _signer_lock:
        if key_path.exists() and cert_path.exists():
            return key_path, cert_path
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DEMO_SIGNER_NAME)])
        now = clock.wall_now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, True, False, False, False),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        _write_private(
            key_path,
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
        _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        return key_path, cert_path


def _write_private(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _signer(key: SigningKey):
    from pyhanko.sign import signers

    cache_key = (str(key.key_path), str(key.cert_path), key.key_path.stat().st_mtime)
    with _signer_lock:
        if cache_key not in _signer_cache:
            try:
                _signer_cache[cache_key] = signers.SimpleSigner.load(
                    str(key.key_path), str(key.cert_path), key_passphrase=key.passphrase
                )
            except Exception as exc:
                raise DocumentError(f"signing key cannot be loaded ({type(exc).__name__})") from exc
            if _signer_cache[cache_key] is None:
                raise DocumentError("signing key or certificate cannot be read")
        return _signer_cache[cache_key]


def sign_pdf(pdf: bytes, key: SigningKey, *, reason: str, location: str) -> bytes:
    """Add a PAdES signature (incremental update, so the PDF/A body stays as rendered)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(
        field_name="TandaTanganElektronik",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    return _run(signers.async_sign_pdf(writer, metadata, signer=_signer(key))).getvalue()


def _run(coroutine):
    """Run one of pyHanko's coroutines to the end, even from a thread whose event loop is running."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def signer_name(key: SigningKey) -> str:
    """The subject of the signing certificate, as a verifier's PDF reader shows it."""
    from cryptography import x509

    data = key.cert_path.read_bytes()
    cert = x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    return cert.subject.rfc4514_string()


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool
    intact: bool
    trusted: bool
    signer: str | None

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted


def check_signature(pdf: bytes, cert_path: Path) -> SignatureCheck:
    """Is `pdf` signed, unchanged since signing, and signed by the certificate at `cert_path`?"""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        return SignatureCheck(False, False, False, None)
    if not signatures:
        return SignatureCheck(False, False, False, None)
    root = load_cert_from_pemder(str(cert_path))
    try:
        status = _run(async_validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[root])))
    except Exception:
        return SignatureCheck(True, False, False, None)
    covers_all = signatures[0].signed_revision == reader.xrefs.total_revisions - 1
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
    return SignatureCheck(True, bool(status.intact and status.valid and covers_all), bool(status.trusted), signer)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    size: int
    path: str | None  # file name under DOCUMENT_STORE, or None when the bytes live in the database
    blob: bytes | None


def store(pdf: bytes, config: dict) -> StoredDocument:
    """Keep the bytes once: under DOCUMENT_STORE (shared by every app server) or in the database row."""
    digest = sha256(pdf)
    directory = config.get("DOCUMENT_STORE")
    if not directory:
        return StoredDocument(digest, len(pdf), None, pdf)
    name = f"{digest[:2]}/{digest}.pdf"
    target = Path(directory) / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
        os.replace(tmp, target)
    return StoredDocument(digest, len(pdf), name, None)


def load(config: dict, *, sha: str, path: str | None, blob: bytes | None) -> bytes:
    """The stored bytes, checked against their SHA-256 (a damaged copy is an error, never served)."""
    if path:
        directory = config.get("DOCUMENT_STORE")
        if not directory:
            raise DocumentError("DOCUMENT_STORE is not configured but the document is stored there")
        data = (Path(directory) / path).read_bytes()
    elif blob is not None:
        data = blob
    else:
        raise DocumentError("no stored document")
    if sha256(data) != sha:
        raise DocumentError("stored document does not match its SHA-256")
    return data


def preview_pdf(template: str, context: dict, *, title: str) -> bytes:
    """An unsigned PDF of a document's template, for the officer to look at before issuing; never stored."""
    return html_to_pdf(render_html(template, **context), title=title)


def issue_pdf(
    template: str, context: dict, *, config: dict, key: SigningKey, title: str, reason: str, location: str
) -> StoredDocument:
    """Render `template` to PDF/A-3b, sign it with `key` and store the signed bytes once: a StoredDocument."""
    pdf = html_to_pdf(render_html(template, **context), title=title)
    return store(sign_pdf(pdf, key, reason=reason, location=location), config)
