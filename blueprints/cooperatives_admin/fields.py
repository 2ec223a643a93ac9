"""Form fields whose parse errors speak Indonesian (WTForms ships no Indonesian catalogue)."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import StopValidation


class RupiahField(StringField):
    """Whole rupiah; accepts "100.000", "Rp 100.000" or "100000"; None when left empty."""

    not_a_number = _l("Tulis jumlah rupiah dengan angka saja, misalnya 100000.")

    def process_formdata(self, valuelist):
        self.raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not self.raw:
            return
        cleaned = re.sub(r"^rp\.?\s*", "", self.raw, flags=re.IGNORECASE).replace(".", "").replace(" ", "")
        if not re.fullmatch(r"-?\d{1,15}", cleaned):
            raise ValueError(self.not_a_number)
        self.data = int(cleaned)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class WholeNumberField(RupiahField):
    """A count or a year."""

    database_integer = True  # stored in an integer column: blueprints/forms.py bounds it
    not_a_number = _l("Tulis dengan angka saja.")


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
