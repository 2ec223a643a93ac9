"""The one PDF pipeline: HTML template → WeasyPrint (PDF/A-3b, shipped fonts) → PAdES signature → stored once.

IUMK certificates (services/permits.py) and cooperative founding deeds (services/deeds.py) both go through
`issue_pdf` (and `preview_pdf` for the unsigned preview); `load` serves the stored bytes. Nothing here reads
a request: callers pass the configuration and the context, inside an app context (for the Jinja environment).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
import multiprocessing
import os
import re
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import segno
from flask import current_app, has_app_context
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
log = logging.getLogger(__name__)


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


# A document's QR code is drawn where it is rendered (the render process), not in the request: choosing the
# code's mask is ~12 ms of pure Python that would hold the web worker's GIL. The template gets this slot.
_QR_SLOT = re.compile(r"<!--balai-qr ([^\s<>\"]+)-->")


def qr_code(url: str) -> Markup:
    """The slot for `url`'s QR code in a document's HTML; drawn (qr_svg) when the document is rendered."""
    if not _QR_SLOT.fullmatch(f"<!--balai-qr {url}-->"):
        raise DocumentError(f"not a verification URL: {url[:80]!r}")
    return Markup(f"<!--balai-qr {url}-->")  # noqa: S704 - checked against the slot's pattern above


def _draw_qr_codes(html: str) -> str:
    return _QR_SLOT.sub(lambda match: qr_svg(match.group(1)), html)


def verification_url(config: dict, token: str) -> str:
    """The public page a document's QR code points to (the same page for every kind of document)."""
    return f"{config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{token}"


def render_html(template: str, **context) -> str:
    """The document's HTML from a template under templates/documents/ (autoescaped: user text stays text)."""
    # The bare Jinja environment: no request context processors, so the CLI and threads can render too.
    return current_app.jinja_env.get_template(template).render(font_scheme=FONT_SCHEME, **context)


# Rendering and signing are CPU-bound and take a couple of hundred milliseconds; a web worker also answers
# public pages (/verify, search) that take a few. So documents are rendered away from the request threads, at
# a CPU priority lowered by RENDER_NICENESS, and the request thread waits for the bytes (or the error): issuing
# stays one synchronous act (number, render, sign, store) while the kernel prefers the short requests.
# - RENDER_PROCESSES > 0 (production): a pool of that many render processes per web process. A render then
#   holds no GIL of the worker's, and two officers whose requests reach the same worker render side by side.
#   The processes start with the worker (gunicorn.conf.py) and end with it; one killed is replaced.
# - RENDER_PROCESSES = 0 (tests, small machines): one long-lived render thread per process (on Linux `nice`
#   is per thread); it shares the GIL with the request threads.
# Either keeps WeasyPrint's font configuration (system fonts scanned, shipped fonts registered) from one
# render to the next.
RENDER_NICENESS = 10


def _lower_priority(thread_id: int) -> None:
    # Not Linux, or not allowed: render at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        niceness = os.getpriority(os.PRIO_PROCESS, thread_id)
        os.setpriority(os.PRIO_PROCESS, thread_id, min(19, niceness + RENDER_NICENESS))


class _RenderThread:
    def __init__(self):
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pid = 0
        self._ident: int | None = None

    def _start(self) -> None:
        self._ident = threading.get_ident()
        _lower_priority(threading.get_native_id())

    def run(self, function, /, *args, **kwargs):
        """`function(*args, **kwargs)` in the render thread; its result or its exception, here."""
        if threading.get_ident() == self._ident:
            return function(*args, **kwargs)
        with self._lock:
            if self._executor is None or self._pid != os.getpid():  # first use, or a forked child (gunicorn)
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="balai-render", initializer=self._start
                )
                self._pid = os.getpid()
            executor = self._executor
        return executor.submit(function, *args, **kwargs).result()


