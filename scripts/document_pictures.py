"""Pictures of the issued documents for the README: an IUMK certificate and a cooperative's registry copy.

    .venv/bin/python -m scripts.document_pictures docs

Builds a throwaway SQLite registry from the migrations, registers one business and one cooperative with an
amendment deed, issues the real signed PDFs through the services (demo key) and renders their pages to PNG
with pypdfium2: docs/certificate.png and docs/registry-copy-1.png, docs/registry-copy-2.png.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

import pypdfium2

SCALE = 110 / 72  # 110 dpi: readable on GitHub, small files


def _pages_to_png(pdf: bytes, out: Path, name: str, pages: list[int]) -> list[Path]:
    document = pypdfium2.PdfDocument(pdf)
    written = []
    for index in pages:
        target = out / (f"{name}-{index + 1}.png" if len(pages) > 1 else f"{name}.png")
        document[index].render(scale=SCALE).to_pil().save(target, optimize=True)
        written.append(target)
    return written


def main(out_dir: str) -> int:
    from flask_migrate import upgrade

    from app import create_app
    from extensions import db
    from models.business import Business, Person
    from models.official import Official
    from models.region import Region
    from services import deeds, permits
    from services.kbli import load_kbli
    from services.regions import load_regions
    from tests.coop_factory import founders, make_cooperative

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/pictures.sqlite3",
                "SEARCH_INDEX_DIR": f"{tmp}/index",
                "SIGNING_DEMO_DIR": f"{tmp}/signing",
                "SECRET_KEY": "document-pictures-" + "x" * 32,
                "SEARCH_WRITER": "inline",
            }
        )
        with app.app_context():
            upgrade()
            load_regions(db.session, app.extensions["municipality"])
            load_kbli(db.session)
            kelurahan = db.session.scalar(
                db.select(Region).where(Region.name == "Penjaringan", Region.level == "kelurahan")
            )
            db.session.add(
                Official(
                    name="Drs. Ahmad Fauzi",
                    rank="Penata Tk. I (III/d)",
                    nip="196912311990031005",
                    position=f"Lurah {kelurahan.name}",
                    region_id=kelurahan.id,
                    valid_from=date(2020, 1, 1),
                )
            )
            owner = Person(
                full_name="Siti Rahayu",
                nik="3172014503850003",
                phone="+6281234567890",
                home_address="Jl. Pluit Raya No. 5, RT 003/RW 002",
                birth_date=date(1985, 3, 5),
            )
            business = Business(
                name="Warung Makan Bu Siti",
                owner=owner,
                address="Jl. Pluit Raya No. 5",
                kelurahan=kelurahan,
                kbli_version="2020",
                kbli_code="56102",
                activity="Warung makan",
                premises="milik_sendiri",
                capital_rupiah=25_000_000,
                nib="9120001234567",
            )
            db.session.add(business)
            db.session.commit()
            permit = permits.issue_permit(
                db.session,
                business,
                None,
                config=app.config,
                municipality=app.extensions["municipality"],
                instance_path=app.instance_path,
            )
            written = _pages_to_png(permits.permit_pdf(permit, app.config), out, "certificate", [0])

            cooperative = make_cooperative(
                name="Koperasi Konsumen Akuarium Bangkit Mandiri",
                founders=founders(12),
                kampung_names=["Kampung Akuarium"],
            )
            cooperative.nib = "9120301234567"
            cooperative.nomor_induk_koperasi = "3172010020001"
            cooperative.legal_entity_ministry = "Kementerian Hukum dan Hak Asasi Manusia"
            db.session.commit()
            deeds.issue_deed(db.session, cooperative, None, config=app.config, instance_path=app.instance_path)
            deeds.record_amendment(
                db.session,
                cooperative,
                None,
                deeds.AmendmentInput(
                    "15",
                    date(2023, 8, 17),
                    "Rina Marlina, S.H., M.Kn.",
                    "persetujuan",
                    "AHU-0004321.AH.01.27.TAHUN 2023",
                    date(2023, 8, 28),
                    "Bidang usaha ditambah unit simpan pinjam bagi anggota",
                ),
                config=app.config,
            )
            copy = deeds.issue_deed(db.session, cooperative, None, config=app.config, instance_path=app.instance_path)
            pdf = deeds.deed_pdf(copy, app.config)
            count = len(pypdfium2.PdfDocument(pdf))
            written += _pages_to_png(pdf, out, "registry-copy", [0, min(1, count - 1)])
            db.session.remove()
            db.engine.dispose()
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs"))
