"""`flask import businesses FILE`: bring an existing register in from the command line (services.imports)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from extensions import db
from services import imports, spreadsheets
from services.import_files import FileProblem, read_table

import_cli = AppGroup("import", help="Import existing registers (CSV or XLSX).")
SHOWN_PROBLEMS = 50


@import_cli.command("businesses")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Name of the source register; its column mapping is remembered.")
@click.option("--map", "pairs", multiple=True, metavar="FIELD=COLUMN", help="Map a field to a column title.")
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write the problems to .xlsx or .csv.")
def import_businesses(path, source, pairs, dry_run, report):
    """Import businesses, owners and paper permits from PATH (all or nothing)."""
    data = path.read_bytes()
    try:
        header = read_table(data, path.name).header
    except FileProblem as exc:
        raise click.ClickException(str(exc)) from None
    mapping = imports.mapping_for(db.session, source.strip(), header)
    for pair in pairs:
        key, _, column = pair.partition("=")
        if key not in imports.FIELD_BY_KEY:
            raise click.ClickException(f"unknown field {key!r}; fields: {', '.join(imports.FIELD_BY_KEY)}")
        mapping[key] = column
    click.echo("Mapping: " + ", ".join(f"{k}={v!r}" for k, v in mapping.items()))
    rows = sum(1 for _ in read_table(data, path.name).rows)
    steps = rows * (1 if dry_run else 2)
    try:
        with click.progressbar(length=steps, label="Checking" if dry_run else "Importing") as bar:
            if dry_run:
                result = imports.plan(
                    db.session, data, path.name, source, mapping, current_app.config, progress=bar.update
                )
            else:
                result = _apply(data, path.name, source, mapping, bar)
    except imports.ImportRefused as exc:
        if exc.plan is not None:
            _summary(exc.plan, report)
        raise click.ClickException(str(exc)) from None
    except FileProblem as exc:
        raise click.ClickException(str(exc)) from None
    _summary(result, report)
    if dry_run and not result.ok:
        raise SystemExit(1)
    if not dry_run:
        click.echo(f"Imported {path.name} (SHA-256 {result.sha256}).")


def _apply(data, filename, source, mapping, bar):
    config = current_app.config
    return imports.apply(db.session, data, filename, source, mapping, config, None, progress=bar.update)


def _summary(result: imports.Plan, report: Path | None) -> None:
    counts = result.counts()
    click.echo(f"Rows: {counts['rows']}")
    for kind in ("persons", "businesses", "permits"):
        c = counts[kind]
        click.echo(f"{kind}: {c['create']} new, {c['update']} updated, {c['unchanged']} unchanged")
    if result.already_imported:
        click.echo("This file was already imported: nothing would change.")
    for problem in result.problems[:SHOWN_PROBLEMS]:
        click.echo(f"row {problem.row}, {problem.column}: {problem.message}", err=True)
    if len(result.problems) > SHOWN_PROBLEMS:
        click.echo(f"… and {len(result.problems) - SHOWN_PROBLEMS} more problems", err=True)
    if report is not None:
        rows = imports.report_rows(result)
        if report.suffix.lower() == ".csv":
            report.write_text(spreadsheets.csv_text(imports.REPORT_HEADER, rows), encoding="utf-8")
        else:
            report.write_bytes(spreadsheets.xlsx_bytes(imports.REPORT_HEADER, rows, title="Masalah"))
        click.echo(f"Report written to {report}")


def register(app: Flask) -> None:
    app.cli.add_command(import_cli)