def _start_render_process(parent: int, log_level: str) -> None:
    """In a render process: log as the web process does, lower its priority, and end it when the web
    process that started it is gone (a worker killed with SIGKILL cannot stop its pool)."""
    from blueprints.request_log import configure

    configure(log_level)
    _lower_priority(0)

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch_parent, name="balai-render-parent", daemon=True).start()


class RenderProcessesUnavailable(RuntimeError):
    """This machine cannot start render processes (no shared memory, a process limit)."""


class _RenderProcesses:
    def __init__(self):
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._key: tuple[int, int] = (0, 0)
        self._unavailable_logged = False

    def _executor(self, processes: int) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None or self._key != (os.getpid(), processes):  # first use, a fork, or resized
                self._pool = ProcessPoolExecutor(
                    max_workers=processes,
                    mp_context=multiprocessing.get_context("spawn"),  # nothing of the worker's state is copied
                    initializer=_start_render_process,
                    initargs=(os.getpid(), logging.getLevelName(logging.getLogger().getEffectiveLevel())),
                )
                self._key = (os.getpid(), processes)
            return self._pool

    def _forget(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def run(self, processes: int, function, /, *args):
        """`function(*args)` in one of the render processes; its result or its exception, here. A render
        process that died (killed, out of memory) fails the render it was doing with a DocumentError, and
        the next render gets a new pool."""
        try:
            pool = self._executor(processes)
            try:
                future = pool.submit(function, *args)
            except BrokenProcessPool:  # it broke while idle: nothing was lost, start again
                self._forget(pool)
                pool = self._executor(processes)
                future = pool.submit(function, *args)
        except (OSError, NotImplementedError) as exc:  # no /dev/shm, no process left to start: nothing was sent
            if not self._unavailable_logged:
                self._unavailable_logged = True
                log.warning("render processes cannot start (%s); rendering in the render thread", exc)
            raise RenderProcessesUnavailable from exc
        try:
            return future.result()
        except BrokenProcessPool as exc:
            self._forget(pool)
            raise DocumentError("the document renderer stopped while rendering") from exc

    def start(self, processes: int) -> None:
        """Start the processes now rather than at the first render (a web worker calls this when it boots)."""
        try:
            pool = self._executor(processes)
            for _ in range(processes):
                pool.submit(_warm_up)
        except (OSError, NotImplementedError) as exc:
            log.warning("render processes cannot start (%s); rendering in the render thread", exc)
            self._unavailable_logged = True

    def pids(self) -> list[int]:
        pool = self._pool
        return sorted(pool._processes) if pool is not None and pool._processes else []  # noqa: SLF001 - read only


_render_thread = _RenderThread()
_render_processes = _RenderProcesses()
_font_config: tuple[int, object] | None = None


def _font_configuration():
    """WeasyPrint's font configuration, made once per process (only the render thread or process uses it)."""
    global _font_config  # noqa: PLW0603 - one per process, built on first use
    from weasyprint.text.fonts import FontConfiguration

    if _font_config is None or _font_config[0] != os.getpid():
        _font_config = (os.getpid(), FontConfiguration())
    return _font_config[1]


def _warm_up() -> None:
    """Load WeasyPrint and pyHanko and scan the fonts, so that the first certificate is not the slow one."""
    from pyhanko.sign import signers  # noqa: F401 - imported for its cost

    _html_to_pdf("<p>Balai</p>", "warm-up", SafeURLFetcher())


def render_processes() -> int:
    """How many render processes this app's configuration asks for (0: the render thread)."""
    if not has_app_context():
        return 0
    return int(current_app.config.get("RENDER_PROCESSES") or 0)


def start_renderers() -> None:
    """Start the render processes of the current app's configuration (none in render-thread mode)."""
    if render_processes():
        _render_processes.start(render_processes())


def render_process_ids() -> list[int]:
    """The render processes of this web process (a test kills one)."""
    return _render_processes.pids()


@dataclass(frozen=True)
class _Signing:
    key: SigningKey
    reason: str
    location: str
    config: dict  # the settings sign_pdf reads (time stamp, trust roots)


_SIGNING_SETTINGS = ("TSA_URL", "SIGNING_TRUST_ROOTS", "TSA_TRUST_ROOTS")


def _render_job(html: str, title: str, signing: _Signing | None, fetcher: SafeURLFetcher | None = None):
    """Render (and sign): the PDF bytes and the URLs the document tried to load, which were refused."""
    fetcher = fetcher or SafeURLFetcher()
    pdf = _html_to_pdf(_draw_qr_codes(html), title, fetcher)
    if signing is not None:
        pdf = sign_pdf(pdf, signing.key, reason=signing.reason, location=signing.location, config=signing.config)
    return pdf, fetcher.refused


def _render(html: str, title: str, signing: _Signing | None, fetcher: SafeURLFetcher | None = None) -> bytes:
    processes = render_processes()
    if not processes:
        pdf, _ = _render_thread.run(_render_job, html, title, signing, fetcher)
        return pdf
    try:
        pdf, refused = _render_processes.run(processes, _render_job, html, title, signing)
    except RenderProcessesUnavailable:
        pdf, _ = _render_thread.run(_render_job, html, title, signing, fetcher)
        return pdf
    if fetcher is not None:
        fetcher.refused.extend(refused)
    return pdf


def _html_to_pdf(html: str, title: str, fetcher: SafeURLFetcher) -> bytes:
    document = HTML(string=html, url_fetcher=fetcher).render(font_config=_font_configuration())
    document.metadata.title = title
    return document.write_pdf(pdf_variant="pdf/a-3b")


def html_to_pdf(html: str, *, title: str, fetcher: SafeURLFetcher | None = None) -> bytes:
    """WeasyPrint → PDF/A-3b bytes titled `title` (what a PDF reader shows), loading nothing but the shipped fonts.

    With render processes, `fetcher` only collects the refused URLs (the render process has its own).
    """
    return _render(html, title, None, fetcher)


SEAL, PERSONAL, DEMO = "seal", "personal", "demo"


@dataclass(frozen=True)
class SigningKey:
    """A signing key: the office's e-seal (PEM pair or PKCS#12), an official's PKCS#12, or the demo key."""

    key_path: Path | None
    cert_path: Path | None
    passphrase: bytes | None
    demo: bool
    pkcs12_path: Path | None = None
    kind: str = SEAL

    @property
    def source(self) -> Path:
        source = self.pkcs12_path or self.key_path
        if source is None:
            raise DocumentError("a signing key needs a key file or a PKCS#12 file")
        return source


@dataclass(frozen=True)
class SignerFacts:
    """Who holds the signing certificate, as printed on the document and shown by /verify."""

    kind: str  # seal | personal | demo
    name: str  # the subject's common name (the office, or the official)
    subject: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    issuer: str


_signer_cache: dict[tuple, object] = {}
_signer_lock = threading.Lock()


def signing_key(config: dict, instance_path: str | os.PathLike) -> SigningKey:
    """The issuing office's e-seal from configuration, else the local demo key (created on first use)."""
    passphrase = config.get("SIGNING_KEY_PASSPHRASE")
    passphrase = passphrase.encode() if passphrase else None
    if config.get("SIGNING_PKCS12_PATH"):
        return SigningKey(None, None, passphrase, demo=False, pkcs12_path=Path(config["SIGNING_PKCS12_PATH"]))
    if config.get("SIGNING_KEY_PATH") and config.get("SIGNING_CERT_PATH"):
        return SigningKey(Path(config["SIGNING_KEY_PATH"]), Path(config["SIGNING_CERT_PATH"]), passphrase, demo=False)
    key_path, cert_path = ensure_demo_key(Path(config.get("SIGNING_DEMO_DIR") or Path(instance_path) / "signing"))
    return SigningKey(key_path, cert_path, None, demo=True, kind=DEMO)


def officials_dir(config: dict, instance_path: str | os.PathLike) -> Path:
    """Where officials' personal PKCS#12 files live, one `<NIP>.p12` each."""
    return Path(config.get("SIGNING_OFFICIALS_DIR") or Path(instance_path) / "signing" / "officials")


def official_key(
    config: dict, instance_path: str | os.PathLike, nip: str | None, passphrase: str | None
) -> SigningKey | None:
    """The official's personal signing key if one is registered for `nip`, with the passphrase typed at signing."""
    if not nip or not nip.isdigit():
        return None
    path = officials_dir(config, instance_path) / f"{nip}.p12"
    if not path.exists():
        return None
    return SigningKey(
        None, None, passphrase.encode() if passphrase else None, demo=False, pkcs12_path=path, kind=PERSONAL
    )


class PassphraseNeeded(DocumentError):
    """The official signs with a personal certificate, and its passphrase was not given."""


class WrongPassphrase(DocumentError):
    """The passphrase typed does not open the official's personal certificate."""


def key_for_official(
    config: dict, instance_path: str | os.PathLike, nip: str | None, passphrase: str | None
) -> tuple[SigningKey, SignerFacts]:
    """The key a document is signed with, and its holder: the official's own certificate when one is
    registered for `nip` (its passphrase is needed), else the office's e-seal (or the demo key)."""
    personal = official_key(config, instance_path, nip, passphrase)
    if personal is None:
        key = signing_key(config, instance_path)
        return key, signer_facts(key)
    if not passphrase:
        raise PassphraseNeeded("the official's certificate needs its passphrase")
    try:
        return personal, signer_facts(personal)
    except DocumentError as exc:
        raise WrongPassphrase("the passphrase does not open the official's certificate") from exc


def register_official_certificate(
    config: dict, instance_path: str | os.PathLike, *, nip: str, official_name: str, pkcs12: bytes, passphrase: str
) -> SignerFacts:
    """Keep an official's personal PKCS#12 as `<NIP>.p12` after checking that it opens with `passphrase`, is
    valid today and names this official (the certificate's common name is the official's name without titles)."""
    if not nip or not nip.isdigit():
        raise DocumentError("the official has no NIP")
    directory = officials_dir(config, instance_path)
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".p12")
    with os.fdopen(fd, "wb") as handle:
        handle.write(pkcs12)
    os.chmod(tmp, 0o600)
    try:
        facts = signer_facts(SigningKey(None, None, passphrase.encode(), False, Path(tmp), PERSONAL))
        now = clock.now()
        if not facts.not_before <= now <= facts.not_after:
            raise DocumentError(
                f"the certificate is not valid today ({facts.not_before:%Y-%m-%d}–{facts.not_after:%Y-%m-%d})"
            )
        if _bare_name(facts.name) != _bare_name(official_name):
            raise DocumentError(f"the certificate names {facts.name!r}, not the official {official_name!r}")
    except BaseException:
        os.unlink(tmp)
        raise
    os.replace(tmp, directory / f"{nip}.p12")
    return facts


