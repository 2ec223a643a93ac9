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
        query("halaman", "Page number (halaman), from 1.", {"type": "integer", "minimum": 1, "default": 1}),
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
                    "required": ["items", "total", "total_is_estimate", "page", "per_page", "facets"],
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/SearchItem"}},
                        "total": {"type": "integer", "minimum": 0},
                        "total_is_estimate": {
                            "type": "boolean",
                            "description": "True when total and the facet counts are estimated from a sample "
                            "(a very large result on the PostgreSQL backend); relevance-ranked pages then stop "
                            "at the first few hundred hits.",
                        },
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


def _verify_by(parameter: str, description: str, schema: dict) -> dict:
    return {
        "parameters": [
            {"name": parameter, "in": "path", "required": True, "description": description, "schema": schema}
        ],
        "get": {
            "summary": f"Verify an issued document by its {description}",
            "description": "Weak ETag over the facts and Cache-Control: no-cache; send If-None-Match for a 304.",
            "responses": {
                "200": {
                    "description": "What anyone may know about the document (the holder's name only masked).",
                    "headers": _RATE_HEADERS,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verification"}}},
                },
                "304": {"description": "The facts have not changed since the ETag sent."},
                "404": _error("No document with this token or fingerprint."),
                "429": _error("Too many requests; see Retry-After."),
            },
        },
    }


def _verification_paths() -> dict:
    return {
        "/verify/{token}": _verify_by("token", "QR token", {"type": "string", "maxLength": 64}),
        "/verify/sha256/{digest}": _verify_by(
            "digest", "SHA-256 fingerprint", {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}
        ),
        "/verify/file": {
            "post": {
                "summary": "Check a PDF file: our document unchanged, changed after signing, or not ours",
                "description": "The file is read, never kept. A genuine file with bytes appended after the "
                "signature is 'changed': its signed revision is ours, the rest is not.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["berkas"],
                                "properties": {"berkas": {"type": "string", "contentMediaType": "application/pdf"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "The verdict, with the document's facts when it is ours.",
                        "headers": _RATE_HEADERS,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FileCheck"}}},
                    },
                    "422": _error("No file, not a PDF, or larger than 10 MB."),
                    "429": _error("Too many requests; see Retry-After."),
                },
            }
        },
    }


_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
_VERIFICATION_SCHEMAS = {
    "Verification": {
        "type": "object",
        "required": ["document_type", "number", "status", "issued_on", "sha256", "checked_at"],
        "properties": {
            "document_type": {"type": "string", "enum": ["iumk", "akta_pendirian"]},
            "document_kind": {"type": "string"},
            "document_title": {"type": "string"},
            "number": {"type": "string"},
            "version": {"type": "integer"},
            "correction": {"type": "boolean"},
            "business_name": _NULLABLE_STRING,
            "cooperative_name": _NULLABLE_STRING,
            "holder_name_masked": {**_NULLABLE_STRING, "description": 'First letters only: "C****** S*****".'},
            "holder_check_available": {"type": "boolean"},
            "kelurahan": _NULLABLE_STRING,
            "kecamatan": _NULLABLE_STRING,
            "status": {"type": "string", "enum": ["valid", "expired", "revoked", "superseded", "dissolved"]},
            "issued_on": {"type": "string", "format": "date"},
            "issued_on_text": {"type": "string", "description": "As printed: 30 November 2026."},
            "valid_until": _NULLABLE_DATE,
            "valid_until_text": _NULLABLE_STRING,
            "superseded_on": _NULLABLE_DATE,
            "superseded_on_text": _NULLABLE_STRING,
            "dissolved_on": _NULLABLE_DATE,
            "dissolved_on_text": _NULLABLE_STRING,
            "dissolution_decree": _NULLABLE_STRING,
            "revoked_on": _NULLABLE_DATE,
            "revoked_on_text": _NULLABLE_STRING,
            "revoke_reason": _NULLABLE_STRING,
            "superseded_by": _NULLABLE_STRING,
            "superseded_by_url": _NULLABLE_STRING,
            "sha256": _NULLABLE_STRING,
            "demo_signature": {"type": "boolean"},
            "checked_at": {"type": "string", "description": "When this answer was made, local time."},
            "signer": {
                "type": ["object", "null"],
                "description": "The holder of the signing certificate.",
                "properties": {
                    "kind": {"type": "string", "enum": ["seal", "personal", "demo"]},
                    "name": {"type": "string"},
                    "subject": {"type": "string"},
                    "issuer": {"type": "string"},
                    "serial": {"type": "string"},
                    "valid_from": {"type": "string", "format": "date"},
                    "valid_until": {"type": "string", "format": "date"},
                    "valid_from_text": {"type": "string"},
                    "valid_until_text": {"type": "string"},
                    "timestamped_at": {"type": ["string", "null"], "format": "date-time"},
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    "FileCheck": {
        "type": "object",
        "required": ["verdict", "label", "sha256", "checked_at", "document"],
        "properties": {
            "verdict": {"type": "string", "enum": ["intact", "changed", "foreign"]},
            "label": {"type": "string"},
            "sha256": {"type": "string"},
            "checked_at": {"type": "string"},
            "document": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/VerificationFacts"}]},
        },
        "additionalProperties": False,
    },
}
# The facts inside a file check carry no checked_at of their own.
_VERIFICATION_SCHEMAS["VerificationFacts"] = {
    **_VERIFICATION_SCHEMAS["Verification"],
    "required": ["document_type", "number", "status", "issued_on", "sha256"],
}


def openapi_document(server_url: str, title: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{title} open data API",
            "version": "1.0.0",
            "description": "Read-only public registry of micro-businesses and cooperatives, and verification of "
            "the documents it issues. No personal data.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/businesses": _listing("businesses"),
            "/businesses/{id}": _detail("Business", "business"),
            "/cooperatives": _listing("cooperatives"),
            "/cooperatives/{id}": _detail("Cooperative", "cooperative"),
            **_verification_paths(),
        },
        "components": {
            "schemas": {
                **_VERIFICATION_SCHEMAS,
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
