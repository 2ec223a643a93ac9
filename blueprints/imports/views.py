"""Officers bring an existing register in: upload, confirm the column mapping, dry run, apply as a job."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.imports import bp
from blueprints.permissions import allowed
from blueprints.rendering import redirect_to, render
from extensions import db
from services import import_jobs, imports, spreadsheets
from services.import_files import FileProblem

SHOWN_PROBLEMS = 500


def _root():
    return import_jobs.folder(current_app.config, current_app.instance_path)


def _upload_or_404(upload_id: str) -> import_jobs.Upload:
    upload = import_jobs.load_upload(_root(), upload_id, current_user)
    if upload is None:
        abort(404)
    return upload


@bp.route("/", methods=["GET", "POST"])
@allowed("business.manage")
def start():
    error = None
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        try:
            saved = import_jobs.save_upload(
                _root(),
                current_user,
                data,
                upload.filename if upload else "",
                request.form.get("source", ""),
                request.form.get("kind", imports.BUSINESSES),
            )
        except (imports.ImportRefused, FileProblem) as exc:
            error = str(exc)
        else:
            return redirect_to(url_for("imports.mapping", upload_id=saved.id))
    return render(
        "imports/start.html",
        error=error,
        source=request.form.get("source", ""),
        kind=request.form.get("kind", imports.BUSINESSES),
        http_status=400 if error else 200,
    )


def _mapping_from_form(upload: import_jobs.Upload) -> dict[str, str]:
    fields = import_jobs.importer(upload).FIELDS
    return {spec.key: request.form.get(spec.key, "") for spec in fields if request.form.get(spec.key)}


@bp.route("/<upload_id>/", methods=["GET", "POST"])
@allowed("business.manage")
def mapping(upload_id: str):
    """Choose the columns; the dry run then runs as a job and this page (polled by htmx) shows its report."""
    upload = _upload_or_404(upload_id)
    chosen = import_jobs.mapping(db.session, upload)
    problems: list[str] = []
    if request.method == "POST":
        chosen = _mapping_from_form(upload)
        problems = import_jobs.mapping_problems(upload, chosen)
        if not problems:
            import_jobs.save_mapping(db.session, upload, chosen)
            import_jobs.start_check(_root(), upload, chosen)
            return redirect_to(url_for("imports.mapping", upload_id=upload.id))
    check = import_jobs.check_status(_root(), upload.id)
    if check is not None and check.get("mapping") != chosen:
        check = None  # a dry run of another mapping: the officer runs it again
    return render(
        "imports/mapping.html",
        block="check",
        upload=upload,
        columns=import_jobs.columns(upload),
        fields=import_jobs.importer(upload).FIELDS,
        chosen=chosen,
        problems=problems,
        check=check,
        applied=import_jobs.status(_root(), upload.id),
        kinds=import_jobs.importer(upload).COUNTED,
        shown=SHOWN_PROBLEMS,
        http_status=400 if problems else 200,
    )


@bp.get("/<upload_id>/laporan.<fmt>")
@allowed("business.manage")
def report(upload_id: str, fmt: str):
    """The last dry run's problems (row, column, message) as a spreadsheet."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    upload = _upload_or_404(upload_id)
    check = import_jobs.check_status(_root(), upload.id)
    if check is None or check.get("state") != import_jobs.DONE:
        flash(_("Uji coba belum selesai; laporan belum tersedia."), "error")
        return redirect_to(url_for("imports.mapping", upload_id=upload.id))
    rows = check["result"]["problems"]
    name = f"laporan-uji-impor-{upload.id[:8]}.{fmt}"
    if fmt == "csv":
        body, mimetype = spreadsheets.csv_text(imports.REPORT_HEADER, rows), "text/csv; charset=utf-8"
    else:
        body = spreadsheets.xlsx_bytes(imports.REPORT_HEADER, rows, title="Masalah")
        mimetype = spreadsheets.XLSX_MIMETYPE
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/<upload_id>/terapkan")
@allowed("business.manage")
def apply(upload_id: str):
    upload = _upload_or_404(upload_id)
    import_jobs.start_apply(_root(), upload)
    return redirect_to(url_for("imports.progress", upload_id=upload.id))


@bp.get("/<upload_id>/status")
@allowed("business.manage")
def progress(upload_id: str):
    upload = _upload_or_404(upload_id)
    state = import_jobs.status(_root(), upload.id)
    if state is None:
        flash(_("Impor belum dimulai."), "error")
        return redirect_to(url_for("imports.mapping", upload_id=upload.id))
    kinds = import_jobs.importer(upload).COUNTED
    return render("imports/status.html", block="progress", upload=upload, state=state, kinds=kinds)
