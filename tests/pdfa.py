"""PDF/A-3b checks shared by every document test: the rules a validator (veraPDF) would fail first.

Each check returns nothing and raises AssertionError with the rule that failed.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

from pypdf import PdfReader
from pypdf.generic import IndirectObject


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def assert_pdfa_3b(data: bytes) -> PdfReader:
    """Header, XMP identification, output intent, file ID, no encryption, every font embedded,
    Info consistent with XMP, and `qpdf --check` clean where qpdf is installed."""
    assert re.match(rb"%PDF-1\.[4-7]\r?\n%[\x80-\xff]{4}", data), "header: version line then a binary comment"
    reader = PdfReader(io.BytesIO(data))
    assert "/Encrypt" not in reader.trailer, "PDF/A forbids encryption"
    assert "/ID" in reader.trailer, "PDF/A needs a file identifier"
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3<" in xmp, "XMP: pdfaid:part 3"
    assert b'pdfaid:conformance="B"' in xmp or b"<pdfaid:conformance>B<" in xmp, "XMP: conformance B"
    intents = [_resolve(intent) for intent in root.get("/OutputIntents", [])]
    assert any(i.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents), "output intent"
    producer = (reader.metadata or {}).get("/Producer")
    if producer:
        assert producer.encode() in xmp, "Info /Producer must match the XMP metadata"
    for number, page in enumerate(reader.pages, start=1):
        fonts = _resolve(_resolve(page.get("/Resources", {})).get("/Font", {}))
        for name, font in fonts.items():
            font = _resolve(font)
            descendants = [_resolve(d) for d in font.get("/DescendantFonts", [])] or [font]
            for descendant in descendants:
                descriptor = _resolve(descendant.get("/FontDescriptor"))
                assert descriptor is not None and any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ), f"page {number}: font {name} is not embedded"
    qpdf = shutil.which("qpdf")
    if qpdf:
        result = subprocess.run([qpdf, "--check", "-"], input=data, capture_output=True, check=False)
        assert result.returncode == 0, result.stdout.decode(errors="replace")
    return reader


def signature_fields(data: bytes) -> list:
    """Every signature field or widget in the file (AcroForm fields and page annotations)."""
    reader = PdfReader(io.BytesIO(data))
    found = []
    acroform = _resolve(reader.trailer["/Root"].get("/AcroForm"))
    if acroform:
        found += [f for f in (_resolve(x) for x in acroform.get("/Fields", [])) if f.get("/FT") == "/Sig"]
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            annotation = _resolve(annotation)
            if annotation.get("/Subtype") == "/Widget" or annotation.get("/FT") == "/Sig":
                found.append(annotation)
    return found
