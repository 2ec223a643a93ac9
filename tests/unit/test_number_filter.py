"""The templates' `number` filter prints what Babel's format_decimal prints, in both languages."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, format_decimal

from blueprints.formatting import number


@pytest.mark.parametrize("locale", ["id", "en"])
def test_whole_numbers_print_as_babel_prints_them(app, locale):
    values = [0, 7, 999, 1000, 12_345, 303_000, 1_250_000, 3_000_000_000, -1, -4_500]
    with app.test_request_context(), force_locale(locale):
        assert [number(value) for value in values] == [format_decimal(value) for value in values]
    with app.test_request_context(), force_locale("id"):
        assert number(1_250_000) == "1.250.000"


def test_other_numbers_go_to_babel(app):
    with app.test_request_context(), force_locale("id"):
        assert number(1234.5) == format_decimal(1234.5) == "1.234,5"
