"""Form fields whose parse errors speak Indonesian (WTForms ships no Indonesian catalogue)."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField


class RupiahField(StringField):
    """Whole rupiah; accepts "100.000", "Rp 100.000" or "100000"; None when left empty."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not self.raw:
            return
        cleaned = re.sub(r"^rp\.?\s*", "", self.raw, flags=re.IGNORECASE).replace(".", "").replace(" ", "")
        if not re.fullmatch(r"-?\d{1,15}", cleaned):
            raise ValueError(_l("Tulis jumlah rupiah dengan angka saja, misalnya 100000."))
        self.data = int(cleaned)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class WholeNumberField(RupiahField):
    """A count (members, members present)."""


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