def _bare_name(name: str) -> str:
    """A person's name without academic titles or case: 'Drs. Budi Santoso, S.Sos.' → 'budi santoso'."""
    words = name.split(",")[0].replace(".", ". ").split()
    return " ".join(w for w in words if not w.endswith(".")).casefold()


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


def _load_signer(key: SigningKey):
    from pyhanko.sign import signers

    try:
        if key.pkcs12_path is not None:
            signer = signers.SimpleSigner.load_pkcs12(str(key.pkcs12_path), passphrase=key.passphrase)
        else:
            signer = signers.SimpleSigner.load(str(key.key_path), str(key.cert_path), key_passphrase=key.passphrase)
    except Exception as exc:
        raise DocumentError(f"signing key cannot be loaded ({type(exc).__name__})") from exc
    if signer is None:
        raise DocumentError("signing key cannot be read: wrong passphrase or damaged file")
    return signer


def _signer(key: SigningKey):
    """The loaded signer; the office's is cached, an official's is loaded for each signing (passphrase typed)."""
    if key.kind == PERSONAL:
        return _load_signer(key)
    cache_key = (str(key.source), str(key.cert_path), key.source.stat().st_mtime)
    with _signer_lock:
        if cache_key not in _signer_cache:
            _signer_cache[cache_key] = _load_signer(key)
        return _signer_cache[cache_key]


