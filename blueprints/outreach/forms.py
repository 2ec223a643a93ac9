"""Forms of the outreach flow: the public report, planning a visit, recording its outcome, a delivery."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from blueprints.forms import BalaiForm
from models.outreach import NOT_ELIGIBLE, NOT_FOUND, VISITED
from services.digits import ascii_digits
from services.reasons import DELIVERY_FAILURE_REASONS, NOT_ELIGIBLE_REASONS
from services.registry import RegistryError, normalise_phone

REQUIRED = _l("Wajib diisi.")

REPORTER_ROLE_CHOICES = [
    ("pemilik", _l("Pemilik usaha")),
    ("pendamping", _l("Pendamping Jakpreneur")),
    ("tetangga", _l("Tetangga atau warga")),
]


def _one_line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class ReportForm(BalaiForm):
    business_name = StringField(
        _l("Nama usaha"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=_l("Paling banyak 200 karakter."))],
        filters=[_one_line],
    )
    activity = StringField(
        _l("Kegiatan usaha"),
        validators=[DataRequired(REQUIRED), Length(max=255, message=_l("Paling banyak 255 karakter."))],
        filters=[_one_line],
    )
    kelurahan_id = SelectField(_l("Kelurahan"), coerce=int, validate_choice=False)
    address = TextAreaField(
        _l("Alamat usaha"),
        validators=[DataRequired(REQUIRED), Length(max=500, message=_l("Paling banyak 500 karakter."))],
    )
    reporter_role = RadioField(_l("Anda melapor sebagai"), choices=REPORTER_ROLE_CHOICES, validate_choice=False)
    reporter_name = StringField(
        _l("Nama pelapor"),
        validators=[DataRequired(REQUIRED), Length(max=150, message=_l("Paling banyak 150 karakter."))],
        filters=[_one_line],
    )
    reporter_phone = StringField(
        _l("Nomor telepon pelapor"), validators=[DataRequired(REQUIRED)], filters=[ascii_digits]
    )

    def __init__(self, *args, kelurahan=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kelurahan_id.choices = [(0, _l("— pilih kelurahan —"))] + [
            (r.id, f"{r.name} ({r.parent.name})" if r.parent else r.name) for r in kelurahan
        ]
        self._allowed_kelurahan = {r.id for r in kelurahan}

    def validate_kelurahan_id(self, field):
        if field.data not in self._allowed_kelurahan:
            raise ValidationError(_l("Pilih kelurahan dari daftar."))

    def validate_reporter_role(self, field):
        if field.data not in dict(REPORTER_ROLE_CHOICES):
            raise ValidationError(_l("Pilih salah satu."))

    def validate_reporter_phone(self, field):
        try:
            field.data = normalise_phone(field.data)
        except RegistryError as exc:
            raise ValidationError(str(exc)) from None


class PlanForm(BalaiForm):
    visit_on = DateField(_l("Tanggal kunjungan"), validators=[DataRequired(_l("Isi tanggal kunjungan."))])
    officer_id = SelectField(_l("Petugas"), coerce=int, validate_choice=False)


OUTCOME_CHOICES = [
    (VISITED, _l("Dikunjungi")),
    (NOT_FOUND, _l("Usaha tidak ditemukan")),
    (NOT_ELIGIBLE, _l("Tidak memenuhi syarat")),
]


class OutcomeForm(BalaiForm):
    outcome = RadioField(_l("Hasil kunjungan"), choices=OUTCOME_CHOICES, validate_choice=False)
    visited_on = DateField(_l("Tanggal kunjungan"), validators=[DataRequired(_l("Isi tanggal kunjungan."))])
    reason = SelectField(
        _l("Alasan (bila tidak memenuhi syarat)"),
        choices=[("", "—")] + list(NOT_ELIGIBLE_REASONS.items()),
        validate_choice=False,
        validators=[Optional()],
    )

    def validate_outcome(self, field):
        if field.data not in dict(OUTCOME_CHOICES):
            raise ValidationError(_l("Pilih hasil kunjungan."))

    def validate_reason(self, field):
        if self.outcome.data == NOT_ELIGIBLE and field.data not in NOT_ELIGIBLE_REASONS:
            raise ValidationError(_l("Pilih alasan dari daftar."))


class RunForm(BalaiForm):
    kecamatan_id = SelectField(_l("Kecamatan"), coerce=int, validate_choice=False)
    run_on = DateField(_l("Tanggal pengantaran"), validators=[DataRequired(REQUIRED)])
    courier_user_id = SelectField(_l("Kurir (pengguna)"), coerce=int, validate_choice=False)
    courier_name = StringField(
        _l("Atau nama kurir"),
        validators=[Optional(), Length(max=150, message=_l("Paling banyak 150 karakter."))],
        filters=[lambda v: _one_line(v) or None],
    )


DELIVERY_RESULT_CHOICES = [("diterima", _l("Diterima")), ("gagal", _l("Gagal diantar"))]


class DeliveryForm(BalaiForm):
    result = RadioField(_l("Hasil"), choices=DELIVERY_RESULT_CHOICES, validate_choice=False)
    received_by = StringField(
        _l("Diterima oleh"),
        validators=[Optional(), Length(max=150, message=_l("Paling banyak 150 karakter."))],
        filters=[lambda v: _one_line(v) or None],
    )
    received_at = StringField(_l("Tanggal dan jam"), validators=[Optional()])
    reason = SelectField(
        _l("Alasan gagal"), choices=[("", "—")] + list(DELIVERY_FAILURE_REASONS.items()), validate_choice=False
    )
    rescheduled_on = DateField(_l("Dijadwalkan ulang"), validators=[Optional()])
    notes = TextAreaField(
        _l("Catatan"), validators=[Optional(), Length(max=500, message=_l("Paling banyak 500 karakter."))]
    )
