"""Command-line interface: `flask regions|users|demo|search|setup …`. Calls the same services as the web."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup
from flask_migrate import upgrade

from cli_documents import officials_cli
from demo import records as demo
from extensions import db
from models.region import Region
from models.user import ROLES
from services import audit, kbli, regions, users
from services.search import rebuild_index

regions_cli = AppGroup("regions", help="Regions of the configured municipality.")
users_cli = AppGroup("users", help="User accounts.")
demo_cli = AppGroup("demo", help="Demo data.")
search_cli = AppGroup("search", help="The search index.")
opendata_cli = AppGroup("opendata", help="The open-data dump.")
backup_cli = AppGroup("backup", help="Consistent backups (database, documents, media, signing keys) and restore.")
jobs_cli = AppGroup("jobs", help="Background jobs (huey): the worker, and running a periodic job now.")
kbli_cli = AppGroup("kbli", help="The KBLI reference table.")


@regions_cli.command("load")
def regions_load():
    """Load the municipality's kota, kecamatan and kelurahan (from areaid) and the KBLI reference."""
    municipality = current_app.extensions["municipality"]
    counts = regions.load_regions(db.session, municipality)
    codes = kbli.load_kbli(db.session)
    click.echo(
        f"{municipality.name}: {counts['kota']} kota/kabupaten, {counts['kecamatan']} kecamatan, "
        f"{counts['kelurahan']} kelurahan; {codes} KBLI codes."
    )


@regions_cli.command("import-codes")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def regions_import_codes(path):
    """Set Kemendagri codes from the official table (CSV or XLSX with columns code and name)."""
    from services.tables import TableError

    try:
        result = regions.import_codes(db.session, path)
    except TableError as exc:
        raise click.ClickException(str(exc)) from None
    counts = result.updated
    click.echo(
        f"Codes set or changed: {counts['kota']} kota/kabupaten, {counts['kecamatan']} kecamatan, "
        f"{counts['kelurahan']} kelurahan."
    )
    if result.unmatched:
        click.echo(f"{len(result.unmatched)} rows under our regions matched no name, e.g. {result.unmatched[0]}.")
    missing = db.session.scalar(
        db.select(db.func.count(Region.id)).where(
            Region.level == "kelurahan", Region.kemendagri_code.is_(None), Region.office_code.is_(None)
        )
    )
    if missing:
        click.echo(f"{missing} kelurahan have neither a Kemendagri code nor an office code: no permits there.")


@regions_cli.command("office-code")
@click.argument("kelurahan")
@click.argument("code", required=False)
@click.option("--kecamatan", default=None, help="The kecamatan, when several kelurahan share the name.")
def regions_office_code(kelurahan, code, kecamatan):
    """Set the office code a kelurahan's permit numbers carry (omit CODE to clear it)."""
    try:
        region = regions.set_office_code(db.session, kelurahan, code, kecamatan)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{region.name}: office code {region.office_code or '(none)'}.")


@kbli_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--version", "version", default="2020", show_default=True, help="The KBLI version (year).")
@click.option("--source", default=None, help="Where the table comes from (recorded with the version).")
def kbli_import(path, version, source):
    """Load the official KBLI table (CSV or XLSX: code, title, description; optional section, risk)."""
    try:
        result = kbli.import_table(db.session, path, version, source)
    except kbli.KbliImportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"KBLI {result.version}: {result.added} codes added, {result.updated} changed, "
        f"{result.sections} sections added or changed."
    )
    if result.skipped:
        shown = ", ".join(result.skipped[:10])
        click.echo(f"{len(result.skipped)} rows skipped (no title, repeated or unknown risk): {shown}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "full_name", default="", help="Full name shown on screen.")
@click.option("--kecamatan", default=None, help="Limit an officer to this kecamatan (name).")
@click.option("--password-env", default=None, help="Read the password from this environment variable.")
def users_create(username, role, full_name, kecamatan, password_env):
    """Create a user; the password is prompted (hidden) unless --password-env names a variable."""
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise click.UsageError(f"environment variable {password_env} is empty or not set")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    kecamatan_id = None
    if kecamatan:
        region = db.session.scalar(
            db.select(Region).where(Region.level == "kecamatan", db.func.lower(Region.name) == kecamatan.lower())
        )
        if region is None:
            raise click.UsageError(f"no kecamatan named '{kecamatan}' (run 'flask regions load' first?)")
        kecamatan_id = region.id
    try:
        user = users.create_user(db.session, username, password, role, full_name, kecamatan_id=kecamatan_id)
    except users.UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.role} '{user.username}'.")


