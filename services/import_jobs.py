"""Imports from the web: the uploaded file kept until applied, and the apply run as a background job.

An upload is stored under IMPORT_DIR (default instance/imports) as <sha256>.bin with a small JSON
sidecar (file name, source, who uploaded it); the job's state (queued, running n/m, done, failed) is
written to <sha256>.state.json, so any web process can show it, and the page polls it. The job runs
on the job queue (services.jobs, huey), so a 150,000-row file never holds a web request.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from flask import current_app
from sqlalchemy.orm import Session

from extensions import db
from models.user import User
from services import authorization, imports
from services.import_files import FileProblem, read_table
from services.jobs import _in_app, huey

MAX_UPLOAD_BYTES = 60 * 1024 * 1024
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass
class Upload:
    id: str
    filename: str
    source: str
    owner_id: int
    data: bytes

    @property
    def header(self) -> list[str]:
        return read_table(self.data, self.filename).header


def folder(config, instance_path: str) -> Path:
    return Path(config.get("IMPORT_DIR") or Path(instance_path) / "imports")


def _write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(value, out)
    os.replace(temporary, path)


def save_upload(root: Path, user: User, data: bytes, filename: str, source: str) -> Upload:
    """Keep an uploaded register for the dry run and apply; ImportRefused/FileProblem when it is unusable."""
    source = imports.clean_source(source)
    if len(data) > MAX_UPLOAD_BYTES:
        raise imports.ImportRefused("Berkas terlalu besar (paling besar 60 MB); bagi menjadi beberapa berkas.")
    filename = Path(filename or "register.csv").name[:255]
    read_table(data, filename)
    upload_id = imports.fingerprint(data)
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{upload_id}.bin").write_bytes(data)
    _write_json(root / f"{upload_id}.json", {"filename": filename, "source": source, "owner_id": user.id})
    return Upload(upload_id, filename, source, user.id, data)


def load_upload(root: Path, upload_id: str, user: User) -> Upload | None:
    """The upload if `user` made it (None otherwise: the view answers 404)."""
    if len(upload_id) != 64 or not all(c in "0123456789abcdef" for c in upload_id):
        return None
    try:
        meta = json.loads((root / f"{upload_id}.json").read_text(encoding="utf-8"))
        data = (root / f"{upload_id}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("owner_id") != user.id:
        return None
    return Upload(upload_id, meta["filename"], meta["source"], meta["owner_id"], data)


def status(root: Path, upload_id: str) -> dict | None:
    try:
        return json.loads((root / f"{upload_id}.state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def start_apply(root: Path, upload: Upload) -> None:
    """Queue the apply of `upload` with its source's remembered mapping."""
    current = status(root, upload.id)
    if current and current["state"] in (QUEUED, RUNNING):
        return
    _write_json(root / f"{upload.id}.state.json", {"state": QUEUED, "done": 0, "total": 0})
    run_import(str(root), upload.id)


def _update(root: Path, upload_id: str, **values) -> None:
    state = status(root, upload_id) or {}
    state.update(values)
    _write_json(root / f"{upload_id}.state.json", state)


@huey.task()
@_in_app
def run_import(root_name: str, upload_id: str) -> None:
    """Apply one uploaded register (all or nothing), writing progress for the status page."""
    root = Path(root_name)
    meta = json.loads((root / f"{upload_id}.json").read_text(encoding="utf-8"))
    user = db.session.get(User, meta["owner_id"])
    upload = load_upload(root, upload_id, user) if user is not None else None
    if user is None or upload is None:
        _update(root, upload_id, state=FAILED, message="Berkas unggahan tidak ditemukan lagi; unggah ulang.")
        return
    rows = sum(1 for row in read_table(upload.data, upload.filename).rows if row)
    total = rows * 2
    _update(root, upload_id, state=RUNNING, done=0, total=total)
    done = 0

    def progress(step: int) -> None:
        nonlocal done
        done += step
        if done % 5000 < step or done >= total:
            _update(root, upload_id, done=min(done, total))

    session = cast(Session, db.session)
    mapping = imports.mapping_for(session, upload.source, upload.header)
    try:
        result = imports.apply(
            session,
            upload.data,
            upload.filename,
            upload.source,
            mapping,
            current_app.config,
            user,
            scope=authorization.kecamatan_scope(user),
            progress=progress,
        )
    except (imports.ImportRefused, FileProblem) as exc:
        _update(root, upload_id, state=FAILED, message=str(exc))
        return
    except Exception:
        current_app.logger.exception("import %s failed", upload_id)
        _update(root, upload_id, state=FAILED, message="Impor gagal karena kesalahan sistem; tidak ada yang diubah.")
        return
    _update(root, upload_id, state=DONE, done=total, counts=result.counts())
