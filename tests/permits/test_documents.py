"""The PDF pipeline never reads a local file or fetches a URL, whatever the text it is given."""

from __future__ import annotations

import io
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader

from services import documents
from services.permits import permit_pdf
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue, issue_with_damaged_key


@pytest.fixture
def http_server():
    """A local HTTP server that records every request it gets."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def test_fetcher_refuses_local_files_and_urls(app, http_server):
    base, hits = http_server
    html = (
        '<html><body><p>teks</p><img src="file:///etc/passwd">'
        f'<img src="{base}/tracker.png"><link rel="stylesheet" href="{base}/x.css">'
        '<img src="/etc/hostname"><p style="background: url(file:///etc/shadow)">x</p></body></html>'
    )
    fetcher = documents.SafeURLFetcher()
    pdf = documents.html_to_pdf(html, title="t", fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    assert hits == []
    refused = " ".join(fetcher.refused)
    assert "file:///etc/passwd" in refused
    assert f"{base}/tracker.png" in refused
    assert "root:" not in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_fetcher_serves_only_the_shipped_fonts():
    fetcher = documents.SafeURLFetcher()
    assert fetcher.fetch(documents.FONT_SCHEME + "DejaVuSans.ttf").read(4) == b"\x00\x01\x00\x00"
    for url in (documents.FONT_SCHEME + "../../config.py", documents.FONT_SCHEME + "/etc/passwd", "data:,x"):
        with pytest.raises(documents.RefusedURL):
            fetcher.fetch(url)


@pytest.mark.both_databases
def test_user_text_with_markup_is_printed_as_text_and_fetches_nothing(app, http_server):
    base, hits = http_server
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    name = f'Warung <img src="file:///etc/passwd"> <img src="{base}/x.png">'
    permit = issue(app, add_business(kelurahan, name=name[:200]))
    text = PdfReader(io.BytesIO(permit_pdf(permit, app.config))).pages[0].extract_text()
    assert '<img src="file:///etc/passwd">' in text
    assert hits == []


def test_the_pdf_carries_the_title_it_is_given(app):
    pdf = documents.html_to_pdf(
        "<html><head><title>ignored</title></head><body><p>Isi</p></body></html>", title="Izin 7"
    )
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Izin 7"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{seq:05d}/IUMK/{year}", "XXXXX/IUMK/"),
        ("IUMK-{year}-{seq:04d}", "-XXXX"),
        ("{series}/{seq}/{year}", "/X/"),
    ],
)
def test_the_preview_shows_an_unnumbered_placeholder_for_any_number_pattern(client, auth, app, pattern, expected):
    auth.login_as("officer")
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business = add_business(kelurahan)
    app.config["PERMIT_NUMBER_PATTERN"] = pattern
    preview = client.get(f"/kantor/usaha/{business.id}/pratinjau.pdf")
    text = PdfReader(io.BytesIO(preview.data)).pages[0].extract_text()
    assert preview.status_code == 200 and expected in text


class _ThreadRecordingFetcher(documents.SafeURLFetcher):
    """Notes which thread, at which CPU priority, asked for each resource (the render asks from its thread)."""

    def __init__(self):
        super().__init__()
        self.seen: list[tuple[int, int]] = []

    def fetch(self, url, headers=None):
        native_id = threading.get_native_id()
        self.seen.append((native_id, os.getpriority(os.PRIO_PROCESS, native_id)))
        return super().fetch(url, headers)


def test_renders_run_in_one_lower_priority_thread_and_hand_back_their_result_or_error(app, tmp_path):
    """A request thread answering /verify must not wait behind a render: every render runs in the same
    long-lived thread, at a lower CPU priority than the thread that asked for it, which gets the bytes
    (or the error) back as if it had rendered them itself."""
    caller = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    html = '<html><body><p>Isi</p><img src="https://example.invalid/logo.png"></body></html>'
    fetchers = [_ThreadRecordingFetcher(), _ThreadRecordingFetcher()]
    pdfs = [documents.html_to_pdf(html, title=f"Izin {n}", fetcher=fetcher) for n, fetcher in enumerate(fetchers)]
    assert [PdfReader(io.BytesIO(pdf)).metadata.title for pdf in pdfs] == ["Izin 0", "Izin 1"]
    (first,), (second,) = (fetcher.seen for fetcher in fetchers)
    assert first[0] == second[0] != threading.get_native_id()
    assert first[1] == min(19, caller + documents.RENDER_NICENESS)

    with app.app_context(), pytest.raises(documents.DocumentError):
        issue_with_damaged_key(app, tmp_path)