def signer_facts(key: SigningKey) -> SignerFacts:
    """The holder of the key's certificate: what the document prints as its signer (DocumentError if unreadable)."""
    return certificate_facts(_signer(key).signing_cert, key.kind)


def certificate_facts(cert, kind: str) -> SignerFacts:
    """SignerFacts of an asn1crypto certificate."""
    subject = cert.subject.native
    validity = cert["tbs_certificate"]["validity"]
    return SignerFacts(
        kind=kind,
        name=subject.get("common_name") or subject.get("organization_name") or cert.subject.human_friendly,
        subject=cert.subject.human_friendly,
        serial=format(cert.serial_number, "x"),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        issuer=cert.issuer.human_friendly,
    )


def _trust_roots(config: dict, signer) -> list:
    """The roots against which the chain is validated for embedding (B-LT): the signer's own chain + configured."""
    from pyhanko.keys import load_certs_from_pemder

    roots = [signer.signing_cert, *(signer.cert_registry or ())]
    for setting in ("SIGNING_TRUST_ROOTS", "TSA_TRUST_ROOTS"):
        if config.get(setting):
            roots.extend(load_certs_from_pemder([config[setting]]))
    return roots


def sign_pdf(pdf: bytes, key: SigningKey, *, reason: str, location: str, config: dict | None = None) -> bytes:
    """Add a PAdES signature (incremental update, so the PDF/A body stays as rendered).

    With `TSA_URL` configured the signature carries an RFC 3161 time stamp (PAdES B-T); the validation data
    of the chain (certificates, and revocation data where the certificates name any) is embedded (B-LT).
    """
    from pyhanko.sign import fields, signers, timestamps

    config = config or {}
    signer = _signer(key)
    timestamper = timestamps.HTTPTimeStamper(config["TSA_URL"], timeout=10) if config.get("TSA_URL") else None
    metadata = signers.PdfSignatureMetadata(
        field_name="TandaTanganElektronik",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    writer = _MetadataKeepingWriter(io.BytesIO(pdf), strict=False)
    pdf_signer = signers.PdfSigner(metadata, signer=signer, timestamper=timestamper)
    try:
        signed = _run(pdf_signer.async_sign_pdf(writer))
        return _add_validation_data(signed, _trust_roots(config, signer))
    except DocumentError:
        raise
    except Exception as exc:
        what = "time stamp" if timestamper is not None and "imestamp" in type(exc).__name__ else "signature"
        raise DocumentError(f"{what} failed ({type(exc).__name__})") from exc


def _add_validation_data(signed: io.BytesIO, certificates: list) -> bytes:
    """Append a Document Security Store with every certificate of the chains (signer's and time stamp's): B-LT.

    Written by hand rather than by pyHanko's B-LT option so that the document information stays as rendered.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    signature = PdfFileReader(signed, strict=False).embedded_signatures[0]
    certs = {cert.dump(): cert for cert in certificates}
    for cert in signature.signed_data["certificates"]:
        certs.setdefault(cert.chosen.dump(), cert.chosen)
    for token in extract_tst_data_iter(signature.signer_info, signed=False):
        for cert in token["certificates"]:
            certs.setdefault(cert.chosen.dump(), cert.chosen)
    writer = _MetadataKeepingWriter(signed, strict=False)
    DocumentSecurityStore.supply_dss_in_writer(writer, signature.sig_object["/Contents"], certs=list(certs.values()))
    writer.write_in_place()
    return signed.getvalue()


def _metadata_keeping_writer_class():
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class MetadataKeepingWriter(IncrementalPdfFileWriter):
        """Leaves the document information as rendered: pyHanko would append itself to the Info /Producer
        but not to the XMP packet, and PDF/A requires the two to agree."""

        def _update_meta(self):
            return None

    return MetadataKeepingWriter


def _MetadataKeepingWriter(*args, **kwargs):  # noqa: N802 - a class, built on first use (pyHanko loads lazily)
    return _metadata_keeping_writer_class()(*args, **kwargs)


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
    return signer_facts(key).subject


def timestamp_time(pdf: bytes) -> dt.datetime | None:
    """The time in the signature's RFC 3161 time stamp token, if it carries one."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    if not signatures:
        return None
    for token in extract_tst_data_iter(signatures[0].signer_info, signed=False):
        return token["encap_content_info"]["content"].parsed["gen_time"].native
    return None


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool
    intact: bool  # the signed revision is unchanged and nothing but validation data was added after it
    trusted: bool
    signer: str | None
    signed_revision_end: int | None = None  # byte offset where the signed revision ends
    signer_cert: object | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted


def check_signature(pdf: bytes, cert_path: Path | None = None, *, trust_roots: list | None = None) -> SignatureCheck:
    """Is `pdf` signed, unchanged since signing, and signed by a trusted certificate?

    Trust comes from the certificate at `cert_path` or from `trust_roots` (asn1crypto certificates).
    """
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        return SignatureCheck(False, False, False, None)
    if not signatures:
        return SignatureCheck(False, False, False, None)
    signature = signatures[0]
    roots = list(trust_roots or [])
    if cert_path is not None:
        roots.append(load_cert_from_pemder(str(cert_path)))
    try:
        reason = signature.sig_object.get("/Reason")
        byte_range = signature.byte_range
        end = int(byte_range[2]) + int(byte_range[3])
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        status = _run(async_validate_pdf_signature(signature, context))
    except Exception:
        return SignatureCheck(True, False, False, None)
    untouched = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.modification_level is not None and status.modification_level <= ModificationLevel.LTA_UPDATES
    )
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
    return SignatureCheck(
        True,
        bool(status.intact and status.valid and untouched and status.docmdp_ok is not False),
        bool(status.trusted),
        signer,
        signed_revision_end=end if status.intact and status.valid else None,
        signer_cert=status.signing_cert,
        reason=str(reason) if reason is not None else None,
    )


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