def _existing_user(username: str):
    user = users.find_user(db.session, username)
    if user is None:
        raise click.ClickException(f"no user named '{username}'")
    return user


@users_cli.command("password-link")
@click.argument("username")
def users_password_link(username):
    """Print a single-use set-password link (48 hours) for USERNAME; earlier open links stop working."""
    try:
        _link, token = users.create_password_link(db.session, None, _existing_user(username))
    except users.UserError as exc:
        raise click.ClickException(str(exc)) from None
    with current_app.test_request_context():
        path = url_for("auth.set_password", token=token)
    click.echo(current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path)


@users_cli.command("reset-2fa")
@click.argument("username")
def users_reset_two_factor(username):
    """Remove USERNAME's authenticator app (a lost phone, the last superadmin); set up again at next login."""
    from services import two_factor

    user = _existing_user(username)
    two_factor.reset(db.session, None, user)
    click.echo(f"Authenticator app of '{user.username}' removed.")


@demo_cli.command("seed")
@click.option("--businesses", default=200, show_default=True, type=click.IntRange(0, 1_000_000))
@click.option("--cooperatives", default=30, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--seed", default=1, show_default=True, type=int, help="Same seed, same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the registry already has records.")
@click.option("--permits", default=0, show_default=True, type=click.IntRange(0, 100_000), help="IUMK permits to issue.")
@click.option("--source-cooperatives", is_flag=True, help="Add the cooperatives of the source articles.")
def demo_seed(businesses, cooperatives, seed, if_empty, permits, source_cooperatives):
    """Generate realistic Indonesian demo records across the loaded regions, and the demo site content."""
    from demo.content import seed_content

    pages = seed_content(db.session)
    if pages:
        click.echo(f"Added {pages} demo pages and news posts.")
    if if_empty and not demo.database_is_empty(db.session):
        click.echo("Registry already has data; demo seed skipped.")
        return
    try:
        demo.seed_businesses(db.session, businesses, seed)
        demo.seed_cooperatives(db.session, cooperatives, seed)
        sources = 0
        if source_cooperatives:
            municipality = current_app.extensions["municipality"]
            dki = municipality.is_province and "jakarta" in municipality.province.lower()
            sources = demo.seed_source_cooperatives(db.session, dki, seed)
            sources += demo.seed_secondary_cooperative(db.session, seed)
        demo.seed_rat_histories(db.session, seed)
        demo.seed_pending_rat_reports(db.session, seed)
        demo.seed_officials(db.session, seed)
        issued = demo.seed_permits(
            db.session,
            permits,
            config=current_app.config,
            municipality=current_app.extensions["municipality"],
            instance_path=current_app.instance_path,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Seeded {businesses} businesses and {cooperatives + sources} cooperatives (seed {seed}).")
    click.echo(f"Issued {issued} demo IUMK permits.")


@demo_cli.command("accounts")
def demo_accounts():
    """Create the demo accounts if missing and print how to log in."""
    _print_demo_accounts(demo.ensure_demo_accounts(db.session) + demo.ensure_cooperative_demo_account(db.session))


def _print_demo_accounts(created) -> None:
    # One file per database: the passwords printed must be those of the database being served.
    database = hashlib.sha256(current_app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]
    store = Path(current_app.instance_path) / f"demo-accounts-{database}.txt"
    if created:
        with store.open("a", encoding="utf-8") as handle:
            for account in created:
                handle.write(f"{account.role}\t{account.username}\t{account.password}\t{account.scope}\n")
        store.chmod(0o600)
    if store.exists():
        click.echo(f"Demo accounts (log in at {local_url()}/masuk/):")
        for line in store.read_text(encoding="utf-8").splitlines():
            role, username, password, *scope = line.split("\t")
            where = f"  ({scope[0]})" if scope and scope[0] else ""
            click.echo(f"  {role:<12} user: {username:<13} password: {password}{where}")


@search_cli.command("reindex")
def search_reindex():
    """Rebuild the search index from the database into a fresh directory and swap it in atomically."""
    from services.search.documents import count_records

    with click.progressbar(length=count_records(db.session), label="Indexing") as bar:
        count = rebuild_index(db.session, progress=bar.update)
    click.echo(f"Indexed {count} records.")


@search_cli.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the outbox.")
@click.option("--once", is_flag=True, help="Drain what is queued, then stop.")
def search_worker(interval, once):
    """The one index writer for multi-process servers (set SEARCH_WRITER=worker on the web processes)."""
    import time

    from services.search import get_backend
    from services.search.outbox import beat, drain, ensure_index

    backend = get_backend()
    click.echo(f"Search worker on {current_app.config['SEARCH_BACKEND']}; Ctrl+C to stop.")
    while True:
        try:
            rebuilt = ensure_index(db.session, backend)  # a lost index is rebuilt, never recreated empty
            if rebuilt is not None:
                click.echo(f"Search index was missing: rebuilt from the database ({rebuilt} records).")
            beat(db.session)
            done = drain(db.session, backend)
            if done:
                click.echo(f"Indexed {done} change(s).")
        except Exception as exc:  # another writer holds the lock, or the database blinked: try again
            db.session.rollback()
            click.echo(f"Not drained yet ({type(exc).__name__}); retrying.", err=True)
        if once:
            return
        time.sleep(interval)


@search_cli.command("check")
def search_check():
    """Compare the index with the database document by document; exit status 1 if they differ."""
    from services.search import SearchUnavailable, get_backend
    from services.search.outbox import check

    try:
        report = check(db.session, get_backend())
    except SearchUnavailable as exc:
        raise click.ClickException(f"search index unavailable ({exc}): run 'flask search reindex'") from None
    click.echo(
        f"Database: {report['database']} records; index: {report['index']} documents; "
        f"queued changes: {report['pending']}."
    )
    for label, keys in (
        ("Missing from the index", report["missing"]),
        ("In the index only", report["orphaned"]),
        ("Different content in the index", report["stale"]),
    ):
        if keys:
            click.echo(f"{label} ({len(keys)}): {', '.join(keys[:20])}{' …' if len(keys) > 20 else ''}")
    if report["missing"] or report["orphaned"] or report["stale"]:
        click.echo("Drift found: run 'flask search worker --once' or 'flask search reindex'.")
        raise SystemExit(1)
    click.echo("Index matches the database.")


@opendata_cli.command("export")
@click.option("--licence", default="CC BY 4.0", show_default=True, help="Licence stated in the files.")
def opendata_export(licence):
    """Write every public record as CSV and JSON (with licence and generation time) for /data-terbuka."""
    from services import opendata

    meta = opendata.export(db.session, current_app.instance_path, licence, current_app.extensions["municipality"].name)
    click.echo(
        f"Exported {meta['businesses']} businesses and {meta['cooperatives']} cooperatives "
        f"to {opendata.folder(current_app.instance_path)} ({meta['generated_at']})."
    )


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32), help="Job threads.")
def jobs_worker(workers):
    """Run queued jobs (batch prints, email) and the periodic ones (publishing, open data, clean-up)."""
    from services import jobs

    if current_app.config.get("JOBS_IMMEDIATE"):
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run in the web process, no worker needed")
    click.echo(f"Job worker on {jobs.huey.storage_class.__name__} with {workers} thread(s); Ctrl+C to stop.")
    jobs.run_worker(current_app._get_current_object(), workers=workers)


