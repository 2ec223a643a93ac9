"""The Nu HTML checker (npm `vnu-jar`, run with Java) finds no error on the back-office and public
screens, their error states included, other than the hx-* attributes htmx reads.

.ci/run installs the checker with npm into .vnu/ (VNU_JAR names another copy).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from models.user import SUPERADMIN
from tests.backoffice.test_route_walk import _arguments, _routes, _seed_everything
from tests.support import require

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR") or ROOT / ".vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")
PUBLIC_PAGES = ("/", "/cari", "/cari?q=warung", "/angka", "/berita", "/verify/", "/data-terbuka", "/tidak-ada")
# Forms sent empty: their error states (the business form twice, as a page and as htmx swaps it in).
ERROR_STATES = (
    ("/kantor/usaha/baru", {}),
    ("/kantor/usaha/baru", {"HX-Request": "true"}),
    ("/kantor/koperasi/baru", {}),
    ("/kantor/konten/halaman/baru", {}),
    ("/kantor/konten/berita/baru", {}),
    ("/kantor/izin/cetak", {}),
)


def hx_attribute_message(message: str) -> bool:
    return "“hx-" in message


def nu_errors(files: list[Path]) -> list[str]:
    """Errors the checker reports on `files`, apart from hx-* attributes."""
    require(shutil.which("java") is not None, "Java (for the Nu HTML checker)")
    require(VNU_JAR.exists(), f"the Nu HTML checker at {VNU_JAR} (.ci/run installs it with npm)")
    result = subprocess.run(  # noqa: S603 - java on our own files
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()[:120]}]"
        for m in messages
        if m.get("type") == "error" and not hx_attribute_message(m["message"])
    ]


def _save(tmp_path: Path, name: str, html: str) -> Path:
    path = tmp_path / (name.strip("/").replace("/", "_").replace("?", "_") or "home")
    path = path.with_name(f"{path.name}-{len(list(tmp_path.iterdir()))}.html")
    path.write_text(html)
    return path


def test_screens_have_no_html_errors(app, auth, client, tmp_path):
    _seed_everything()
    files = []
    business_id, cooperative_id = _arguments()["business_id"], _arguments()["cooperative_id"]
    for path in (*PUBLIC_PAGES, f"/usaha/{business_id}", f"/koperasi/{cooperative_id}", "/masuk/"):
        response = client.get(path)
        files.append(_save(tmp_path, path, response.text))
    files.append(_save(tmp_path, "login-errors", client.post("/masuk/", data={}).text))

    auth.login_as(SUPERADMIN)
    arguments = _arguments()
    for rule in _routes(app):
        if "GET" not in rule.methods or rule.endpoint.startswith("portal."):
            continue
        url = rule.build({name: arguments.get(name, 1) for name in rule.arguments}, append_unknown=False)[1]
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            files.append(_save(tmp_path, url, response.text))
    for url, headers in ERROR_STATES:
        response = client.post(url, data={}, headers=headers)
        assert response.status_code == 422, url
        html = response.text
        if headers:  # a fragment: checked inside a page, as the browser holds it
            html = f'<!doctype html><html lang="id"><head><title>x</title></head><body>{html}</body></html>'
        files.append(_save(tmp_path, url + "-errors", html))
    edit = client.post(f"/kantor/usaha/{business_id}/ubah", data={"name": ""})
    files.append(_save(tmp_path, "business-edit-errors", edit.text))
    assert len(files) > 30

    errors = nu_errors(files)
    assert not errors, "\n".join(errors)


def test_the_checker_reports_a_real_error(tmp_path):
    """The check can fail: a duplicate id and a stray attribute are errors; hx-* alone is not reported."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!doctype html><html lang="id"><head><title>x</title></head><body>'
        '<p id="a">1</p><p id="a" hx-get="/x">2</p><div foo="bar"></div></body></html>'
    )
    errors = nu_errors([page])
    assert any("Duplicate ID" in error for error in errors), errors
    assert any("“foo”" in error for error in errors), errors
    assert not any("Attribute “hx-get”" in error for error in errors)


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(SIGNING_DEMO_DIR=str(tmp_path / "signing"), MEDIA_DIR=str(tmp_path / "media"))
    return app_config
