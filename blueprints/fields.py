"""Form fields shared by every form, whose parse errors speak Indonesian (WTForms ships no Indonesian catalogue).

Every rupiah field of the site is a RupiahField: one parser (services/formatting.parse_rupiah) for
"1.000.000", "Rp 1.000.000" and "1000000".
"""

from __future__ import annotations

from datetime import date

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import StopValidation

from services.formatting import NotRupiah, parse_rupiah


class RupiahField(StringField):
    """Whole rupiah; accepts "1.000.000", "Rp 1.000.000" or "1000000"; None when left empty."""

    not_a_number = _l("Tulis jumlah rupiah dengan angka, misalnya 1.000.000 atau Rp 1.000.000.")

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not self.raw:
            return
        try:
            self.data = parse_rupiah(self.raw)
        except NotRupiah:
            raise ValueError(self.not_a_number) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.shown(self.data)

    @staticmethod
    def shown(value: int) -> str:
        """A stored amount as the form shows it again: grouped as Indonesians write it (1.000.000)."""
        return format_decimal(value, locale="id")


class WholeNumberField(RupiahField):
    """A count or a year: read like rupiah ("9.999"), shown without grouping (a year is 2025, not 2.025)."""

    database_integer = True  # stored in an integer column: blueprints/forms.py bounds it
    not_a_number = _l("Tulis dengan angka saja.")

    @staticmethod
    def shown(value: int) -> str:
        return str(value)


class IndonesianDateField(DateField):
    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Tanggal tidak valid; gunakan format TTTT-BB-HH.")) from None


class Filled:
    """Required input that, unlike DataRequired, keeps a parse error ("not a date") instead of "required"."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.raw_data or not str(field.raw_data[0]).strip():
            field.errors[:] = []
            raise StopValidation(self.message)