JOB_NAMES = ("publish", "opendata", "purge-batches", "status-refresh", "recover-batches")


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(JOB_NAMES))
def jobs_run(name):
    """Run one periodic job now, in this process."""
    from services import jobs

    work = {
        "publish": jobs.publish_due,
        "opendata": jobs.export_opendata,
        "purge-batches": jobs.purge_batches,
        "status-refresh": jobs.refresh_status_dependent_search,
        "recover-batches": jobs.recover_batches,
    }[name]
    click.echo(f"{name}: {work()}")


@officials_cli.command("list")
@click.option("--current", is_flag=True, help="Only those in office today.")
def officials_list(current):
    """Officials with their region and term."""
    from services import clock, officials

    for official in officials.list_officials(db.session, clock.today() if current else None):
        region = official.region.name if official.region else "(whole municipality)"
        term = f"{official.valid_from} – {official.valid_to or 'now'}"
        click.echo(f"#{official.id:<5} {region:<28} {official.position:<30} {official.name:<32} {term}")


@officials_cli.command("create")
@click.option("--name", required=True, help="Full name with titles, as printed.")
@click.option("--position", required=True, help='As printed, e.g. "Lurah Gambir".')
@click.option("--region", default=None, help="Kelurahan or kecamatan name; omit for the whole municipality.")
@click.option("--nip", default=None, help="18-digit NIP.")
@click.option("--rank", default=None, help='Pangkat/golongan, e.g. "Penata Tk. I (III/d)".')
@click.option(
    "--from", "valid_from", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (default today)."
)
def officials_create(name, position, region, nip, rank, valid_from):
    """Start an official's term (refused while another term for the region is open)."""
    from services import clock, officials

    try:
        official = officials.create_official(
            db.session,
            name=name,
            position=position,
            region=officials.find_region(db.session, region),
            valid_from=valid_from.date() if valid_from else clock.today(),
            nip=nip,
            rank=rank,
        )
    except officials.OfficialError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created official #{official.id}: {official.name}, {official.position}, from {official.valid_from}.")