def load(config: dict, *, sha: str | None, path: str | None, blob: bytes | None) -> bytes:
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
    html = render_html(template, **context)
    signing = _Signing(key, reason, location, {name: config.get(name) for name in _SIGNING_SETTINGS})
    return store(_render(html, title, signing), config)


def record_signed(
    session,
    stored: StoredDocument,
    signer: SignerFacts,
    *,
    config: dict,
    holder_name: str | None = None,
    holder_nik: str | None = None,
    salt: str = "",
):
    """Keep what was signed into a stored document: signer certificate, time stamp, holder (NIK only hashed)."""
    from models.signature import SignedDocument

    timestamped_at = None
    if config.get("TSA_URL"):
        timestamped_at = timestamp_time(load(config, sha=stored.sha256, path=stored.path, blob=stored.blob))
    row = session.get(SignedDocument, stored.sha256) or SignedDocument(sha256=stored.sha256)
    row.signer_kind = signer.kind
    row.signer_name = signer.name[:200]
    row.signer_subject = signer.subject[:500]
    row.certificate_serial = signer.serial[:64]
    row.certificate_not_before = signer.not_before
    row.certificate_not_after = signer.not_after
    row.issuer = signer.issuer[:500]
    row.timestamped_at = timestamped_at
    row.holder_name = holder_name
    row.holder_nik_sha256 = nik_digest(salt, holder_nik) if holder_nik else None
    row.signed_at = clock.now()
    session.add(row)
    return row


def nik_digest(salt: str, nik: str) -> str:
    """The salted SHA-256 of a NIK (the salt is the document's own token), for a yes/no holder check."""
    digits = "".join(ch for ch in nik if ch.isdigit())
    return hashlib.sha256(f"balai-holder:{salt}:{digits}".encode()).hexdigest()
