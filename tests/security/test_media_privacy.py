"""Uploaded photos lose their hidden metadata; editors' Markdown can only show canonical media URLs."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from extensions import db
from models.content import MediaFile
from services.richtext import render_markdown

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["MEDIA_DIR"] = str(tmp_path / "media")
    return app_config


def _photo_with_gps(fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", (40, 20), (10, 120, 30))
    exif = Image.Exif()
    exif[0x010F] = "KameraPonsel"  # Make
    exif[ORIENTATION] = 6  # taken rotated: shown upright only after turning 90°
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (6.0, 7.0, 30.0), 3: "E", 4: (106.0, 49.0, 10.0)})
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "lokasi.jpg"), ("PNG", "lokasi.png"), ("WEBP", "lokasi.webp")])
def test_uploaded_photo_is_served_without_gps_or_camera_data(client, auth, fmt, name):
    original = _photo_with_gps(fmt)
    with Image.open(io.BytesIO(original)) as probe:
        assert probe.getexif().get_ifd(GPS_IFD), "the test photo must carry a GPS position"
    auth.login_as("editor")
    response = client.post("/kantor/konten/media", data={"file": (io.BytesIO(original), name), "alt_text": "Toko"})
    assert response.status_code == 303
    stored = db.session.scalar(db.select(MediaFile))
    served = client.get(f"/media/{stored.stored_name}").data
    assert b"KameraPonsel" not in served
    with Image.open(io.BytesIO(served)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD) and ORIENTATION not in exif and 0x010F not in exif
        assert image.size == (20, 40), "the orientation is applied to the pixels before it is dropped"
    assert (stored.width, stored.height) == (20, 40) and stored.size_bytes == len(served)


@pytest.mark.parametrize(
    "src",
    [
        "/media/../kantor/koperasi/akta/1/unduh",
        "/media/..%2Fkantor%2Fkoperasi",
        "/media/abc.png",
        "/media/AAAAAAAAAAAAAAAAAAAAAAAA.png?x=/kantor",
        "/kantor/koperasi/akta/1/unduh",
        "https://contoh.invalid/AAAAAAAAAAAAAAAAAAAAAAAA.png",
    ],
)
def test_markdown_images_only_from_canonical_media_urls(src):
    assert "<img" not in render_markdown(f"![x]({src})") or 'src="' not in render_markdown(f"![x]({src})")


def test_a_canonical_media_image_is_kept():
    html = render_markdown("![Bazar](/media/Ab3_-xYz0123456789abcdEF.webp)")
    assert 'src="/media/Ab3_-xYz0123456789abcdEF.webp"' in html and 'alt="Bazar"' in html
