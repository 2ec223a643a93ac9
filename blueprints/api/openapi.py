"""The OpenAPI 3 description of /api/v1; a test validates real responses against it."""

from __future__ import annotations

_FACET = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["value", "label", "count"],
        "properties": {"value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}},
        "additionalProperties": False,
    },
}
_NULLABLE_STRING = {"type": ["string", "null"]}
_PLACE = {"kelurahan": _NULLABLE_STRING, "kecamatan": _NULLABLE_STRING, "kota": _NULLABLE_STRING}
_RATE_HEADERS = {
    "RateLimit-Limit": {"schema": {"type": "integer"}, "description": "Requests allowed in the window."},
    "RateLimit-Remaining": {"schema": {"type": "integer"}, "description": "Requests left in the window."},
    "RateLimit-Reset": {"schema": {"type": "integer"}, "description": "Seconds until the window resets."},
}


def _list_params() -> list[dict]:
    def query(name, description, schema=None):
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema or {"type": "string"},
        }

    return [
        query("q", "Search text (name, permit number, NIB, KBLI code); typos and prefixes tolerated."),
        query("kota", "Kota region id."),
        query("kecamatan", "Kecamatan region id."),
        query("kelurahan", "Kelurahan region id."),
        query("seksi", "KBLI section letter (A–U)."),
        query("kbli", "KBLI code (5 digits)."),
        query("status", "Status: operating/closed (businesses), active/dormant/at_risk (cooperatives, as of today)."),
        query(
            "izin",
            "Permit state as of today in WIB (businesses).",
            {"type": "string", "enum": ["valid", "expired", "revoked", "none"]},
        ),
        query("urut", "Sort order.", {"type": "string", "enum": ["relevansi", "nama"]}),
        query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
        query("per_page", "Items per page.", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
    ]


def _list_response(item_ref: str) -> dict:
    return {
        "description": "One page of matching records, with facet counts over all matches.",
        "headers": _RATE_HEADERS,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["items", "total", "page", "per_page", "facets"],
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/SearchItem"}},
                        "total": {"type": "integer", "minimum": 0},
                        "page": {"type": "integer", "minimum": 1},
                        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                        "facets": {"type": "object", "additionalProperties": _FACET},
                    },
                    "additionalProperties": False,
                }
            }
        },
    }


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _detail(schema: str, what: str) -> dict:
    return {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "summary": f"One {what}",
            "responses": {
                "200": {
                    "description": f"The public fields of the {what}.",
                    "headers": _RATE_HEADERS,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                },
                "404": _error("No such record."),
                "429": _error("Too many requests; see Retry-After."),
            },
        },
    }


def _listing(what: str) -> dict:
    return {
        "get": {
            "summary": f"Search {what}",
            "parameters": _list_params(),
            "responses": {
                "200": _list_response("SearchItem"),
                "422": _error("A parameter is out of range."),
                "429": _error("Too many requests; see Retry-After."),
                "503": _error("Search is temporarily unavailable."),
            },
        }
    }


def openapi_document(server_url: str, title: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{title} open data API",
            "version": "1.0.0",
            "description": "Read-only public registry of micro-businesses and cooperatives. No personal data.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/businesses": _listing("businesses"),
            "/businesses/{id}": _detail("Business", "business"),
            "/cooperatives": _listing("cooperatives"),
            "/cooperatives/{id}": _detail("Cooperative", "cooperative"),
        },
        "components": {
            "schemas": {
                "SearchItem": {
                    "type": "object",
                    "required": ["id", "kind", "name", "url", "status", "permit", "kbli_code", *_PLACE],
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"type": "string", "enum": ["business", "cooperative"]},
                        "name": {"type": "string"},
                        "url": {"type": "string", "format": "uri"},
                        "status": _NULLABLE_STRING,
                        "permit": {
                            "description": "A business's permit as of today in WIB; null for a cooperative.",
                            "type": ["object", "null"],
                            "required": ["state", "valid_until"],
                            "properties": {
                                "state": {"type": "string", "enum": ["valid", "expired", "revoked", "none"]},
                                "valid_until": {"type": ["string", "null"], "format": "date"},
                            },
                            "additionalProperties": False,
                        },
                        "kbli_code": _NULLABLE_STRING,
                        **_PLACE,
                    },
                    "additionalProperties": False,
                },
                "Business": {
                    "type": "object",
                    "required": ["id", "kind", "name", "url", "status", "kbli", "nib", "permits", *_PLACE],
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"const": "business"},
                        "name": {"type": "string"},
                        "url": {"type": "string", "format": "uri"},
                        "status": {"type": "string", "enum": ["operating", "closed"]},
                        "activity": _NULLABLE_STRING,
                        "kbli": {
                            "type": ["object", "null"],
                            "properties": {
                                "version": _NULLABLE_STRING,
                                "code": _NULLABLE_STRING,
                                "title": _NULLABLE_STRING,
                                "section": _NULLABLE_STRING,
                            },
                            "additionalProperties": False,
                        },
                        "nib": _NULLABLE_STRING,
                        "workers": {"type": ["integer", "null"]},
                        "permits": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "number": _NULLABLE_STRING,
                                    "status": _NULLABLE_STRING,
                                    "issued_on": _NULLABLE_STRING,
                                    "expires_on": _NULLABLE_STRING,
                                },
                                "additionalProperties": False,
                            },
                        },
                        **_PLACE,
                    },
                    "additionalProperties": False,
                },
                "Cooperative": {
                    "type": "object",
                    "required": ["id", "kind", "name", "url", "cooperative_kind", "level", *_PLACE],
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"const": "cooperative"},
                        "name": {"type": "string"},
                        "url": {"type": "string", "format": "uri"},
                        "cooperative_kind": {"type": "string"},
                        "level": {"type": "string"},
                        "activity_status": _NULLABLE_STRING,
                        "last_rat_year": {"type": ["integer", "null"]},
                        "legal_entity_number": _NULLABLE_STRING,
                        "founding_date": {"type": ["string", "null"], "format": "date"},
                        "member_count": {"type": ["integer", "null"]},
                        "kampungs": {"type": "array", "items": {"type": "string"}},
                        **_PLACE,
                    },
                    "additionalProperties": False,
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "title", "message"],
                            "properties": {
                                "code": {"type": "integer"},
                                "title": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
            }
        },
    }
