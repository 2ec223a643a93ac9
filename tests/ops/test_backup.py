"""`flask backup create` while the site is being written to, then `flask backup restore` into a new,
empty PostgreSQL database on another installation: a certificate issued before the backup verifies
there by token and by upload, with a valid signature; a damaged archive is refused."""

from __future__ import annotations

import io
import tarfile
import threading
from pathlib import Path

import pytest

from app import create_app
from extensions import db
from models.business import Business
from models.permit import Permit
from services import documents
from services.permits import permit_pdf
from tests.conftest import _test_config
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue
from tests.support import CsrfClient, create_postgres_database, drop_postgres_database, postgres_database_url


@pytest.fixture
def db_url(postgres_template):
    name = create_postgres_database(template=postgres_template)
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


def _files(root: Path) -> dict:
    return {
        "DOCUMENT_STORE": str(root / "documents"),
        "MEDIA_DIR": str(root / "media"),
        "SIGNING_DEMO_DIR": str(root / "signing"),
    }


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(_files(tmp_path / "site"))
    return app_config


@pytest.fixture
def empty_database():
    name = create_postgres_database()  # no template: no tables at all
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


def _keep_writing(app, stop: threading.Event, written: list) -> None:
    with app.app_context():
        kelurahan = any_kelurahan()
        while not stop.is_set():
            business = add_business(kelurahan, name=f"Usaha Sibuk {len(written)}", nik=f"3171014503{len(written):06d}")
            written.append(business.id)
        db.session.remove()


def test_backup_while_writing_restores_into_a_new_database_and_certificates_still_verify(
    app, runner, tmp_path, empty_database
):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    permit = issue(app, add_business(kelurahan, name="Warung Sebelum Cadangan"))
    token, number, original = permit.token, permit.number, permit_pdf(permit, app.config)
    assert permit.document_path, "the document should live in DOCUMENT_STORE for this test"

    stop, written = threading.Event(), []
    writer = threading.Thread(target=_keep_writing, args=(app, stop, written))
    writer.start()
    try:
        result = runner.invoke(args=["backup", "create", "--output", str(tmp_path / "backups")])
    finally:
        stop.set()
        writer.join(30)
    assert result.exit_code == 0, result.output
    assert len(written) > 0, "nothing was written while the backup ran"
    archive = next((tmp_path / "backups").glob("balai-backup-*.tar.gz"))
    assert archive.stat().st_mode & 0o077 == 0

    other = create_app(_test_config(empty_database, tmp_path / "restored-index", **_files(tmp_path / "restored")))
    other.test_client_class = CsrfClient
    with other.app_context():
        restored = other.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        assert "Indexed" in restored.output
        assert db.session.scalar(db.select(Permit.number).where(Permit.token == token)) == number
        count = db.session.scalar(db.select(db.func.count()).select_from(Business))
        assert 1 <= count <= 1 + len(written)

        client = other.test_client()
        page = client.get(f"/verify/{token}").get_data(as_text=True)
        assert number in page and "Warung Sebelum Cadangan" in page and "BERLAKU" in page
        upload = client.post("/verify/berkas", data={"berkas": (io.BytesIO(original), "izin.pdf")})
        assert upload.status_code == 200 and number in upload.get_data(as_text=True)
        key = documents.signing_key(other.config, other.instance_path)
        assert Path(other.config["SIGNING_DEMO_DIR"]) in key.cert_path.parents
        check = documents.check_signature(original, key.cert_path)
        assert check.ok, check
        restored_pdf = permit_pdf(db.session.scalar(db.select(Permit).where(Permit.token == token)), other.config)
        assert restored_pdf == original

        again = other.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
        assert again.exit_code != 0 and "not empty" in again.output
        db.session.remove()
        db.engine.dispose()


def test_a_damaged_archive_is_refused_before_anything_is_written(app, runner, tmp_path, empty_database):
    assert runner.invoke(args=["backup", "create", "--output", str(tmp_path / "b")]).exit_code == 0
    archive = next((tmp_path / "b").glob("*.tar.gz"))
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name.endswith("database.pgdump"):
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    other = create_app(_test_config(empty_database, tmp_path / "i2", **_files(tmp_path / "r2")))
    with other.app_context():
        result = other.test_cli_runner().invoke(args=["backup", "restore", str(damaged)])
        assert result.exit_code != 0 and "does not match its SHA-256" in result.output
        assert db.inspect(db.engine).get_table_names() == []
        assert not (tmp_path / "r2" / "media").exists()
        db.engine.dispose()