@officials_cli.command("end")
@click.argument("official_id", type=int)
@click.option("--on", "last_day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day (default today).")
def officials_end(official_id, last_day):
    """End an official's term on its last day in office."""
    from services import clock, officials

    try:
        official = officials.end_term(db.session, official_id, last_day.date() if last_day else clock.today())
    except officials.OfficialError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Term of #{official.id} {official.name} ends on {official.valid_to}.")


@backup_cli.command("create")
@click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), default=None, help="Default instance/backups."
)
def backup_create(output):
    """Archive the database (consistent while serving), documents, media and signing key, with a manifest."""
    from services import backup

    directory = output or Path(current_app.instance_path) / "backups"
    try:
        path = backup.create(db.engine, current_app.config, current_app.instance_path, directory)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {path} (keep it safe: it holds personal data and the signing key).")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(archive):
    """Check the archive against its manifest, restore it into the empty database, then rebuild the index."""
    from services import backup

    try:
        manifest = backup.restore(db.engine, current_app.config, current_app.instance_path, archive)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.remove()
    click.echo(f"Restored the backup of {manifest['created_at']} ({len(manifest['files'])} files checked).")
    count = rebuild_index(db.session)
    click.echo(f"Indexed {count} records.")


def local_url() -> str:
    """The address `make run` serves on (PORT, default 5000)."""
    return f"http://127.0.0.1:{current_app.config['PORT']}"


def _port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@click.command("setup")
@click.option("--demo-businesses", default=500, show_default=True)
@click.option("--demo-cooperatives", default=40, show_default=True)
def setup(demo_businesses, demo_cooperatives):
    """Everything `make run` needs: migrate, load regions, seed demo data if empty, index."""
    upgrade()
    from services.documents import signing_key

    if signing_key(current_app.config, current_app.instance_path).demo:
        click.echo("No signing key configured: certificates are signed with the local DEMO key in instance/.")
    ctx = click.get_current_context()
    ctx.invoke(regions_load)
    ctx.invoke(
        demo_seed,
        businesses=demo_businesses,
        cooperatives=demo_cooperatives,
        seed=1,
        if_empty=True,
        permits=20,
        source_cooperatives=True,
    )
    ctx.invoke(search_reindex)
    ctx.invoke(demo_accounts)
    deeds = demo.seed_deeds(db.session, config=current_app.config, instance_path=current_app.instance_path)
    if deeds:
        click.echo(f"Issued {deeds} demo founding deeds.")
    # The open-data page offers these files: after setup it is never empty.
    ctx.invoke(opendata_export, licence="CC BY 4.0")
    port = current_app.config["PORT"]
    if not _port_is_free(port):
        raise click.ClickException(
            f"port {port} is already in use on 127.0.0.1: stop what uses it, or choose another (PORT=5001 make run)"
        )
    click.echo(f"Balai will serve on {local_url()}/ (PORT={port}).")


audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
def audit_verify():
    """Recompute the audit log's hash chain; name the first entry that was changed, removed or reordered."""
    result = audit.verify_chain(db.session)
    if not result.intact:
        click.echo(
            f"Audit log BROKEN at entry #{result.first_broken_id} ({result.reason}); "
            f"{result.checked} entries before it are intact.",
            err=True,
        )
        raise SystemExit(1)
    click.echo(f"Audit log intact: {result.checked} entries.")


def register_cli(app: Flask) -> None:
    import cli_documents
    import cli_imports

    for command in (
        regions_cli,
        users_cli,
        demo_cli,
        search_cli,
        opendata_cli,
        kbli_cli,
        jobs_cli,
        backup_cli,
        setup,
        audit_cli,
    ):
        app.cli.add_command(command)
    cli_documents.register(app)
    cli_imports.register(app)
