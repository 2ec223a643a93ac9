from __future__ import annotations

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.cms import bp
from blueprints.cms.forms import CorrectionForm, MediaForm, NewsForm, PageForm
from blueprints.confirmation import Confirmation, confirmation
from blueprints.confirmation import ask as ask_confirmation
from blueprints.permissions import allowed
from blueprints.rendering import redirect_to, render
from extensions import db
from models.content import NEWS, PAGE
from services import content, media
from services.clock import local_to_utc, utc_to_local, zone_label
from services.clock import now as clock_now
from services.richtext import render_markdown

KINDS = {"halaman": PAGE, "berita": NEWS}


def _kind(slug: str) -> str:
    if slug not in KINDS:
        abort(404)
    return KINDS[slug]


def _item(kind_slug: str, item_id: int):
    item = content.get_item(db.session, _kind(kind_slug), item_id)
    if item is None:
        abort(404)
    return item


def _tz() -> str:
    return current_app.config["TIMEZONE"]


def _form_for(kind: str, item=None, formdata=None):
    form_class = PageForm if kind == PAGE else NewsForm
    form = form_class(formdata=formdata, obj=item)
    if item is not None and formdata is None:
        form.note.data = ""
        if item.publish_at:
            form.publish_at.data = utc_to_local(item.publish_at, _tz()).replace(tzinfo=None)
    if kind == PAGE:
        others = [page for page in content.admin_list(db.session, PAGE) if item is None or page.id != item.id]
        form.parent_id.choices = [SelectChoice(None, _("— tanpa induk —"))] + [
            SelectChoice(page.id, page.title) for page in others
        ]
    else:
        form.image_id.choices = [SelectChoice(None, _("— tanpa gambar —"))] + [
            SelectChoice(image.id, f"{image.alt_text} ({image.original_name})") for image in media.images(db.session)
        ]
    return form


def _input_from(form, kind: str) -> content.ContentInput:
    publish_at = form.publish_at.data
    data = content.ContentInput(
        title=form.title.data or "",
        slug=form.slug.data or "",
        body=form.body.data or "",
        summary=form.summary.data,
        publish_at=local_to_utc(publish_at, _tz()) if publish_at else None,
        note=form.note.data,
    )
    if kind == PAGE:
        data.parent_id = form.parent_id.data
        data.menu_order = form.menu_order.data or 0
        data.show_in_menu = form.show_in_menu.data
    else:
        data.image_id = form.image_id.data
    return data


def _edit_page(kind_slug: str, form, item=None, status: int = 200, preview: str | None = None):
    return render(
        "cms/edit.html",
        block="editor",
        http_status=status,
        form=form,
        item=item,
        kind_slug=kind_slug,
        kind=KINDS[kind_slug],
        preview=preview,
        zone=zone_label(_tz()),
        pending_draft=item is not None and content.has_pending_draft(item),
        was_published=item is not None and content.was_published(item),
        may_remove=item is not None and content.may_remove(item, current_user),
        overdue=item is not None and content.is_overdue(item, clock_now()),
    )


@bp.get("/")
@allowed("content.edit")
def index():
    now = clock_now()
    return render(
        "cms/index.html",
        pages=content.admin_list(db.session, PAGE),
        news=content.admin_list(db.session, NEWS),
        is_overdue=lambda item: content.is_overdue(item, now),
        zone=zone_label(_tz()),
    )


