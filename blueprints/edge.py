"""Input hygiene at the edge, before any view: ids in URLs bounded to the database's integer range
(larger ones are 404, not an overflow), and no NUL byte in a path, query string or form (PostgreSQL
cannot store one; no legitimate input has one): 400 with a clear message. Field-level rules are in
blueprints/forms.py."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every route: 0 … 2^31−1, so an id the database cannot hold never reaches a query."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def _has_nul() -> bool:
    if "\x00" in request.path:
        return True
    sources = [request.args]
    if request.method in ("POST", "PUT", "PATCH"):
        sources.append(request.form)
    # A malformed multipart body can yield a part without a name (None): only text is searched.
    return any(
        isinstance(text, str) and "\x00" in text
        for source in sources
        for pair in source.items(multi=True)
        for text in pair
    )


def init_app(app: Flask) -> None:
    """Call before the blueprints are registered (routes are compiled with the converter)."""
    app.url_map.converters["int"] = DatabaseIdConverter

    @app.before_request
    def refuse_nul_bytes():
        if _has_nul():
            from blueprints.errors import refuse

            return refuse(400, _("Permintaan mengandung karakter NUL yang tidak diizinkan; hapus lalu kirim lagi."))
        return None
