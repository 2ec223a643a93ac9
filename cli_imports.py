"""`flask import businesses FILE` and `flask import cooperatives FILE`: bring an existing register in from the
command line (services.imports, services.import_cooperatives), with a progress bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from extensions import db
from services import import_cooperatives, imports, spreadsheets
from services.import_files import FileProblem, read_sheets, read_table

import_cli = AppGroup("import", help="Import existing registers (CSV or XLSX).")
SHOWN_PROBLEMS = 50


def _options(command):
    command = click.option(
        "--report", type=click.Path(dir_okay=False, path_type=Path), help="Write the problems to .xlsx or .csv."
    )(command)
    command = click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")(command)
    command = click.option(
        "--map", "pairs", multiple=True, metavar="FIELD=COLUMN", help="Map a field to a column title."
    )(command)
    command = click.option(
        "--source", required=True, help="Name of the source register; its column mapping is remembered."
    )(command)
    return click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))(command)


@import_cli.command("businesses")
@_options
def import_businesses(path, source, pairs, dry_run, report):
    """Import businesses, owners and paper permits from PATH (all or nothing)."""
    data = path.read_bytes()
    try:
        table = read_table(data, path.name)
    except FileProblem as exc:
        raise click.ClickException(str(exc)) from None
    mapping = imports.mapping_for(db.session, source.strip(), table.header)
    _map(mapping, pairs, imports.FIELD_BY_KEY)
    rows = sum(1 for _ in table.rows)
    _run(imports, data, path.name, source, mapping, rows * (1 if dry_run else 2), dry_run, report)


@import_cli.command("cooperatives")
@_options
def import_cooperatives_command(path, source, pairs, dry_run, report):
    """Import cooperatives with founders, board and RAT history from the XLSX at PATH (all or nothing).

    One sheet per kind: Koperasi, Pendiri, Pengurus (pengurus and pengawas), RAT; linked by the
    legal-entity number. Fields in --map are named like founder_nik=NIK (see the README)."""
    data = path.read_bytes()
    try:
        sheets = import_cooperatives.sheets_of(read_sheets(data, path.name))
    except FileProblem as exc:
        raise click.ClickException(str(exc)) from None
    headers = {sheet: table.header for sheet, table in sheets.items()}
    mapping = import_cooperatives.mapping_for(db.session, source.strip(), headers)
    _map(mapping, pairs, import_cooperatives.SHEET_OF)
    rows = sum(len(table.rows) for table in sheets.values())
    _run(import_cooperatives, data, path.name, source, mapping, rows, dry_run, report)


def _map(mapping: dict[str, str], pairs, known) -> None:
    for pair in pairs:
        key, _, column = pair.partition("=")
        if key not in known:
            raise click.ClickException(f"unknown field {key!r}; fields: {', '.join(known)}")
        mapping[key] = column
    click.echo("Mapping: " + ", ".join(f"{k}={v!r}" for k, v in mapping.items()))


def _run(importer, data: bytes, filename: str, source: str, mapping, steps: int, dry_run: bool, report) -> None:
    """The dry run or the apply of `importer` (a module with plan and apply) with a progress bar."""
    config = current_app.config
    try:
        with click.progressbar(length=max(steps, 1), label="Checking" if dry_run else "Importing") as bar:
            progress: Callable[[int], None] = bar.update
            if dry_run:
                result = importer.plan(db.session, data, filename, source, mapping, config, progress=progress)
            else:
                result = importer.apply(db.session, data, filename, source, mapping, config, None, progress=progress)
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
        click.echo(f"Imported {filename} (SHA-256 {result.sha256}).")


def _summary(result, report: Path | None) -> None:
    counts = result.counts()
    click.echo(f"Rows: {counts['rows']}")
    for kind, c in counts.items():
        if kind != "rows":
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
