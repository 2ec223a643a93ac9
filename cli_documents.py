"""Command-line interface for signed documents: officials' personal certificates and batch print files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from extensions import db
from models.official import Official
from services import batch, documents

officials_cli = AppGroup("officials", help="Signing officials.")
batches_cli = AppGroup("batches", help="Batch print files.")


@officials_cli.command("certificate")
@click.argument("nip")
@click.argument("pkcs12_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def officials_certificate(nip, pkcs12_file):
    """Register the personal signing certificate (PKCS#12) of the official with this NIP.

    The passphrase is asked (hidden) to check the file; it is not stored: it is typed again at each signing.
    """
    official = db.session.scalar(db.select(Official).where(Official.nip == nip).order_by(Official.id.desc()))
    if official is None:
        raise click.ClickException(f"no official with NIP {nip}")
    passphrase = click.prompt("Passphrase of the certificate", hide_input=True)
    try:
        facts = documents.register_official_certificate(
            current_app.config,
            current_app.instance_path,
            nip=nip,
            official_name=official.name,
            pkcs12=pkcs12_file.read_bytes(),
            passphrase=passphrase,
        )
    except documents.DocumentError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{official.name} now signs with {facts.subject} (valid until {facts.not_after:%Y-%m-%d}).")


@batches_cli.command("purge")
def batches_purge():
    """Delete batch print files older than BATCH_RETENTION_DAYS (they carry names and phone numbers)."""
    removed = batch.purge_expired(current_app)
    click.echo(f"{removed} batch file(s) deleted.")


def register(app: Flask) -> None:
    for command in (officials_cli, batches_cli):
        app.cli.add_command(command)
