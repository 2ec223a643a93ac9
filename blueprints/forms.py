"""THE base of every form: input hygiene at the edge, added to each field as the form is bound.

- text fields: services.safe_text (no NUL, control characters, bidi overrides, invisible or unknown
  characters; in names and addresses, nothing the certificate font cannot draw, no emoji);
- date fields: a sane range of years (no year 1, no year 9999);
- integer fields without a range of their own: the database's integer range.
Forms inherit BalaiForm (Flask-WTF, with CSRF) or, for sub-forms in a FieldList, BalaiSubform.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeField, DateTimeLocalField, Form, IntegerField, PasswordField, StringField
from wtforms.fields import TextAreaField
from wtforms.meta import DefaultMeta
from wtforms.validators import NumberRange, StopValidation

from services.safe_text import problem

# Field names whose values are printed on certificates and deeds.
PRINTED_FIELD = re.compile(r"(^|_)(name|address)$")
YEAR_MIN, YEAR_MAX = 1870, 2100
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class SafeText:
    """Refuses hostile or unprintable characters with a message naming the character; stops the chain."""

    def __init__(self, *, multiline: bool, printed: bool):
        self.multiline, self.printed = multiline, printed

    def __call__(self, _form, field):
        values = field.data if isinstance(field.data, list) else [field.data]
        for value in values:
            if isinstance(value, str):
                message = problem(value, multiline=self.multiline, printed=self.printed)
                if message is not None:
                    raise StopValidation(str(message))


class SaneDate:
    def __call__(self, _form, field):
        value = field.data
        if isinstance(value, date | datetime) and not YEAR_MIN <= value.year <= YEAR_MAX:
            raise StopValidation(
                str(_l("Tanggal di luar rentang yang wajar (tahun %(low)d–%(high)d).", low=YEAR_MIN, high=YEAR_MAX))
            )


class DatabaseInteger:
    """A whole number the database's integer columns can hold (left to the field's own rules otherwise)."""

    def __call__(self, _form, field):
        if isinstance(field.data, int) and not INT_MIN <= field.data <= INT_MAX:
            raise StopValidation(str(_l("Angka di luar batas yang diterima.")))


def hygiene_for(field) -> list:
    """The edge checks a bound field gets in front of its own validators."""
    if isinstance(field, PasswordField):  # any character may be part of a password; the edge refuses NUL
        return []
    checks = []
    if isinstance(field, StringField):
        printed = bool(PRINTED_FIELD.search(field.name))
        checks.append(SafeText(multiline=isinstance(field, TextAreaField), printed=printed))
    if isinstance(field, DateField | DateTimeField | DateTimeLocalField):
        checks.append(SaneDate())
    whole_number = isinstance(field, IntegerField) or getattr(type(field), "database_integer", False)
    if whole_number and not any(isinstance(v, NumberRange) for v in field.validators):
        checks.append(DatabaseInteger())
    return checks


class HygieneMeta(DefaultMeta):
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        extra = hygiene_for(field)
        if extra:
            field.validators = [*extra, *field.validators]
        return field


class BalaiForm(FlaskForm):
    class Meta(HygieneMeta):
        pass


class BalaiSubform(Form):
    class Meta(HygieneMeta):
        pass
