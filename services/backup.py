"""Backups that can be trusted while the site serves, and a restore that checks before it writes.

`create` takes a consistent copy of the database first (SQLite: the online backup API; PostgreSQL:
`pg_dump`, one snapshot), then the files the database refers to: issued documents (DOCUMENT_STORE),
media (MEDIA_DIR) and the signing key and certificate. Documents and media are written before the
rows that name them are committed, so everything the dump refers to is in the archive (files added
later are harmless extras). Officials' personal certificates (PKCS#12, SIGNING_OFFICIALS_DIR) are
copied too; their passphrases are never stored, so they stay with their holders. A manifest lists
every file with its SHA-256 and size.

`restore` refuses an archive whose files do not match its manifest, or a database that is not empty,
then loads the database (`pg_restore` / the backup API) and puts the files in place, refusing to
overwrite a different file. The caller rebuilds the search index.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from services import clock

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq(url) -> tuple[list[str], dict]:
    """pg_dump/pg_restore connection arguments, the password in the environment (not the process list)."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    args = ["--dbname", url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)]
    return args, env


def _run(command: list[str], env: dict | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip().splitlines()[-1:] or result.returncode}")


def signing_files(config: dict, instance_path) -> dict[str, Path]:
    """Name in the archive → where the office's signing key and certificate live in this installation."""
    if config.get("SIGNING_PKCS12_PATH"):
        return {"office-seal.p12": Path(config["SIGNING_PKCS12_PATH"])}
    if config.get("SIGNING_KEY_PATH") and config.get("SIGNING_CERT_PATH"):
        return {
            "signing-key.pem": Path(config["SIGNING_KEY_PATH"]),
            "signing-cert.pem": Path(config["SIGNING_CERT_PATH"]),
        }
    directory = Path(config.get("SIGNING_DEMO_DIR") or Path(instance_path) / "signing")
    return {
        "demo-signing-key.pem": directory / "demo-signing-key.pem",
        "demo-signing-cert.pem": directory / "demo-signing-cert.pem",
    }


def _folders(config: dict, instance_path) -> dict[str, Path | None]:
    """Folders copied whole: issued documents, media, and officials' personal certificates (PKCS#12)."""
    from services.documents import officials_dir

    store = config.get("DOCUMENT_STORE")
    return {
        "documents": Path(store) if store else None,
        "media": Path(config["MEDIA_DIR"]),
        "officials": officials_dir(config, instance_path),
    }


def create(engine: Engine, config: dict, instance_path, output_dir: Path) -> Path:
    """Write balai-backup-<UTC time>.tar.gz into `output_dir` (readable by its owner only); returns its path."""
    output_dir.mkdir(parents=True, exist_ok=True)
    url = engine.url
    kind = url.get_backend_name()
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as work_name:
        work = Path(work_name)
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if kind == "sqlite":
            database = work / "database.sqlite3"
            source = sqlite3.connect(url.database)
            target = sqlite3.connect(database)
            try:
                source.backup(target)  # the online backup API: a consistent copy while others write
            finally:
                target.close()
                source.close()
        else:
            database = work / "database.pgdump"
            args, env = _libpq(url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(database), *args], env)
        for folder, source_dir in _folders(config, instance_path).items():
            if source_dir is not None and source_dir.is_dir():
                shutil.copytree(source_dir, work / folder, ignore=shutil.ignore_patterns(".*"))
        (work / "signing").mkdir()
        for name, path in signing_files(config, instance_path).items():
            if path.exists():
                shutil.copy2(path, work / "signing" / name)
        files = {
            str(path.relative_to(work)): {"sha256": _sha256(path), "bytes": path.stat().st_size}
            for path in sorted(work.rglob("*"))
            if path.is_file()
        }
        manifest = {
            "format": FORMAT,
            "created_at": clock.wall_now().isoformat(timespec="seconds"),
            "database": {"kind": kind, "file": database.name, "alembic_revision": revision},
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        name = f"balai-backup-{clock.wall_now():%Y%m%dT%H%M%SZ}.tar.gz"
        partial = output_dir / f".{name}.partial"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work, arcname=".")
        partial.chmod(0o600)
        final = output_dir / name
        os.replace(partial, final)
    return final


def verify(archive_path: Path, into: Path) -> dict:
    """Unpack the archive into `into` and check every file against the manifest; returns the manifest."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"cannot read the archive ({exc})") from None
    manifest_path = into / MANIFEST
    if not manifest_path.exists():
        raise BackupError("the archive has no manifest.json: not a Balai backup")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    present = {str(p.relative_to(into)) for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    listed = set(manifest["files"])
    if present != listed:
        raise BackupError(f"files differ from the manifest: {sorted(present ^ listed)[:5]}")
    for name, entry in manifest["files"].items():
        if _sha256(into / name) != entry["sha256"]:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: the archive is damaged or altered")
    return manifest


def restore(engine: Engine, config: dict, instance_path, archive_path: Path) -> dict:
    """Restore the archive into this installation's empty database and file locations."""
    with tempfile.TemporaryDirectory(prefix="balai-restore-") as work_name:
        work = Path(work_name)
        manifest = verify(archive_path, work)
        kind = engine.url.get_backend_name()
        if manifest["database"]["kind"] != kind:
            raise BackupError(f"the backup is of a {manifest['database']['kind']} database; DATABASE_URL is {kind}")
        if inspect(engine).get_table_names():
            raise BackupError("the target database is not empty: restore into a new, empty database")
        _place_files(work, config, instance_path, manifest)
        dump = work / manifest["database"]["file"]
        engine.dispose()
        if kind == "sqlite":
            source = sqlite3.connect(dump)
            target = sqlite3.connect(engine.url.database)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            args, env = _libpq(engine.url)
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, str(dump)], env)
    return manifest


def _place_files(work: Path, config: dict, instance_path, manifest: dict) -> None:
    """Copy documents, media and signing files to where this installation keeps them, checking first."""
    targets: dict[Path, Path] = {}
    folders = _folders(config, instance_path)
    for name in manifest["files"]:
        top, _, rest = name.partition("/")
        if top in folders:
            if folders[top] is None:
                raise BackupError(f"the backup holds {top} but DOCUMENT_STORE is not set: set it, then restore")
            targets[work / name] = folders[top] / rest
        elif top == "signing":
            places = signing_files(config, instance_path)
            if rest not in places:
                raise BackupError(
                    f"the backup's signing file {rest} does not fit this installation's key settings "
                    "(SIGNING_KEY_PATH/SIGNING_CERT_PATH or the demo key)"
                )
            targets[work / name] = places[rest]
    clashes = [str(t) for s, t in targets.items() if t.exists() and _sha256(t) != _sha256(s)]
    if clashes:
        raise BackupError(f"would overwrite different files: {clashes[:3]}")
    for source, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
