"""Imports from the web: the uploaded file kept until applied, and the apply run as a background job.

An upload is stored under IMPORT_DIR (default instance/imports) as <sha256>.bin with a small JSON
sidecar (file name, source, who uploaded it). Both the dry run and the apply run on the job queue
(services.jobs, huey), so a 150,000-row file never holds a web request: each writes its state
(queued, running n/m, done, failed) to a JSON file beside the upload (<sha256>.check.json with the
dry run's report, <sha256>.state.json for the apply), so any web process can show it, and the page polls it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from flask import current_app
from sqlalchemy.orm import Session

from extensions import db
from models.user import User
from services import authorization, import_cooperatives, imports
from services.import_files import FileProblem, read_headers, read_sheets, read_table
from services.jobs import _in_app, huey

MAX_UPLOAD_BYTES = 60 * 1024 * 1024
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
CHECK, APPLY = "check", "state"  # the state files: <sha256>.check.json (dry run), <sha256>.state.json (apply)


@dataclass
class Upload:
    id: str
    filename: str
    source: str
    owner_id: int
    data: bytes
    kind: str
    # The column titles per sheet kind ("" for the one sheet of a business register).
    headers: dict[str, list[str]]

    @property
    def header(self) -> list[str]:
        return self.headers.get("", [])


KINDS = (imports.BUSINESSES, import_cooperatives.COOPERATIVES)


def _headers(kind: str, data: bytes, filename: str) -> dict[str, list[str]]:
    if kind != import_cooperatives.COOPERATIVES:
        return {"": next(iter(read_headers(data, filename).values()), [])}
    headers = import_cooperatives.headers_of(data, filename)
    if not any(headers[import_cooperatives.KOPERASI]):
        raise FileProblem("Lembar 'Koperasi' tidak ditemukan atau kosong: beri nama lembar 'Koperasi' (lihat contoh).")
    return headers


def importer(upload: Upload):
    """The module that checks and applies this kind of register (plan, apply, FIELDS, COUNTED)."""
    return import_cooperatives if upload.kind == import_cooperatives.COOPERATIVES else imports


def columns(upload: Upload) -> dict[str, list[str]]:
    """For each field, the column titles the officer may choose from (those of the field's sheet)."""
    if upload.kind == import_cooperatives.COOPERATIVES:
        sheet_of = import_cooperatives.SHEET_OF
        return {key: [c for c in upload.headers.get(sheet, []) if c] for key, sheet in sheet_of.items()}
    return {spec.key: [c for c in upload.header if c] for spec in imports.FIELDS}


def mapping(session: Session, upload: Upload) -> dict[str, str]:
    """The remembered mapping of the upload's source, else a guess from the titles."""
    if upload.kind == import_cooperatives.COOPERATIVES:
        return import_cooperatives.mapping_for(session, upload.source, upload.headers)
    return imports.mapping_for(session, upload.source, upload.header)


def mapping_problems(upload: Upload, chosen: dict[str, str]) -> list[str]:
    if upload.kind == import_cooperatives.COOPERATIVES:
        return import_cooperatives.mapping_problems(chosen, upload.headers)
    return imports.mapping_problems(chosen, upload.header)


def save_mapping(session: Session, upload: Upload, chosen: dict[str, str]) -> None:
    if upload.kind == import_cooperatives.COOPERATIVES:
        import_cooperatives.save_mapping(session, upload.source, chosen)
    else:
        imports.save_mapping(session, upload.source, chosen)


def _row_count(upload: Upload) -> int:
    if upload.kind == import_cooperatives.COOPERATIVES:
        sheets = import_cooperatives.sheets_of(read_sheets(upload.data, upload.filename))
        return sum(1 for table in sheets.values() for row in table.rows if row)
    return sum(1 for row in read_table(upload.data, upload.filename).rows if row)


def folder(config, instance_path: str) -> Path:
    return Path(config.get("IMPORT_DIR") or Path(instance_path) / "imports")


def _write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(value, out)
    os.replace(temporary, path)


def save_upload(
    root: Path, user: User, data: bytes, filename: str, source: str, kind: str = imports.BUSINESSES
) -> Upload:
    """Keep an uploaded register for the dry run and apply; ImportRefused/FileProblem when it is unusable."""
    source = imports.clean_source(source)
    if len(data) > MAX_UPLOAD_BYTES:
        raise imports.ImportRefused("Berkas terlalu besar (paling besar 60 MB); bagi menjadi beberapa berkas.")
    filename = Path(filename or "register.csv").name[:255]
    kind = kind if kind in KINDS else imports.BUSINESSES
    headers = _headers(kind, data, filename)
    upload_id = imports.fingerprint(data)
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{upload_id}.bin").write_bytes(data)
    meta = {"filename": filename, "source": source, "owner_id": user.id, "kind": kind, "headers": headers}
    _write_json(root / f"{upload_id}.json", meta)
    return Upload(upload_id, filename, source, user.id, data, kind, headers)


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
    kind = meta.get("kind", imports.BUSINESSES)
    headers = meta.get("headers")
    if headers is None:  # uploaded before the headers were kept beside the file
        headers = _headers(kind, data, meta["filename"])
    return Upload(upload_id, meta["filename"], meta["source"], meta["owner_id"], data, kind, headers)


def _state_path(root: Path, upload_id: str, step: str) -> Path:
    return root / f"{upload_id}.{step}.json"


def _read_state(root: Path, upload_id: str, step: str) -> dict | None:
    try:
        return json.loads(_state_path(root, upload_id, step).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def status(root: Path, upload_id: str) -> dict | None:
    """The apply's state: queued/running with progress, done with `counts`, or failed with `message`."""
    return _read_state(root, upload_id, APPLY)


def start_apply(root: Path, upload: Upload) -> None:
    """Queue the apply of `upload` with its source's remembered mapping; once queued, running or done, a
    second press (a double click, the Back button) changes nothing and shows the same progress."""
    current = status(root, upload.id)
    if current and current["state"] in (QUEUED, RUNNING, DONE):
        return
    _write_json(_state_path(root, upload.id, APPLY), {"state": QUEUED, "done": 0, "total": 0})
    run_import(str(root), upload.id)


def start_check(root: Path, upload: Upload, mapping: dict[str, str]) -> None:
    """Queue the dry run of `upload` through `mapping`; its report is kept with the state for the page."""
    current = check_status(root, upload.id)
    if current and current["state"] in (QUEUED, RUNNING) and current.get("mapping") == mapping:
        return
    _write_json(_state_path(root, upload.id, CHECK), {"state": QUEUED, "done": 0, "total": 0, "mapping": mapping})
    run_check(str(root), upload.id)


def check_status(root: Path, upload_id: str) -> dict | None:
    """The dry run's state: queued/running with progress, done with `result`, or failed with `message`."""
    return _read_state(root, upload_id, CHECK)


def _update(root: Path, upload_id: str, step: str, **values) -> None:
    state = _read_state(root, upload_id, step) or {}
    state.update(values)
    _write_json(_state_path(root, upload_id, step), state)


def _run(root: Path, upload_id: str, step: str, work: Callable[[Upload, User, Callable[[int], None]], dict]) -> None:
    """Run `work` on the upload as its owner, writing progress and the outcome to the step's state file."""
    meta = json.loads((root / f"{upload_id}.json").read_text(encoding="utf-8"))
    user = db.session.get(User, meta["owner_id"])
    upload = load_upload(root, upload_id, user) if user is not None else None
    if user is None or upload is None:
        _update(root, upload_id, step, state=FAILED, message="Berkas unggahan tidak ditemukan lagi; unggah ulang.")
        return
    rows = _row_count(upload)
    total = rows * (2 if step == APPLY else 1)
    _update(root, upload_id, step, state=RUNNING, done=0, total=total)
    done = 0

    def progress(increment: int) -> None:
        nonlocal done
        done += increment
        if done % 5000 < increment or done >= total:
            _update(root, upload_id, step, done=min(done, total))

    try:
        outcome = work(upload, user, progress)
    except (imports.ImportRefused, FileProblem) as exc:
        _update(root, upload_id, step, state=FAILED, message=str(exc))
        return
    except Exception:
        current_app.logger.exception("import %s (%s) failed", upload_id, step)
        db.session.rollback()
        _update(
            root, upload_id, step, state=FAILED, message="Impor gagal karena kesalahan sistem; tidak ada yang diubah."
        )
        return
    _update(root, upload_id, step, state=DONE, done=total, **outcome)


@huey.task()
@_in_app
def run_check(root_name: str, upload_id: str) -> None:
    """The dry run of one uploaded register, off the web request: problems and counts for the page."""
    root = Path(root_name)

    def check(upload: Upload, user: User, progress: Callable[[int], None]) -> dict:
        chosen = (_read_state(root, upload_id, CHECK) or {}).get("mapping") or {}
        session = cast(Session, db.session)
        try:
            result = importer(upload).plan(
                session,
                upload.data,
                upload.filename,
                upload.source,
                chosen,
                current_app.config,
                scope=authorization.kecamatan_scope(user),
                progress=progress,
            )
        finally:
            session.rollback()
        return {"result": report(result)}

    _run(root, upload_id, CHECK, check)


@huey.task()
@_in_app
def run_import(root_name: str, upload_id: str) -> None:
    """Apply one uploaded register (all or nothing), writing progress for the status page."""
    root = Path(root_name)

    def apply(upload: Upload, user: User, progress: Callable[[int], None]) -> dict:
        session = cast(Session, db.session)
        result = importer(upload).apply(
            session,
            upload.data,
            upload.filename,
            upload.source,
            mapping(session, upload),
            current_app.config,
            user,
            scope=authorization.kecamatan_scope(user),
            progress=progress,
        )
        return {"counts": result.counts()}

    _run(root, upload_id, APPLY, apply)


def report(result) -> dict:
    """What the page and the download need of a dry run (JSON-ready)."""
    return {
        "counts": result.counts(),
        "already_imported": result.already_imported,
        "ok": result.ok,
        "problems": imports.report_rows(result),
    }
