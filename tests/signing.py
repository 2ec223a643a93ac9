"""Test certificates and a local RFC 3161 time-stamping authority (pyHanko's DummyTimeStamper over HTTP)."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from services import clock


@dataclass
class Issued:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def make_certificate(
    common_name: str,
    *,
    issuer: Issued | None = None,
    organization: str | None = None,
    ca: bool = False,
    timestamping: bool = False,
    days: int = 365,
) -> Issued:
    """An RSA key and its certificate, self-signed or issued by `issuer`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = clock.wall_now()
    subject = _name(common_name, organization)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(not ca, not ca, False, False, False, ca, ca, False, False),
            critical=True,
        )
    )
    if timestamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    cert = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    return Issued(key, cert)


def write_pkcs12(path: Path, issued: Issued, passphrase: str, chain: list[Issued] = ()) -> Path:
    data = pkcs12.serialize_key_and_certificates(
        b"signer",
        issued.key,
        issued.cert,
        [c.cert for c in chain] or None,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


class LocalTSA:
    """An RFC 3161 time-stamping authority on 127.0.0.1 (HTTP POST application/timestamp-query)."""

    def __init__(self):
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        self.root = make_certificate("Balai Test TSA Root", ca=True)
        self.tsa = make_certificate("Balai Test TSA", issuer=self.root, timestamping=True)
        der_key = self.tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self.stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(self.tsa.cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
            certs_to_embed=[asn1_x509.Certificate.load(self.root.cert.public_bytes(serialization.Encoding.DER))],
        )
        self.requests = 0
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = tsp.TimeStampReq.load(body)
                response = asyncio.run(tsa.stamper.async_request_tsa_response(request))
                tsa.requests += 1
                data = response.dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/tsa"

    def __enter__(self) -> LocalTSA:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
