"""The open-data dump: every public record as CSV and JSON, with licence and generation time."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models.business import Business
from models.cooperative import Cooperative
from models.region import Region
from services import clock, spreadsheets
from services.directory import business_fields, cooperative_fields

CSV_NAME = "registri-usaha-koperasi.csv"
JSON_NAME = "registri-usaha-koperasi.json"
META_NAME = "metadata.json"
FILES = (CSV_NAME, JSON_NAME)
CSV_COLUMNS = ("jenis", "id", "nama", "status", "kbli", "nib", "nomor_badan_hukum", "kelurahan", "kecamatan", "kota")


def folder(instance_path: str | os.PathLike) -> Path:
    """Where the files live: OPENDATA_DIR if configured, else instance/opendata."""
    from flask import current_app

    configured = current_app.config.get("OPENDATA_DIR") if current_app else None
    return Path(configured) if configured else Path(instance_path) / "opendata"


def _records(session: Session, model, fields, batch: int = 2000):
    options = joinedload(model.kelurahan).joinedload(Region.parent).joinedload(Region.parent)
    last = 0
    while True:
        extra = (joinedload(Business.kbli),) if model is Business else ()
        rows = list(
            session.scalars(
                select(model).options(options, *extra).where(model.id > last).order_by(model.id).limit(batch)
            )
        )
        if not rows:
            return
        yield from (fields(row) for row in rows)
        last = rows[-1].id


def _csv_row(record: dict) -> list:
    return [
        "usaha" if record["kind"] == "business" else "koperasi",
        record["id"],
        record["name"],
        record.get("status") or record.get("activity_status") or "",
        (record.get("kbli") or {}).get("code") or "",
        record.get("nib") or "",
        record.get("legal_entity_number") or "",
        record["kelurahan"] or "",
        record["kecamatan"] or "",
        record["kota"] or "",
    ]


def export(session: Session, instance_path, licence: str, source: str) -> dict:
    """Write the CSV and JSON files (atomically replacing the previous ones); returns the metadata."""
    target = folder(instance_path)
    target.mkdir(parents=True, exist_ok=True)
    generated_at = clock.now().isoformat(timespec="seconds")
    businesses = list(_records(session, Business, business_fields))
    cooperatives = list(_records(session, Cooperative, cooperative_fields))
    meta = {
        "title": f"Registri usaha mikro dan koperasi {source}",
        "licence": licence,
        "generated_at": generated_at,
        "businesses": len(businesses),
        "cooperatives": len(cooperatives),
    }
    tmp_csv = target / f".{CSV_NAME}.tmp"
    with tmp_csv.open("w", newline="", encoding="utf-8") as handle:
        handle.write(f"# {meta['title']}\n# Lisensi: {licence}\n# Dibuat: {generated_at} (UTC)\n")
        writer = spreadsheets.csv_writer(handle)
        writer.writerow(CSV_COLUMNS)
        for record in (*businesses, *cooperatives):
            writer.writerow(_csv_row(record))
    tmp_json = target / f".{JSON_NAME}.tmp"
    tmp_json.write_text(
        json.dumps({**meta, "items": {"businesses": businesses, "cooperatives": cooperatives}}, ensure_ascii=False),
        encoding="utf-8",
    )
    os.replace(tmp_csv, target / CSV_NAME)
    os.replace(tmp_json, target / JSON_NAME)
    (target / META_NAME).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return meta


def latest(instance_path) -> dict | None:
    """Metadata of the last export, or None if there has been none."""
    path = folder(instance_path) / META_NAME
    if not path.exists():
        return None
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["generated_at"] = datetime.fromisoformat(meta["generated_at"])
    return meta
