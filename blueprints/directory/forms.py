"""The search form's query-string arguments (Indonesian names) and the search facets they map to."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from blueprints.pagination import page_number
from services.directory import make_query

# query-string argument -> facet
FILTER_ARGS = {
    "jenis": "kind",
    "kota": "kota_id",
    "kecamatan": "kecamatan_id",
    "kelurahan": "kelurahan_id",
    "seksi": "kbli_section",
    "kbli": "kbli_code",
    "status": "status",
    "izin": "permit",
}
KIND_ARG = {"usaha": "business", "koperasi": "cooperative"}
KIND_VALUE = {value: arg for arg, value in KIND_ARG.items()}
SORT_ARG = {"relevansi": "relevance", "nama": "name"}


def search_query(args: MultiDict, per_page: int = 20, **fixed):
    """The SearchQuery a request asks for; unknown or malformed values are ignored, never an error."""
    filters = {}
    for arg, facet in FILTER_ARGS.items():
        value = (args.get(arg) or "").strip()
        if facet == "kind":
            value = KIND_ARG.get(value, "")
        if value:
            filters[facet] = value[:40]
    filters.update(fixed)
    return make_query(
        text=args.get("q", ""),
        filters=filters,
        sort=SORT_ARG.get(args.get("urut", ""), "relevance"),
        page=page_number(args),
        per_page=per_page,
    )


def filter_args(query) -> dict[str, str]:
    """The query-string arguments that reproduce a query's filters (for links)."""
    args = {}
    for arg, facet in FILTER_ARGS.items():
        value = query.filters.get(facet)
        if value:
            args[arg] = KIND_VALUE.get(value, value) if facet == "kind" else value
    return args
