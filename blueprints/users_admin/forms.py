from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from blueprints.forms import BalaiForm
from services.labels import STAFF_ROLE_LABELS


class AccountForm(BalaiForm):
    """Name, e-mail, role and kecamatan scope; `kecamatan` choices are filled by the view."""

    full_name = StringField(
        _l("Nama lengkap"), validators=[DataRequired(_l("Nama lengkap wajib diisi.")), Length(max=120)]
    )
    email = EmailField(
        _l("Surel"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Alamat surel tidak valid.")),
        ],
        description=_l("Tautan untuk membuat kata sandi dikirim ke alamat ini bila server surel dikonfigurasi."),
    )
    role = SelectField(_l("Peran"), choices=STAFF_ROLE_LABELS, validate_choice=True)
    kecamatan = SelectField(
        _l("Wilayah kerja"),
        choices=[],
        validate_choice=True,
        description=_l("Petugas dapat dibatasi ke satu kecamatan; peran lain selalu seluruh wilayah."),
    )

    def set_kecamatan_choices(self, regions) -> None:
        self.kecamatan.choices = [("", str(_l("Seluruh wilayah")))] + [(str(r.id), r.name) for r in regions]

    def kecamatan_id(self) -> int | None:
        return int(self.kecamatan.data) if self.kecamatan.data else None


class NewAccountForm(AccountForm):
    username = StringField(
        _l("Nama pengguna"),
        validators=[
            DataRequired(_l("Nama pengguna wajib diisi.")),
            Regexp(
                r"^[A-Za-z0-9._-]{3,80}$",
                message=_l("Nama pengguna 3 sampai 80 karakter: huruf, angka, titik, garis bawah atau tanda hubung."),
            ),
        ],
        render_kw={"autocapitalize": "none", "autocomplete": "off"},
    )
