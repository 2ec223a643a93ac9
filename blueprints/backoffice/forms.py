"""Forms of the back office: a business with its owner, revocation, batch printing."""

from __future__ import annotations

import re

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from blueprints.fields import RupiahField
from blueprints.forms import BalaiForm
from models.business import BUSINESS_STATUSES, LEGAL_FORMS, PREMISES
from services import oss, reasons
from services.digits import ascii_digits
from services.labels import BUSINESS_STATUS_LABELS, LEGAL_FORM_LABELS, PREMISES_LABELS
from services.registry import RegistryError, kbli_by_code, nik_problem, normalise_phone

LEGAL_FORM_CHOICES = [SelectChoice(code, label) for code, label in LEGAL_FORM_LABELS.items()]
PREMISES_CHOICES = [SelectChoice(code, label) for code, label in PREMISES_LABELS.items()]
STATUS_CHOICES = [SelectChoice(code, label) for code, label in BUSINESS_STATUS_LABELS.items()]
REQUIRED = _l("Wajib diisi.")
assert {c.value for c in LEGAL_FORM_CHOICES} == set(LEGAL_FORMS)
assert {c.value for c in PREMISES_CHOICES} == set(PREMISES)
assert {c.value for c in STATUS_CHOICES} == set(BUSINESS_STATUSES)


class BusinessForm(BalaiForm):
    owner_nik = StringField(_l("NIK pemilik"), validators=[DataRequired(REQUIRED)], filters=[ascii_digits])
    use_existing_owner = HiddenField()
    owner_name = StringField(_l("Nama pemilik"), validators=[DataRequired(REQUIRED), Length(max=150)])
    owner_phone = StringField(_l("Nomor telepon"), validators=[DataRequired(REQUIRED)], filters=[ascii_digits])
    owner_address = TextAreaField(_l("Alamat rumah pemilik"), validators=[DataRequired(REQUIRED), Length(max=500)])
    owner_birth_date = DateField(_l("Tanggal lahir"), validators=[Optional()])
    name = StringField(_l("Nama usaha"), validators=[DataRequired(REQUIRED), Length(max=200)])
    legal_form = SelectField(_l("Bentuk usaha"), choices=LEGAL_FORM_CHOICES, default="perseorangan")
    kelurahan_id = SelectField(_l("Kelurahan"), coerce=int, validate_choice=False)
    address = TextAreaField(_l("Alamat usaha"), validators=[DataRequired(REQUIRED), Length(max=500)])
    kbli_code = StringField(_l("Kode KBLI"), validators=[Optional()])
    activity = StringField(_l("Kegiatan usaha"), validators=[DataRequired(REQUIRED), Length(max=255)])
    premises = SelectField(_l("Sarana usaha"), choices=PREMISES_CHOICES, default="milik_sendiri")
    kbli_other = StringField(_l("KBLI lain (opsional)"), validators=[Optional(), Length(max=200)])
    capital_rupiah = RupiahField(
        _l("Modal usaha (Rp, tanpa tanah dan bangunan)"),
        validators=[Optional(), NumberRange(min=0, message=_l("Modal usaha tidak boleh negatif."))],
    )
    workers = IntegerField(_l("Jumlah pekerja"), validators=[Optional(), NumberRange(min=0, max=99)])
    npwp = StringField(
        _l("NPWP (opsional)"),
        validators=[Optional(), Regexp(r"^[0-9.\-]{15,20}$", message=_l("NPWP berisi 15 atau 16 angka."))],
    )
    nib = StringField(
        _l("NIB (opsional)"),
        validators=[Optional(), Regexp(r"^[0-9]{13}$", message=_l("NIB harus 13 angka."))],
        filters=[ascii_digits],
    )
    status = SelectField(_l("Status usaha"), choices=STATUS_CHOICES, default="operating")

    def __init__(self, *args, kelurahan=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._allowed_kelurahan = {region.id for region in kelurahan}
        self.kelurahan_id.choices = [SelectChoice(0, _l("— pilih kelurahan —"))] + [
            SelectChoice(region.id, f"{region.name} (Kec. {region.parent.name})" if region.parent else region.name)
            for region in kelurahan
        ]

    def validate_owner_nik(self, field):
        problem = nik_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_owner_phone(self, field):
        try:
            field.data = normalise_phone(field.data)
        except RegistryError as exc:
            raise ValidationError(str(exc)) from None

    def validate_kelurahan_id(self, field):
        if field.data not in self._allowed_kelurahan:
            raise ValidationError(_l("Pilih kelurahan dari daftar."))

    def validate_capital_rupiah(self, field):
        rules = oss.rules(current_app.config)
        if field.data is not None and rules.size_class(field.data) is None:
            raise ValidationError(
                _l(
                    "Modal usaha di atas Rp%(limit)s bukan usaha mikro atau kecil (PP 7/2021).",
                    limit=format_decimal(rules.capital_max, locale="id"),
                )
            )

    def validate_kbli_other(self, field):
        codes = [code for code in re.split(r"[\s,;]+", field.data or "") if code]
        unknown = [code for code in codes if kbli_by_code(_session(), code) is None]
        if unknown:
            raise ValidationError(_l("Kode KBLI tidak dikenal: %(codes)s.", codes=", ".join(unknown)))
        field.data = " ".join(dict.fromkeys(codes))

    def validate_kbli_code(self, field):
        code = (field.data or "").split(" ")[0].strip()
        if kbli_by_code(_session(), code) is None:
            raise ValidationError(_l("Kode KBLI tidak dikenal: cari dengan kode atau kata kunci."))
        field.data = code


def _session():
    from extensions import db

    return db.session


class RevokeForm(BalaiForm):
    reason_code = SelectField(
        _l("Alasan pencabutan (tampil di halaman verifikasi publik)"),
        choices=[("", _l("— pilih alasan —")), *reasons.revocation_choices()],
        validators=[DataRequired(_l("Pilih alasan pencabutan dari daftar."))],
    )
    note = TextAreaField(
        _l("Catatan internal (hanya untuk petugas, tidak pernah dipublikasikan)"),
        validators=[Optional(), Length(max=1000, message=_l("Catatan paling banyak 1000 karakter."))],
    )


class BatchForm(BalaiForm):
    issued_on = DateField(_l("Tanggal terbit"), validators=[DataRequired(REQUIRED)])
    kelurahan_id = SelectField(_l("Kelurahan"), coerce=int, validate_choice=False)
    include_all = BooleanField(_l("Termasuk izin yang dicabut atau digantikan"))
