from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import EmailField, FieldList, FormField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from blueprints.fields import Filled, IndonesianDateField, RupiahField, WholeNumberField
from blueprints.forms import BalaiForm, BalaiSubform
from services.digits import ascii_digits

KIND_CHOICES = [
    SelectChoice("simpan_pinjam", _l("Simpan pinjam")),
    SelectChoice("konsumen", _l("Konsumen")),
    SelectChoice("produsen", _l("Produsen")),
    SelectChoice("pemasaran", _l("Pemasaran")),
    SelectChoice("jasa", _l("Jasa")),
]
LEVEL_CHOICES = [
    SelectChoice("primer", _l("Primer (anggota perorangan)")),
    SelectChoice("sekunder", _l("Sekunder (anggota koperasi)")),
]


class FounderForm(BalaiSubform):
    full_name = StringField(_l("Nama lengkap"), validators=[Length(max=150)])
    nik = StringField(
        _l("NIK"),
        validators=[Regexp(r"^[0-9]{16}$", message=_l("NIK harus 16 angka."))],
        filters=[ascii_digits],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 16},
    )
    birth_place = StringField(_l("Tempat lahir"), validators=[Length(max=100)])
    birth_date = IndonesianDateField(_l("Tanggal lahir"), validators=[Optional()])
    address = StringField(_l("Alamat"), validators=[Length(max=500)])


class OfficialForm(BalaiSubform):
    full_name = StringField(_l("Nama"), validators=[Length(max=150)])
    title = StringField(_l("Jabatan"), validators=[Length(max=80)])


class MemberForm(BalaiSubform):
    name = StringField(_l("Nama koperasi anggota"), validators=[Length(max=200)])
    legal_entity_number = StringField(_l("Nomor badan hukum"), validators=[Length(max=100)])


ROW_FORMS = {"founders": FounderForm, "board": OfficialForm, "supervisors": OfficialForm, "members": MemberForm}


class CooperativeForm(BalaiForm):
    name = StringField(
        _l("Nama koperasi"), validators=[DataRequired(_l("Nama koperasi wajib diisi.")), Length(max=200)]
    )
    kind = SelectField(_l("Jenis"), choices=KIND_CHOICES, validate_choice=False)
    level = SelectField(_l("Tingkat"), choices=LEVEL_CHOICES, validate_choice=False)
    seat_address = TextAreaField(
        _l("Alamat kedudukan"), validators=[DataRequired(_l("Alamat kedudukan wajib diisi.")), Length(max=500)]
    )
    kelurahan_id = StringField(_l("Kelurahan"))
    kampungs = TextAreaField(_l("Kampung yang dilayani"), validators=[Length(max=2000)])
    founding_date = IndonesianDateField(_l("Tanggal pendirian"), validators=[Optional()])
    deed_number = StringField(_l("Nomor akta pendirian"), validators=[Length(max=100)])
    deed_date = IndonesianDateField(_l("Tanggal akta"), validators=[Optional()])
    notary_name = StringField(_l("Nama notaris"), validators=[Length(max=150)])
    notary_npak_decree = StringField(_l("SK Notaris Pembuat Akta Koperasi (NPAK)"), validators=[Length(max=150)])
    legal_entity_number = StringField(_l("Nomor SK badan hukum"), validators=[Length(max=100)])
    legal_entity_date = IndonesianDateField(_l("Tanggal SK badan hukum"), validators=[Optional()])
    nib = StringField(
        _l("NIB"),
        validators=[Optional(), Regexp(r"^[0-9]{13}$", message=_l("NIB harus 13 angka."))],
        filters=[ascii_digits],
        render_kw={"inputmode": "numeric"},
    )
    nomor_induk_koperasi = StringField(_l("Nomor Induk Koperasi"), validators=[Length(max=30)])
    purpose = TextAreaField(_l("Maksud dan tujuan"), validators=[Length(max=2000)])
    business_fields = TextAreaField(_l("Bidang usaha"), validators=[Length(max=2000)])
    duration = StringField(_l("Jangka waktu"), validators=[Length(max=100)])
    # Non-negative amounts are a rule of the service (services/cooperatives.py), checked there once.
    simpanan_pokok_rupiah = RupiahField(_l("Simpanan pokok (Rp)"))
    simpanan_wajib_rupiah = RupiahField(_l("Simpanan wajib per bulan (Rp)"))
    member_count = WholeNumberField(_l("Jumlah anggota"))
    founders = FieldList(FormField(FounderForm), label=_l("Pendiri"), min_entries=1)
    board = FieldList(FormField(OfficialForm), label=_l("Pengurus"), min_entries=1)
    supervisors = FieldList(FormField(OfficialForm), label=_l("Pengawas"), min_entries=1)
    members = FieldList(FormField(MemberForm), label=_l("Koperasi anggota"), min_entries=0)


class RatForm(BalaiForm):
    financial_year = WholeNumberField(
        _l("Tahun buku"), validators=[Filled(_l("Tahun buku wajib diisi."))], render_kw={"inputmode": "numeric"}
    )
    meeting_date = IndonesianDateField(_l("Tanggal RAT"), validators=[Filled(_l("Tanggal RAT wajib diisi."))])
    members_present = WholeNumberField(
        _l("Anggota hadir"), validators=[Filled(_l("Jumlah anggota hadir wajib diisi."))]
    )
    shu_rupiah = RupiahField(_l("Sisa hasil usaha / SHU (Rp)"))
    total_assets_rupiah = RupiahField(_l("Total aset (Rp)"))
    minutes = FileField(_l("Notulen RAT (PDF, opsional)"))


class MinutesForm(BalaiForm):
    minutes = FileField(_l("Notulen RAT (PDF)"))


class RejectRatForm(BalaiForm):
    reason = TextAreaField(
        _l("Alasan penolakan"),
        validators=[Filled(_l("Tulis alasan penolakan; koperasi akan membacanya.")), Length(max=1000)],
    )


class InvitationForm(BalaiForm):
    contact_name = StringField(
        _l("Nama penerima undangan"),
        validators=[DataRequired(_l("Nama penerima undangan wajib diisi.")), Length(max=120)],
    )
    email = EmailField(_l("Surel (opsional)"), validators=[Optional(), Length(max=254)])