@bp.route("/<kind_slug>/baru", methods=["GET", "POST"])
@allowed("content.edit")
def create(kind_slug: str):
    kind = _kind(kind_slug)
    form = _form_for(kind, formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        return _edit_page(kind_slug, form)
    return _save(kind_slug, kind, form, None)


@bp.route("/<kind_slug>/<int:item_id>", methods=["GET", "POST"])
@allowed("content.edit")
def edit(kind_slug: str, item_id: int):
    item = _item(kind_slug, item_id)
    if request.method == "GET":
        return _edit_page(kind_slug, _form_for(item.kind, item), item)
    return _save(kind_slug, item.kind, _form_for(item.kind, item, formdata=request.form), item)


def _save(kind_slug: str, kind: str, form, item):
    action = request.form.get("action", content.SAVE_DRAFT)
    if action == "preview":
        return _edit_page(kind_slug, form, item, preview=render_markdown(form.body.data))
    if not form.validate():
        return _edit_page(kind_slug, form, item, status=422)
    try:
        saved = content.save(db.session, kind, item, _input_from(form, kind), current_user, action)
    except content.ContentError as exc:
        target = getattr(form, exc.field, None)
        if target is not None:
            target.errors = [*target.errors, str(exc.message)]
        else:
            form.form_errors.append(str(exc.message))
        return _edit_page(kind_slug, form, item, status=422)
    messages = {
        content.PUBLISH: _("Diterbitkan."),
        content.SCHEDULE: _("Dijadwalkan terbit."),
        content.SAVE_DRAFT: _("Draf disimpan. Versi yang tayang tidak berubah."),
    }
    flash(messages.get(action, _("Disimpan.")), "success")
    return redirect_to(url_for("cms.edit", kind_slug=kind_slug, item_id=saved.id))


@bp.route("/<kind_slug>/<int:item_id>/koreksi", methods=["GET", "POST"])
@allowed("content.edit")
def correct(kind_slug: str, item_id: int):
    item = _item(kind_slug, item_id)
    live = item.live_revision
    if live is None:
        abort(404)
    if request.method == "GET":
        form = CorrectionForm(data={"title": live.title, "summary": live.summary, "body": live.body})
        return render("cms/correct.html", form=form, item=item, kind_slug=kind_slug)
    form = CorrectionForm()
    if form.validate():
        try:
            content.correct_live(
                db.session, item, form.title.data, form.summary.data, form.body.data, current_user, form.note.data
            )
        except content.ContentError as exc:
            form.form_errors.append(str(exc.message))
        else:
            flash(_("Versi yang tayang sudah dikoreksi; draf yang tertunda tetap draf."), "success")
            return redirect_to(url_for("cms.edit", kind_slug=kind_slug, item_id=item.id))
    return render("cms/correct.html", block="editor", http_status=422, form=form, item=item, kind_slug=kind_slug)


@bp.get("/<kind_slug>/<int:item_id>/revisi")
@allowed("content.edit")
def revisions(kind_slug: str, item_id: int):
    item = _item(kind_slug, item_id)
    history = content.revisions_of(db.session, item)
    by_id = {revision.id: revision for revision in history}
    older, newer = by_id.get(request.args.get("a", type=int)), by_id.get(request.args.get("b", type=int))
    diff = None
    if older is not None and newer is not None:
        if older.id > newer.id:
            older, newer = newer, older
        diff = content.diff_revisions(older, newer)
    return render(
        "cms/revisions.html",
        block="diff",
        item=item,
        kind_slug=kind_slug,
        history=history,
        diff=diff,
        older=older,
        newer=newer,
    )


@confirmation("content_restore")
def _restore_confirmation(item, revision, kind_slug: str) -> Confirmation:
    if item.live_revision_id:
        return Confirmation(
            title=_("Pulihkan revisi #%(id)s dan terbitkan?", id=revision.id),
            consequence=_(
                "Judul dan isi revisi #%(id)s langsung tayang di situs menggantikan versi sekarang. "
                "Versi sekarang tetap tersimpan di riwayat revisi dan dapat dipulihkan lagi.",
                id=revision.id,
            ),
            confirm_label=_("Ya, pulihkan dan terbitkan"),
            cancel_url=url_for("cms.revisions", kind_slug=kind_slug, item_id=item.id),
        )
    return Confirmation(
        title=_("Pulihkan revisi #%(id)s sebagai draf?", id=revision.id),
        consequence=_(
            "Draf sekarang diganti dengan judul dan isi revisi #%(id)s; tidak ada yang tayang. "
            "Draf sekarang tetap tersimpan di riwayat revisi.",
            id=revision.id,
        ),
        confirm_label=_("Ya, pulihkan sebagai draf"),
        cancel_url=url_for("cms.revisions", kind_slug=kind_slug, item_id=item.id),
        danger=False,
    )


@bp.post("/<kind_slug>/<int:item_id>/revisi/<int:revision_id>/pulihkan")
@allowed("content.edit")
def restore(kind_slug: str, item_id: int, revision_id: int):
    item = _item(kind_slug, item_id)
    revision = content.get_revision(db.session, revision_id)
    if revision is None or revision.content_kind != item.kind or revision.content_id != item.id:
        abort(404)
    page = ask_confirmation("content_restore", item, revision, kind_slug)
    if page is not None:
        return page
    # What the editor confirmed decides, not a form field: live content is published again at once.
    publish = item.live_revision_id is not None
    try:
        content.restore(db.session, item, revision, current_user, publish=publish)
    except content.ContentError as exc:
        flash(str(exc.message), "error")
        return redirect_to(url_for("cms.revisions", kind_slug=kind_slug, item_id=item.id))
    if publish:
        flash(_("Revisi #%(id)s dipulihkan dan diterbitkan.", id=revision.id), "success")
    else:
        flash(_("Revisi #%(id)s dipulihkan sebagai draf.", id=revision.id), "success")
    return redirect_to(url_for("cms.edit", kind_slug=kind_slug, item_id=item.id))


@bp.post("/<kind_slug>/<int:item_id>/arsipkan")
@allowed("content.edit")
def archive(kind_slug: str, item_id: int):
    item = _item(kind_slug, item_id)
    content.archive(db.session, item, current_user)
    flash(_("Diarsipkan: tidak lagi tampil di situs. Keluarkan dari arsip untuk membatalkan."), "success")
    return redirect_to(url_for("cms.edit", kind_slug=kind_slug, item_id=item.id))


@bp.post("/<kind_slug>/<int:item_id>/keluarkan-dari-arsip")
@allowed("content.edit")
def unarchive(kind_slug: str, item_id: int):
    item = _item(kind_slug, item_id)
    try:
        content.unarchive(db.session, item, current_user)
    except content.ContentError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Dikeluarkan dari arsip sebagai draf; terbitkan lagi bila perlu."), "success")
    return redirect_to(url_for("cms.edit", kind_slug=kind_slug, item_id=item.id))


@confirmation("content_remove")
def _remove_confirmation(item, kind_slug: str) -> Confirmation:
    if content.was_published(item):
        return Confirmation(
            title=_("Hapus permanen “%(title)s”?", title=item.title),
            consequence=_(
                "Konten ini pernah terbit. Konten, seluruh revisinya dan alamat lamanya dihapus; tautan ke "
                "konten ini tidak berfungsi lagi. Tindakan ini tidak dapat dibatalkan. Untuk menurunkannya "
                "dari situs saja, pilih Arsipkan."
            ),
            confirm_label=_("Ya, hapus permanen"),
            cancel_url=url_for("cms.edit", kind_slug=kind_slug, item_id=item.id),
        )
    return Confirmation(
        title=_("Hapus draf “%(title)s”?", title=item.title),
        consequence=_(
            "Draf ini belum pernah terbit. Draf dan seluruh revisinya dihapus; tindakan ini tidak dapat dibatalkan."
        ),
        confirm_label=_("Ya, hapus draf"),
        cancel_url=url_for("cms.edit", kind_slug=kind_slug, item_id=item.id),
    )


@bp.post("/<kind_slug>/<int:item_id>/hapus")
@allowed("content.edit")
def remove(kind_slug: str, item_id: int):
    item = _item(kind_slug, item_id)
    if not content.may_remove(item, current_user):
        abort(403)
    page = ask_confirmation("content_remove", item, kind_slug)
    if page is not None:
        return page
    content.remove(db.session, item, current_user)
    flash(_("Dihapus."), "success")
    return redirect_to(url_for("cms.index"))


@bp.post("/pratinjau")
@allowed("content.edit")
def preview():
    """The live preview (htmx): the body as the public will see it."""
    return render_markdown(request.form.get("body", ""))


@bp.route("/media", methods=["GET", "POST"])
@allowed("content.edit")
def media_library():
    form = MediaForm()
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        if not form.validate():
            status = 422
        else:
            try:
                stored = media.store_upload(
                    db.session,
                    current_app.config["MEDIA_DIR"],
                    upload.read() if upload else b"",
                    upload.filename if upload else "",
                    form.alt_text.data,
                    current_user,
                    current_app.config["MEDIA_MAX_BYTES"],
                )
            except media.MediaError as exc:
                getattr(form, exc.field).errors = [str(exc.message)]
                status = 422
            else:
                flash(_("Berkas diunggah: %(name)s", name=stored.original_name), "success")
                return redirect_to(url_for("cms.media_library"))
    return render(
        "cms/media.html",
        block="editor",
        http_status=status,
        form=form,
        files=media.library(db.session),
        snippet=media.markdown_snippet,
        max_mb=current_app.config["MEDIA_MAX_BYTES"] // (1024 * 1024),
    )


@confirmation("media_remove")
def _media_remove_confirmation(item) -> Confirmation:
    return Confirmation(
        title=_("Hapus berkas “%(name)s”?", name=item.original_name),
        consequence=_(
            "Berkas dihapus dari situs; halaman dan berita yang menampilkan atau menautkannya akan kehilangan "
            "gambar atau tautannya. Tindakan ini tidak dapat dibatalkan."
        ),
        confirm_label=_("Ya, hapus berkas"),
        cancel_url=url_for("cms.media_library"),
    )


@bp.post("/media/<int:media_id>/hapus")
@allowed("content.edit")
def media_remove(media_id: int):
    item = media.get_file(db.session, media_id)
    if item is None:
        abort(404)
    page = ask_confirmation("media_remove", item)
    if page is not None:
        return page
    media.remove(db.session, current_app.config["MEDIA_DIR"], item, current_user)
    flash(_("Berkas dihapus."), "success")
    return redirect_to(url_for("cms.media_library"))
