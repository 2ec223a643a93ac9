"""Signing officials from the command line, as the deploy recipe creates them: one term at a time per
region, ended on a last day; the certificate then names whoever is in office on its issue day."""

from __future__ import annotations

from datetime import date

from extensions import db
from models.official import Official
from services.permits import signing_official
from tests.permits.helpers import any_kelurahan


def test_create_list_end_and_succeed(app, runner):
    kelurahan = any_kelurahan()
    first = runner.invoke(
        args=[
            "officials",
            "create",
            "--name",
            "Drs. Budi Santoso",
            "--position",
            f"Lurah {kelurahan.name}",
            "--region",
            kelurahan.name,
            "--nip",
            "197805122005011003",
            "--from",
            "2024-01-02",
        ]
    )
    assert first.exit_code == 0, first.output
    budi = db.session.scalar(db.select(Official).where(Official.name == "Drs. Budi Santoso"))

    overlap = runner.invoke(
        args=[
            "officials",
            "create",
            "--name",
            "Siti Aminah, S.IP.",
            "--position",
            f"Lurah {kelurahan.name}",
            "--region",
            kelurahan.name,
            "--from",
            "2026-07-01",
        ]
    )
    assert overlap.exit_code != 0 and f"flask officials end {budi.id}" in overlap.output

    ended = runner.invoke(args=["officials", "end", str(budi.id), "--on", "2026-06-30"])
    assert ended.exit_code == 0 and "2026-06-30" in ended.output
    second = runner.invoke(
        args=[
            "officials",
            "create",
            "--name",
            "Siti Aminah, S.IP.",
            "--position",
            f"Lurah {kelurahan.name}",
            "--region",
            kelurahan.name,
            "--from",
            "2026-07-01",
        ]
    )
    assert second.exit_code == 0, second.output

    assert signing_official(db.session, kelurahan, date(2026, 6, 30)).name == "Drs. Budi Santoso"
    assert signing_official(db.session, kelurahan, date(2026, 7, 1)).name == "Siti Aminah, S.IP."
    listing = runner.invoke(args=["officials", "list"])
    assert "Drs. Budi Santoso" in listing.output and "2024-01-02 – 2026-06-30" in listing.output
    assert "Siti Aminah, S.IP." in listing.output and "2026-07-01 – now" in listing.output


def test_bad_input_is_refused_with_a_reason_and_nothing_written(app, runner):
    cases = [
        (["--name", "Budi \u202eiduB", "--position", "Kepala Dinas"], "pengubah arah tulisan"),
        (["--name", "Budi", "--position", "Kepala Dinas", "--nip", "12345"], "NIP must be 18 digits"),
        (["--name", "Budi", "--position", "Lurah X", "--region", "Atlantis"], "no kelurahan or kecamatan named"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["officials", "create", *args])
        assert result.exit_code != 0 and message in result.output, result.output
    assert runner.invoke(args=["officials", "end", "999999", "--on", "2026-01-01"]).exit_code != 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Official)) == 0
