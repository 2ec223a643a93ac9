from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from blueprints.forms import BalaiForm


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ContentForm(BalaiForm):
    title = StringField(_l("Judul"), validators=[DataRequired(_l("Judul wajib diisi.")), Length(max=200)])
    slug = StringField(
        _l("Alamat (slug)"),
        validators=[Optional(), Length(max=120)],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    summary = TextAreaField(_l("Ringkasan"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
    body = TextAreaField(_l("Isi (Markdown)"), validators=[Optional(), Length(max=100_000)], render_kw={"rows": 18})
    publish_at = DateTimeLocalField(
        _l("Waktu terbit (WIB)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    note = StringField(_l("Catatan revisi"), validators=[Optional(), Length(max=255)])


class PageForm(ContentForm):
    parent_id = SelectField(_l("Halaman induk"), coerce=_optional_int, validators=[Optional()])
    menu_order = IntegerField(_l("Urutan di menu"), default=0, validators=[Optional(), NumberRange(-999, 999)])
    show_in_menu = BooleanField(_l("Tampilkan di menu utama"))


class NewsForm(ContentForm):
    image_id = SelectField(_l("Gambar utama"), coerce=_optional_int, validators=[Optional()])


class CorrectionForm(BalaiForm):
    title = StringField(_l("Judul"), validators=[DataRequired(_l("Judul wajib diisi.")), Length(max=200)])
    summary = TextAreaField(_l("Ringkasan"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
    body = TextAreaField(_l("Isi (Markdown)"), validators=[Optional(), Length(max=100_000)], render_kw={"rows": 18})
    note = StringField(_l("Catatan revisi"), validators=[Optional(), Length(max=255)])


class MediaForm(BalaiForm):
    file = FileField(_l("Berkas (JPEG, PNG, WebP atau PDF)"))
    alt_text = StringField(_l("Teks alternatif (wajib untuk gambar)"), validators=[Optional(), Length(max=255)])
